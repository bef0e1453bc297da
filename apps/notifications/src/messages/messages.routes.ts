import { accessReasonOf, authenticate, principalOf, requireRole, type Verifier } from '@jab/auth';
import { messageAdminList, messageList, messagesQuery } from '@jab/contracts';
import { BadRequest, parsed, validate, type ApiRoute } from '@jab/http';
import { Router } from 'express';
import type { Pool } from 'pg';
import { listForAccount, listForRegistrant } from './messages.repo.js';
import type { StaffAccessClient } from './staff-access.client.js';

const schemas = { query: messagesQuery };

/** `readPool`: message histories may be a second behind, so they come from the Aurora reader (decision 0006). */
export function messagesRouter(deps: { readPool: Pool; verifier: Verifier; staffAccess: StaffAccessClient }): Router {
  const router = Router();
  router.get(
    '/messages',
    authenticate(deps.verifier),
    requireRole('citizen', 'center-admin', 'national-admin'),
    validate(schemas),
    async (req, res) => {
      const { query } = parsed(req, schemas);
      const principal = principalOf(req);
      // A citizen reads only the messages of their own household account (the token's subject).
      if (principal.role === 'citizen') {
        res.json({ items: await listForAccount(deps.readPool, principal.sub, query.limit) });
        return;
      }
      if (!query.registrantId) {
        throw new BadRequest('The request is invalid.', { errors: [{ path: 'query.registrantId', message: 'is required for staff' }] });
      }
      // Registration's rule and the person's access log: nothing is read before both.
      await deps.staffAccess.record({
        authorization: req.headers.authorization ?? '',
        registrantId: query.registrantId,
        reason: accessReasonOf(req),
        action: 'messages.read',
      });
      res.json({ items: await listForRegistrant(deps.readPool, query.registrantId, query.limit) });
    },
  );
  return router;
}

export const messagesRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/messages',
    summary:
      "Messages, newest first: a citizen's own (no registrantId), or one registrant's with their delivery history (center admins of the person's region, national admins; a reason in X-Access-Reason or ?reason=, written to the person's access log)",
    request: schemas,
    responses: {
      200: { description: 'Messages', schema: messageList.or(messageAdminList) },
      400: { description: 'Staff gave no registrantId or no reason' },
      401: { description: 'No valid token' },
      403: { description: 'Role may not read messages, or the person is outside the admin’s region' },
      404: { description: 'No such person' },
      503: { description: 'Registration could not check the access; nothing was read' },
    },
  },
];
