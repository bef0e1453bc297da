import { authenticate, principalOf, requireRole, type Verifier } from '@jab/auth';
import type { MessageView } from '@jab/contracts';
import { Router } from 'express';
import type { Pool } from 'pg';
import { listForAccount } from './messages.repo.js';

export function messagesRouter(deps: { pool: Pool; verifier: Verifier }): Router {
  const router = Router();
  // A citizen reads only the messages of their own household account (the token's subject).
  router.get('/messages', authenticate(deps.verifier), requireRole('citizen'), async (req, res) => {
    const items: MessageView[] = await listForAccount(deps.pool, principalOf(req).sub);
    res.json({ items });
  });
  return router;
}
