import { Forbidden } from '@jab/http';

export interface Viewer {
  role: string;
  region?: string;
}

/**
 * A national admin sees every region; anyone else must carry a region claim and sees
 * only that region, whatever filter they ask for (asking for another is refused, so a
 * wrong dashboard is never mistaken for an empty one).
 */
export function scoped<F extends { region?: string }>(viewer: Viewer, filters: F): F {
  if (viewer.role === 'national-admin') return filters;
  if (!viewer.region) throw new Forbidden('Your account is not scoped to a region.');
  if (filters.region && filters.region !== viewer.region) throw new Forbidden('You can only see your own region.');
  return { ...filters, region: viewer.region };
}
