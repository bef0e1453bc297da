import { accessReason } from '@jab/contracts';
import { BadRequest } from '@jab/http';
import type { Request } from 'express';

/** Where staff state why they open a person's record; `?reason=` is the fallback for links. */
export const ACCESS_REASON_HEADER = 'x-access-reason';

/** The reason staff give for opening a record: header `X-Access-Reason`, else query `reason`; 400 without one. */
export function accessReasonOf(req: Request): string {
  const header = req.get(ACCESS_REASON_HEADER);
  const query = typeof req.query['reason'] === 'string' ? req.query['reason'] : undefined;
  const result = accessReason.safeParse(header ?? query ?? '');
  if (result.success) return result.data;
  throw new BadRequest('Staff must say why they open a person’s record.', {
    errors: [{ path: header === undefined && query !== undefined ? 'query.reason' : 'headers.x-access-reason', message: result.error.issues[0].message }],
  });
}

/** Like `accessReasonOf`, for reads where a reason is optional: undefined when none is given, 400 when a bad one is. */
export function optionalAccessReasonOf(req: Request): string | undefined {
  const given = req.get(ACCESS_REASON_HEADER) !== undefined || typeof req.query['reason'] === 'string';
  return given ? accessReasonOf(req) : undefined;
}
