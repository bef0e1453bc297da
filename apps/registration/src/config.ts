import { baseConfigSchema } from '@jab/config';
import { z } from 'zod';

/** A 32-byte secret in base64url, as Secrets Manager hands it over (`openssl rand -base64 32 | tr '+/' '-_'`). */
const secretKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]+=*$/, { message: 'must be base64url', abort: true })
  .refine((s) => Buffer.from(s, 'base64url').length === 32, 'must be 32 random bytes in base64url');

const count = z.coerce.number().int().positive();

/**
 * Secrets that production must be given (each may come from a file: `NAME_FILE`, as the
 * compose stack does). Outside production a missing one is generated at start: see
 * identity/secrets.ts for what that costs.
 */
const SECRETS = ['JWT_PRIVATE_JWK', 'OTP_SEALING_KEY', 'OTP_HASH_KEY', 'NATIONAL_ID_HASH_KEY', 'NATIONAL_ID_ENC_KEY'] as const;

export const registrationConfig = baseConfigSchema
  .extend({
    /** ES256 private key (JWK JSON) that signs every Jab token; from Secrets Manager in AWS. */
    JWT_PRIVATE_JWK: z.string().optional(),
    JWT_KEY_ID: z.string().default('jab-1'),
    /** Seals one-time codes in `otp.requested` (JWE dir+A256GCM); notifications holds the same key. */
    OTP_SEALING_KEY: secretKey.optional(),
    /** HMAC pepper for one-time codes and destinations at rest, and rate-limit keys. */
    OTP_HASH_KEY: secretKey.optional(),
    /** HMAC key of national ID numbers (de-duplication). Rotating it breaks de-duplication. */
    NATIONAL_ID_HASH_KEY: secretKey.optional(),
    /** AES-256-GCM key of national ID numbers at rest. */
    NATIONAL_ID_ENC_KEY: secretKey.optional(),
    OTP_TTL_SECONDS: count.max(900).default(300),
    /** How long an API task may answer a center-day's availability from memory without hearing of a change (0: never). */
    AVAILABILITY_HOT_MAX_AGE_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
    /** Availability streams one API task keeps open (each a socket and a few KiB); beyond, 503 and the client retries elsewhere. */
    AVAILABILITY_MAX_WATCHERS: z.coerce.number().int().min(0).max(200_000).default(20_000),
    /** One window for every sign-in rate limit. */
    RATE_LIMIT_WINDOW_SECONDS: count.default(900),
    /** Codes sent to one phone or email per window. */
    OTP_RATE_PER_DESTINATION: count.default(3),
    /** Code requests, and code sign-ins, per client IP per window. */
    OTP_RATE_PER_IP: count.default(30),
    /** Registrations (`POST /registrants`, anonymous or into a household) per client IP per window. */
    REGISTRATION_RATE_PER_IP: count.default(30),
    /** Refused registrations (contact or national ID already registered, household full) per contact or household per window. */
    REGISTRATION_RATE_PER_CONTACT: count.default(3),
    /** Failed staff password sign-ins per email and IP per window. */
    STAFF_SIGNIN_RATE: count.default(5),
    REFRESH_TOKEN_TTL_DAYS: count.max(90).default(30),
    /**
     * The `iss` of every SMART Health Card: the public base of this API, under which
     * verifiers find `/.well-known/jwks.json`. The default is the `npm start` web proxy.
     */
    SHC_ISSUER_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .transform((url) => url.replace(/\/+$/, ''))
      .default('http://127.0.0.1:4200/api/registration/v1'),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV !== 'production') return;
    for (const key of SECRETS) {
      if (c[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production' });
    }
  });
export type RegistrationConfig = z.infer<typeof registrationConfig>;
