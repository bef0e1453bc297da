import type { RegistrantHit } from '@jab/contracts';
import { API, apiRequest } from '../shared/api';

export type { RegistrantHit };

export async function searchRegistrants(token: string, q: string, signal?: AbortSignal): Promise<RegistrantHit[]> {
  const { items } = await apiRequest<{ items: RegistrantHit[] }>(`${API.search}/registrants`, { query: { q }, token, signal });
  return items;
}
