import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { authenticate, requireRole, type Verifier } from '@jab/auth';
import type { JabQueue } from '@jab/queue';
import { Router } from 'express';

export const QUEUE_BOARD_PATH = '/admin/queues';

/** The BullMQ dashboard (jobs, dead letters, retries), for national admins only. */
export function queueBoardRouter(deps: { queues: JabQueue[]; verifier: Verifier; apiBase: string }): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(`${deps.apiBase}${QUEUE_BOARD_PATH}`);
  createBullBoard({
    queues: deps.queues.map((q) => new BullMQAdapter(q)),
    // @bull-board/express pins its own copy of @bull-board/api (one patch apart): same shape, other declaration.
    serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
  });
  const router = Router();
  router.use(QUEUE_BOARD_PATH, authenticate(deps.verifier), requireRole('national-admin'), adapter.getRouter() as Router);
  return router;
}
