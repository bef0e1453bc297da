import { sealSecret } from '@jab/auth';
import type { OtpAccepted, OtpRequest, OtpRequestedEvent, SessionRequest, SessionTokens } from '@jab/contracts';
import { withTransaction } from '@jab/db';
import { Unauthorized } from '@jab/http';
import type { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { codeHash, destinationHash, generateCode, newRefreshToken, normalizeContact, refreshTokenHash } from './credentials.js';
import type { IdentitySecrets } from './secrets.js';
import {
  attemptOtpCode,
  findOrCreateAccount,
  findRefreshToken,
  insertRefreshToken,
  revokeFamily,
  useRefreshToken,
  writeOtpCode,
} from './sessions.repo.js';
import { CITIZEN_TOKEN_TTL_SECONDS, issueCitizenToken, type TokenDeps } from './tokens.js';

export interface SessionDeps extends TokenDeps {
  pool: Pool;
  secrets: IdentitySecrets;
  otpTtlSeconds: number;
  refreshTtlDays: number;
  /** Wakes the outbox relay after a commit that wrote an event without a NOTIFY (the pool's `outboxSignal`). */
  wakeRelay: () => void;
}

/**
 * Sends a sign-in code to any well-formed contact, known or not, so the answer never
 * tells whether an account exists. The code leaves only sealed, inside `otp.requested`,
 * written in the same statement as its hash.
 */
export async function requestOtp(deps: SessionDeps, input: OtpRequest): Promise<OtpAccepted> {
  const contact = normalizeContact(input.contact);
  const destination = destinationHash(deps.secrets.otpHashKey, contact);
  const code = generateCode();
  const sealedCode = await sealSecret(code, deps.secrets.otpSealingKey);
  const otpId = uuidv7();
  // expiresAt and preferredLanguage are filled in by the statement that stores the code.
  const event: OtpRequestedEvent = {
    id: uuidv7(),
    type: 'otp.requested',
    v: 1,
    occurredAt: new Date().toISOString(),
    source: 'registration',
    data: { otpId, destination: contact, preferredLanguage: 'en', sealedCode, expiresAt: '', purpose: 'login' },
  };
  await writeOtpCode(
    deps.pool,
    {
      id: otpId,
      destinationHash: destination,
      codeHash: codeHash(deps.secrets.otpHashKey, destination, code),
      ttlSeconds: deps.otpTtlSeconds,
      contact,
      language: input.preferredLanguage,
    },
    { id: event.id, type: event.type, payload: event, occurredAt: event.occurredAt },
  );
  deps.wakeRelay();
  return { expiresInSeconds: deps.otpTtlSeconds };
}

const wrongCode = () => new Unauthorized('The code is wrong or has expired; request a new one.');
const badRefresh = () => new Unauthorized('The refresh token is invalid; sign in again.');

/** Exchanges a live code for tokens, creating the household account on the first sign-in. */
export async function signInWithCode(deps: SessionDeps, input: SessionRequest): Promise<SessionTokens> {
  const contact = normalizeContact(input.contact);
  const destination = destinationHash(deps.secrets.otpHashKey, contact);
  const refresh = newRefreshToken();
  // A wrong guess must still commit its spent attempt: decide inside, throw after commit.
  const accountId = await withTransaction(deps.pool, async (db) => {
    if (!(await attemptOtpCode(db, destination, codeHash(deps.secrets.otpHashKey, destination, input.code)))) return undefined;
    const id = await findOrCreateAccount(db, uuidv7(), contact);
    await insertRefreshToken(db, { id: uuidv7(), familyId: uuidv7(), accountId: id, hash: refresh.hash, ttlDays: deps.refreshTtlDays });
    return id;
  });
  if (!accountId) throw wrongCode();
  return { accessToken: await issueCitizenToken(deps, accountId), refreshToken: refresh.token, expiresIn: CITIZEN_TOKEN_TTL_SECONDS };
}

/**
 * Rotates a refresh token. Presenting one that was already rotated means two parties
 * hold the family (a stolen copy): the whole family is revoked, the thief's and the
 * owner's tokens alike, and the owner signs in again.
 */
export async function refreshSession(deps: SessionDeps, token: string): Promise<SessionTokens> {
  const hash = refreshTokenHash(token);
  const next = newRefreshToken();
  const accountId = await withTransaction(deps.pool, async (db) => {
    const used = await useRefreshToken(db, hash);
    if (used) {
      await insertRefreshToken(db, { id: uuidv7(), familyId: used.familyId, accountId: used.accountId, hash: next.hash, ttlDays: deps.refreshTtlDays });
      return used.accountId;
    }
    const known = await findRefreshToken(db, hash);
    if (known?.used) await revokeFamily(db, known.familyId);
    return undefined;
  });
  if (!accountId) throw badRefresh();
  return { accessToken: await issueCitizenToken(deps, accountId), refreshToken: next.token, expiresIn: CITIZEN_TOKEN_TTL_SECONDS };
}

/** Signs out: the token's whole family stops refreshing. Unknown tokens are ignored (idempotent). */
export async function endSession(deps: SessionDeps, token: string): Promise<void> {
  const known = await findRefreshToken(deps.pool, refreshTokenHash(token));
  if (known) await revokeFamily(deps.pool, known.familyId);
}
