import type { MessageView, RegisterResponse, registerRequest } from '@jab/contracts';
import type { z } from 'zod';
import { API, apiRequest } from '../shared/api';

export type { Language } from '../shared/i18n';
export { LANGUAGES } from '../shared/i18n';
/** What the form sends (before the service's defaults apply). */
export type RegisterInput = z.input<typeof registerRequest>;
export type Contact = RegisterInput['contact'];
export type Registration = RegisterResponse;
export type Message = MessageView;

export function register(input: RegisterInput, signal?: AbortSignal): Promise<Registration> {
  return apiRequest(`${API.registration}/registrants`, { method: 'POST', body: input, signal });
}

export async function listMessages(token: string, signal?: AbortSignal): Promise<Message[]> {
  const { items } = await apiRequest<{ items: Message[] }>(`${API.notifications}/messages`, { token, signal });
  return items;
}
