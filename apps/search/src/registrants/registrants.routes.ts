import {
  authenticate,
  principalOf,
  requireScopedRole,
  type Verifier,
} from '@jab/auth';
import { registrantSearchQuery } from '@jab/contracts';
import { BadRequest, parsed, validate } from '@jab/http';
import { Router } from 'express';
import { InvalidCursorError } from '../engines/engine.js';
import {
  searchRegistrants,
  type StaffSearchDeps,
} from './registrants.service.js';

export function registrantsRouter(
  deps: StaffSearchDeps & { verifier: Verifier },
): Router {
  const router = Router();
  const schemas = { query: registrantSearchQuery };
  router.get(
    '/registrants',
    authenticate(deps.verifier),
    // An account without the region its role needs is refused, not let loose on every region.
    requireScopedRole('staff', 'center-admin', 'national-admin'),
    validate(schemas),
    async (req, res) => {
      const { query } = parsed(req, schemas);
      // The request id the app echoes: lets an audit row be matched to its request log line.
      const requestId = res.getHeader('x-request-id');
      try {
        res.json(
          await searchRegistrants(
            deps,
            principalOf(req),
            query,
            typeof requestId === 'string' ? requestId : null,
          ),
        );
      } catch (error) {
        if (error instanceof InvalidCursorError) throw cursorProblem(error);
        throw error;
      }
    },
  );
  return router;
}

/** A cursor this service did not issue for this search (rebuilt, edited, replayed, or signed under an old key). */
export function cursorProblem(error: InvalidCursorError): BadRequest {
  return new BadRequest('The request is invalid.', {
    errors: [{ path: 'query.cursor', message: 'must be the nextCursor of a previous page of this search' }],
    cause: error,
  });
}
