import { authenticate, createVerifier, type Signer } from '@jab/auth';
import { parsed } from '@jab/http';
import { ISSUER, type ApiParts, type ServiceContext } from '@jab/runtime';
import { otpRequest, registrantCreateRequest, staffSessionRequest } from '@jab/contracts';
import { auditRouter, auditRoutes } from '../audit/audit.routes.js';
import type { RegistrationConfig } from '../config.js';
import type { Pools } from '../pools.js';
import { registrantsRouter, registrantsRoutes } from '../registrants/registrants.routes.js';
import { destinationHash, emailKey } from './credentials.js';
import { identityRouter, identityRoutes } from './identity.routes.js';
import { clientIp, redisRateLimit } from './rate-limit.js';
import { identitySecrets } from './secrets.js';
import { sessionsRouter, sessionsRoutes } from './sessions.routes.js';

/**
 * The identity, household and audit components, built together because they share
 * the secrets (generated once per process when ephemeral) and the token verifier.
 */
export function identityComponents(
  ctx: ServiceContext<RegistrationConfig>,
  deps: Pools & { signer: Signer; audience: string; wakeRelay: () => void },
): ApiParts[] {
  const { config } = ctx;
  const secrets = identitySecrets(config, ctx.logger);
  // Registration verifies its own tokens against its own public key: no HTTP round trip.
  const verifier = createVerifier({ jwks: deps.signer.jwks(), issuer: ISSUER, audience: deps.audience });
  const auth = authenticate(verifier);
  const windowSeconds = config.RATE_LIMIT_WINDOW_SECONDS;
  const perIp = (name: string) => redisRateLimit(ctx, { name, limit: config.OTP_RATE_PER_IP, windowSeconds, key: clientIp });

  const sessions = sessionsRouter(
    { ...deps, secrets, otpTtlSeconds: config.OTP_TTL_SECONDS, refreshTtlDays: config.REFRESH_TOKEN_TTL_DAYS },
    {
      otpPerIp: perIp('otp-ip'),
      signInPerIp: perIp('session-ip'),
      otpPerDestination: redisRateLimit(ctx, {
        name: 'otp-destination',
        limit: config.OTP_RATE_PER_DESTINATION,
        windowSeconds,
        key: (req) => destinationHash(secrets.otpHashKey, parsed(req, { body: otpRequest }).body.contact).toString('base64url'),
      }),
    },
  );
  // Registration tells whether a contact or a national ID is taken: metered like code requests.
  const registrationLimits = {
    perIp: redisRateLimit(ctx, { name: 'registration-ip', limit: config.REGISTRATION_RATE_PER_IP, windowSeconds, key: clientIp, failOpen: true }),
    perContact: redisRateLimit(ctx, {
      name: 'registration-contact',
      limit: config.REGISTRATION_RATE_PER_CONTACT,
      windowSeconds,
      failuresOnly: true,
      failOpen: true,
      key: (req) => {
        if (req.principal) return `account:${req.principal.sub}`;
        const { contact } = parsed(req, { body: registrantCreateRequest }).body;
        return contact ? `contact:${destinationHash(secrets.otpHashKey, contact).toString('base64url')}` : `ip:${clientIp(req)}`;
      },
    }),
  };
  const staffSignInLimit = redisRateLimit(ctx, {
    name: 'staff-signin',
    limit: config.STAFF_SIGNIN_RATE,
    windowSeconds,
    failuresOnly: true,
    key: (req) => `${emailKey(secrets.otpHashKey, parsed(req, { body: staffSessionRequest }).body.email)}:${clientIp(req)}`,
  });

  return [
    { routers: [registrantsRouter({ ...deps, secrets, authenticate: auth }, registrationLimits)], routes: registrantsRoutes },
    { routers: [identityRouter(deps, staffSignInLimit), sessions], routes: [...identityRoutes, ...sessionsRoutes] },
    { routers: [auditRouter({ pool: deps.pool, readPool: deps.readPool, authenticate: auth })], routes: auditRoutes },
  ];
}
