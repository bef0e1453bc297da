-- Up Migration
-- One-time sign-in codes. Neither the code nor the destination is stored in clear:
-- both are HMAC-SHA256 under OTP_HASH_KEY, so a database dump gives an attacker
-- neither the codes nor who asked for them.
CREATE TABLE registration.otp_codes (
  id uuid PRIMARY KEY,
  destination_hash bytea NOT NULL CHECK (length(destination_hash) = 32),
  code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
  -- The lockout lives in the database: no path can try a sixth guess.
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 5),
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT otp_codes_expiry_after_creation CHECK (expires_at > created_at),
  CONSTRAINT otp_codes_consumed_in_time CHECK (consumed_at IS NULL OR consumed_at <= expires_at)
);
CREATE INDEX otp_codes_destination_idx ON registration.otp_codes (destination_hash, created_at DESC);

-- Opaque refresh tokens (SHA-256 at rest), rotated on every use. Every token of one
-- sign-in shares a family: presenting a token that was already used revokes the family.
CREATE TABLE registration.refresh_tokens (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL,
  account_id uuid NOT NULL REFERENCES registration.accounts (id),
  token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT refresh_tokens_hash_unique UNIQUE (token_hash),
  CONSTRAINT refresh_tokens_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX refresh_tokens_family_idx ON registration.refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account_idx ON registration.refresh_tokens (account_id);

-- The center a staff account works at; it goes into their tokens as `centerId`.
-- (Centers are created by a later migration; the link is checked there.)
ALTER TABLE registration.staff_accounts ADD COLUMN center_id uuid;

-- Down Migration
ALTER TABLE registration.staff_accounts DROP COLUMN center_id;
DROP TABLE registration.refresh_tokens;
DROP TABLE registration.otp_codes;
