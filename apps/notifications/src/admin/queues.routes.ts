import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { authenticate, requireRole, type Verifier } from '@jab/auth';
import type { ApiRoute } from '@jab/http';
import type { JabQueue } from '@jab/queue';
import { Router, type Express, type RequestHandler } from 'express';

export const QUEUE_BOARD_PATH = '/admin/queues';
export const QUEUE_BOARD_SESSION_PATH = '/admin/queue-board-sessions';
const COOKIE = 'jab_queue_board';

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * A browser opens the board by link, and a link carries no bearer header: the admin app
 * first trades its token for an HttpOnly cookie scoped to the board's path, valid no
 * longer than the token. SameSite=Strict keeps other sites from driving the board's
 * retry and clean actions with it.
 */
const bearerFromCookie: RequestHandler = (req, _res, next) => {
  if (!req.headers.authorization) {
    const token = cookieToken(req.headers.cookie);
    if (token) req.headers.authorization = `Bearer ${token}`;
  }
  next();
};

/** The BullMQ dashboard (jobs, dead letters, retries), for national admins only. */
export function queueBoardRouter(deps: { queues: JabQueue[]; verifier: Verifier; apiBase: string }): Router {
  const boardPath = `${deps.apiBase}${QUEUE_BOARD_PATH}`;
  const adapter = new ExpressAdapter();
  adapter.setBasePath(boardPath);
  createBullBoard({
    queues: deps.queues.map((q) => new BullMQAdapter(q)),
    // @bull-board/express pins its own copy of @bull-board/api (one patch apart): same shape, other declaration.
    serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
  });
  const router = Router();
  router.post(QUEUE_BOARD_SESSION_PATH, authenticate(deps.verifier), requireRole('national-admin'), (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    // Verified above; its expiry bounds the cookie's.
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number };
    const maxAge = Math.max(0, exp - Math.floor(Date.now() / 1000));
    const secure = req.secure ? '; Secure' : '';
    res.setHeader('Set-Cookie', `${COOKIE}=${encodeURIComponent(token)}; Path=${boardPath}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`);
    res.status(204).end();
  });
  // bull-board is its own express app: it must not announce itself either.
  const board = adapter.getRouter() as Express;
  board.disable('x-powered-by');
  router.use(QUEUE_BOARD_PATH, bearerFromCookie, authenticate(deps.verifier), requireRole('national-admin'), board);
  return router;
}

export const queueBoardRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: QUEUE_BOARD_SESSION_PATH,
    summary: 'Opens the queue dashboard in this browser: an HttpOnly cookie for its path, as long as the token lasts (national-admin)',
    responses: { 204: { description: 'Cookie set' }, 401: { description: 'No valid token' }, 403: { description: 'Not a national admin' } },
  },
];
