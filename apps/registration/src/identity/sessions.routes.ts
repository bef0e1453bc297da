import { otpAccepted, otpRequest, refreshRequest, sessionRequest, sessionTokens } from '@jab/contracts';
import { parsed, validate, type ApiRoute } from '@jab/http';
import { Router, type RequestHandler } from 'express';
import { endSession, refreshSession, requestOtp, signInWithCode, type SessionDeps } from './sessions.service.js';

export interface SessionLimits {
  /** Code requests per client IP (before parsing: malformed floods count too). */
  otpPerIp: RequestHandler;
  /** Code requests per destination (after parsing: keyed by the contact's hash). */
  otpPerDestination: RequestHandler;
  /** Code sign-ins per client IP. */
  signInPerIp: RequestHandler;
}

const otpSchemas = { body: otpRequest };
const sessionSchemas = { body: sessionRequest };
const refreshSchemas = { body: refreshRequest };

export function sessionsRouter(deps: SessionDeps, limits: SessionLimits): Router {
  const router = Router();
  router.post('/otp-requests', limits.otpPerIp, validate(otpSchemas), limits.otpPerDestination, async (req, res) => {
    res.status(202).json(await requestOtp(deps, parsed(req, otpSchemas).body));
  });
  router.post('/sessions', limits.signInPerIp, validate(sessionSchemas), async (req, res) => {
    res.status(201).json(await signInWithCode(deps, parsed(req, sessionSchemas).body));
  });
  router.post('/sessions/refresh', validate(refreshSchemas), async (req, res) => {
    res.status(200).json(await refreshSession(deps, parsed(req, refreshSchemas).body.refreshToken));
  });
  router.post('/sessions/logout', validate(refreshSchemas), async (req, res) => {
    await endSession(deps, parsed(req, refreshSchemas).body.refreshToken);
    res.status(204).end();
  });
  return router;
}

export const sessionsRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: '/otp-requests',
    summary: 'Send a one-time sign-in code to a phone or email (same answer for unknown contacts; 429 when rate-limited)',
    tags: ['identity'],
    request: otpSchemas,
    responses: { 202: { description: 'A code is on its way if the contact can receive it', schema: otpAccepted }, 429: { description: 'Too many requests; see Retry-After' } },
  },
  {
    method: 'post',
    path: '/sessions',
    summary: 'Sign in with a one-time code (5 attempts per code); creates the household account on first sign-in',
    tags: ['identity'],
    request: sessionSchemas,
    responses: {
      201: { description: 'Signed in as a citizen', schema: sessionTokens },
      401: { description: 'Wrong, expired, used or locked code' },
      429: { description: 'Too many requests; see Retry-After' },
    },
  },
  {
    method: 'post',
    path: '/sessions/refresh',
    summary: 'Rotate a refresh token; reusing an old one revokes the whole session',
    tags: ['identity'],
    request: refreshSchemas,
    responses: { 200: { description: 'New tokens', schema: sessionTokens }, 401: { description: 'Invalid, expired, revoked or reused token' } },
  },
  {
    method: 'post',
    path: '/sessions/logout',
    summary: 'Revoke the session of a refresh token',
    tags: ['identity'],
    request: refreshSchemas,
    responses: { 204: { description: 'Signed out' } },
  },
];
