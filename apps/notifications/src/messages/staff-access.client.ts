import type { StaffAccessRequest } from '@jab/contracts';
import { HttpError, type FieldError } from '@jab/http';

/**
 * Registration owns who may see a person and the person's access log: before staff see a
 * person's messages here, registration checks the staff member's scope (their own token,
 * forwarded) and writes the access-log row. Nothing is shown unless it answers 201.
 */
export interface StaffAccessClient {
  record(access: { authorization: string; registrantId: string; reason: string } & StaffAccessRequest): Promise<void>;
}

export interface StaffAccessClientOptions {
  /** Registration's API root, e.g. `http://127.0.0.1:3001/api/registration/v1`. */
  baseUrl: string;
  timeoutMs: number;
}

const RETRY_AFTER = { 'Retry-After': '5' };

function unavailable(cause: unknown): HttpError {
  return new HttpError(503, 'The access check is briefly unavailable; try again shortly.', { headers: RETRY_AFTER, cause });
}

export function staffAccessClient({ baseUrl, timeoutMs }: StaffAccessClientOptions): StaffAccessClient {
  return {
    async record({ authorization, registrantId, reason, action }) {
      // The reason travels in the query: a header cannot carry every script staff write in.
      const url = `${baseUrl}/registrants/${encodeURIComponent(registrantId)}/access-log?reason=${encodeURIComponent(reason)}`;
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ action }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw unavailable(error);
      }
      if (response.status === 201) {
        await response.body?.cancel();
        return;
      }
      const problem = (await response.json().catch(() => ({}))) as { detail?: unknown; errors?: FieldError[] };
      // The caller's own mistakes and refusals pass through as registration said them.
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
        const detail = typeof problem.detail === 'string' ? problem.detail : undefined;
        throw new HttpError(response.status, detail, { errors: Array.isArray(problem.errors) ? problem.errors : undefined });
      }
      throw unavailable(new Error(`registration answered ${response.status} to an access check`));
    },
  };
}
