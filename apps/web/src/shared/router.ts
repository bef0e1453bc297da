import { useSyncExternalStore } from 'react';

/** The app's areas, addressed by hash (`#/staff`) so any static host can serve the app. */
export const AREAS = [
  { path: '/', label: 'Citizen' },
  { path: '/staff', label: 'Staff' },
  { path: '/admin', label: 'Admin' },
] as const;
export type AreaPath = (typeof AREAS)[number]['path'];

function currentPath(): AreaPath {
  const path = window.location.hash.replace(/^#/, '') || '/';
  return AREAS.find((a) => a.path === path)?.path ?? '/';
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): AreaPath {
  return useSyncExternalStore(subscribe, currentPath, () => '/');
}

export function hrefFor(path: AreaPath): string {
  return `#${path}`;
}
