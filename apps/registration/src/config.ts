import { baseConfigSchema } from '@jab/config';
import { z } from 'zod';

export const registrationConfig = baseConfigSchema
  .extend({
    /** ES256 private key (JWK JSON) that signs every Jab token; from Secrets Manager in AWS. */
    JWT_PRIVATE_JWK: z.string().optional(),
    JWT_KEY_ID: z.string().default('jab-1'),
    /** `allow`: sign with a key generated at start (local stacks only, never in AWS). */
    JWT_EPHEMERAL_KEY: z.enum(['allow', 'deny']).default('deny'),
  })
  .refine((c) => c.JWT_PRIVATE_JWK !== undefined || c.NODE_ENV !== 'production' || c.JWT_EPHEMERAL_KEY === 'allow', {
    path: ['JWT_PRIVATE_JWK'],
    message: 'is required in production (or JWT_EPHEMERAL_KEY=allow for a local stack)',
  });
export type RegistrationConfig = z.infer<typeof registrationConfig>;
