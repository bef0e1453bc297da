import { principalOf, requireRole } from '@jab/auth';
import {
  accessReasonQuery,
  householdList,
  registrantCreated,
  registrantCreateRequest,
  registrantIdParams,
  registrantUpdateRequest,
  registrantView,
  staffRegistrantView,
  type RegistrantCreated,
} from '@jab/contracts';
import { BadRequest, Forbidden, parsed, validate, type ApiRoute } from '@jab/http';
import { Router, type RequestHandler } from 'express';
import { accessReasonOf } from '../audit/audit.js';
import { issueCitizenToken, type TokenDeps } from '../identity/tokens.js';
import {
  addHouseholdMember,
  changeRegistrant,
  listHousehold,
  readOwnRegistrant,
  readRegistrantAsStaff,
  registerRegistrant,
  type RegistrantDeps,
} from './registrants.service.js';

export interface RegistrantsRouterDeps extends RegistrantDeps, TokenDeps {
  /** Verifies the bearer token (401 without one). */
  authenticate: RequestHandler;
}

export interface RegistrationLimits {
  /** Every registration per client IP (before parsing: malformed floods count too). */
  perIp: RequestHandler;
  /** Refusals per contact (anonymous) or household account (signed in), after parsing. */
  perContact: RequestHandler;
}

const createSchemas = { body: registrantCreateRequest };
const idSchemas = { params: registrantIdParams };
const staffReadSchemas = { params: registrantIdParams, query: accessReasonQuery };
const updateSchemas = { params: registrantIdParams, body: registrantUpdateRequest };

export function registrantsRouter(deps: RegistrantsRouterDeps, limits: RegistrationLimits): Router {
  const router = Router();
  // Signed in: add to the caller's household. Anonymous: start a new household.
  const optionalAuth: RequestHandler = (req, res, next) =>
    req.headers.authorization === undefined ? next() : deps.authenticate(req, res, next);

  router.post('/registrants', limits.perIp, optionalAuth, validate(createSchemas), limits.perContact, async (req, res) => {
    const { body } = parsed(req, createSchemas);
    let response: RegistrantCreated;
    if (req.principal) {
      if (req.principal.role !== 'citizen') throw new Forbidden('Only a signed-in citizen adds people to a household.');
      // The household's contact is the account's: a contact in the body is not used.
      response = { registrant: await addHouseholdMember(deps, req.principal.sub, body) };
    } else {
      const { contact } = body;
      if (!contact) throw new BadRequest('The request is invalid.', { errors: [{ path: 'body.contact', message: 'is required' }] });
      const { registrant, accountId } = await registerRegistrant(deps, { ...body, contact });
      response = { registrant, accessToken: await issueCitizenToken(deps, accountId) };
    }
    res.status(201).location(`registrants/${response.registrant.id}`).json(response);
  });

  // The writer: the household is the page a citizen lands on right after adding or changing a
  // person, and a lagging reader would show it without that change (decision 0006).
  router.get('/registrants', deps.authenticate, requireRole('citizen'), async (req, res) => {
    res.json({ items: await listHousehold(deps.pool, principalOf(req).sub) });
  });

  router.get('/registrants/:id', deps.authenticate, validate(staffReadSchemas), async (req, res) => {
    const { params } = parsed(req, idSchemas);
    const principal = principalOf(req);
    // A citizen's own person is the Location of the registration that created it: the writer.
    if (principal.role === 'citizen') return void res.json(await readOwnRegistrant(deps.pool, principal.sub, params.id));
    res.json(await readRegistrantAsStaff(deps, principal, params.id, accessReasonOf(req)));
  });

  router.patch('/registrants/:id', deps.authenticate, requireRole('citizen'), validate(updateSchemas), async (req, res) => {
    const { params, body } = parsed(req, updateSchemas);
    res.json(await changeRegistrant(deps.pool, principalOf(req).sub, params.id, body));
  });
  return router;
}

export const registrantsRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: '/registrants',
    summary:
      'Register a person: anonymously under a new household account (needs `contact`; returns a citizen token), or with a citizen token into that household (at most 4 people); rate-limited per client IP, and refusals per contact or household',
    tags: ['registrants'],
    request: createSchemas,
    responses: {
      201: { description: 'Registered', schema: registrantCreated },
      403: { description: 'A staff token' },
      409: { description: 'Contact (sign in with a one-time code instead) or national ID already registered, or the household is full' },
      429: { description: 'Too many registrations from this address, or refusals for this contact or household; see Retry-After' },
    },
  },
  {
    method: 'get',
    path: '/registrants',
    summary: 'The people of the caller’s household (citizen)',
    tags: ['registrants'],
    responses: { 200: { description: 'Household', schema: householdList } },
  },
  {
    method: 'get',
    path: '/registrants/:id',
    summary:
      'One person: a citizen of their own household, or staff of the person’s region / a national admin, who must give a reason (header X-Access-Reason or query reason); staff reads are audited',
    tags: ['registrants'],
    request: staffReadSchemas,
    responses: {
      200: { description: 'The person (staff also get the account id and a masked national ID)', schema: staffRegistrantView.or(registrantView) },
      400: { description: 'Staff gave no reason' },
      403: { description: 'Outside the staff member’s region' },
      404: { description: 'No such person (or not in the caller’s household)' },
    },
  },
  {
    method: 'patch',
    path: '/registrants/:id',
    summary: 'Change a person of the caller’s household (citizen); bumps `version`, emits registrant.updated',
    tags: ['registrants'],
    request: updateSchemas,
    responses: { 200: { description: 'Changed', schema: registrantView }, 404: { description: 'Not in the caller’s household' } },
  },
];
