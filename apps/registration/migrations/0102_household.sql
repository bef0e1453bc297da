-- Up Migration
-- One household account manages at most 4 people. The count is kept by a trigger on
-- registrants and bounded by a CHECK: the UPDATE row-locks the account, so concurrent
-- additions queue behind each other and the fifth fails whatever path inserted it.
ALTER TABLE registration.accounts
  ADD COLUMN member_count integer NOT NULL DEFAULT 0,
  ADD CONSTRAINT accounts_member_count_check CHECK (member_count BETWEEN 0 AND 4);

UPDATE registration.accounts a
   SET member_count = (SELECT count(*) FROM registration.registrants r WHERE r.account_id = a.id);

CREATE FUNCTION registration.count_household_members() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.account_id = OLD.account_id THEN
    RETURN NULL;
  END IF;
  -- Leave the old household before joining the new one, so a move never counts twice.
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE registration.accounts SET member_count = member_count - 1, updated_at = now() WHERE id = OLD.account_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE registration.accounts SET member_count = member_count + 1, updated_at = now() WHERE id = NEW.account_id;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER registrants_count_household_members
  AFTER INSERT OR DELETE OR UPDATE OF account_id ON registration.registrants
  FOR EACH ROW EXECUTE FUNCTION registration.count_household_members();

-- National ID: an HMAC-SHA256 (NATIONAL_ID_HASH_KEY) for de-duplication and an
-- AES-256-GCM ciphertext (NATIONAL_ID_ENC_KEY, bound to the registrant id); never clear text.
ALTER TABLE registration.registrants
  ADD COLUMN national_id_hash bytea CHECK (length(national_id_hash) = 32),
  ADD COLUMN national_id_enc bytea CHECK (length(national_id_enc) BETWEEN 30 AND 128),
  ADD CONSTRAINT registrants_national_id_both CHECK ((national_id_hash IS NULL) = (national_id_enc IS NULL)),
  ADD CONSTRAINT registrants_national_id_unique UNIQUE (national_id_hash);

-- Down Migration
ALTER TABLE registration.registrants
  DROP CONSTRAINT registrants_national_id_unique,
  DROP CONSTRAINT registrants_national_id_both,
  DROP COLUMN national_id_enc,
  DROP COLUMN national_id_hash;
DROP TRIGGER registrants_count_household_members ON registration.registrants;
DROP FUNCTION registration.count_household_members();
ALTER TABLE registration.accounts DROP CONSTRAINT accounts_member_count_check, DROP COLUMN member_count;
