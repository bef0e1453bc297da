import type { ServiceContext } from '@jab/runtime';
import { randomBytes } from 'node:crypto';
import type { RegistrationConfig } from '../config.js';

/** The symmetric keys of the identity component, decoded once at start. */
export interface IdentitySecrets {
  otpSealingKey: Uint8Array;
  otpHashKey: Buffer;
  nationalIdHashKey: Buffer;
  nationalIdEncKey: Buffer;
}

type SecretName = 'OTP_SEALING_KEY' | 'OTP_HASH_KEY' | 'NATIONAL_ID_HASH_KEY' | 'NATIONAL_ID_ENC_KEY';

/**
 * The config refuses a missing key in production; elsewhere a fresh one is generated,
 * like the ephemeral JWT key. The cost is named in the warning: sealed codes cannot be
 * opened by a notifications process without the same key, and national IDs stored
 * under an earlier run neither decrypt nor de-duplicate.
 */
export function identitySecrets(config: RegistrationConfig, logger: Pick<ServiceContext<RegistrationConfig>['logger'], 'warn'>): IdentitySecrets {
  const key = (name: SecretName): Buffer => {
    const value = config[name];
    if (value !== undefined) return Buffer.from(value, 'base64url');
    logger.warn({ setting: name }, 'secret not set: using a key generated for this process only');
    return randomBytes(32);
  };
  return {
    otpSealingKey: new Uint8Array(key('OTP_SEALING_KEY')),
    otpHashKey: key('OTP_HASH_KEY'),
    nationalIdHashKey: key('NATIONAL_ID_HASH_KEY'),
    nationalIdEncKey: key('NATIONAL_ID_ENC_KEY'),
  };
}
