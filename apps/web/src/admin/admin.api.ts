import type { DailyRegistrations } from '@jab/contracts';
import { API, apiRequest } from '../shared/api';

export type { DailyRegistrations };

export function dailyRegistrations(token: string, signal?: AbortSignal): Promise<DailyRegistrations> {
  return apiRequest(`${API.analytics}/registrations/daily`, { token, signal });
}
