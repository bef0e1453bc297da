-- Up Migration
-- A vaccine's CVX code (CDC), when it has one: FHIR exports and health cards carry it
-- beside Jab's own code, so verifiers outside Jab can name the vaccine.
ALTER TABLE registration.vaccines ADD COLUMN cvx_code text CHECK (cvx_code ~ '^[0-9]{1,3}$');

-- Every correction of a recorded dose: the fields before and after, who, why and when.
CREATE TABLE registration.dose_corrections (
  id uuid PRIMARY KEY,
  dose_id uuid NOT NULL REFERENCES registration.doses (id),
  before jsonb NOT NULL CHECK (jsonb_typeof(before) = 'object'),
  after jsonb NOT NULL CHECK (jsonb_typeof(after) = 'object'),
  reason text NOT NULL CHECK (length(reason) BETWEEN 3 AND 500),
  corrected_by uuid NOT NULL,
  corrected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dose_corrections_dose_idx ON registration.dose_corrections (dose_id, corrected_at);

-- SMART Health Cards, one per dose; a correction revokes the current one and points it
-- at its replacement. The JWS is kept as issued: it is what holders carry.
CREATE TABLE registration.certificates (
  id uuid PRIMARY KEY,
  dose_id uuid NOT NULL REFERENCES registration.doses (id),
  registrant_id uuid NOT NULL REFERENCES registration.registrants (id),
  kid text NOT NULL CHECK (kid ~ '^[A-Za-z0-9_-]{1,128}$'),
  jws text NOT NULL CHECK (jws ~ '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'),
  issued_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoke_reason text CHECK (revoke_reason IS NULL OR length(revoke_reason) BETWEEN 3 AND 500),
  replaced_by uuid REFERENCES registration.certificates (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT certificates_revocation_complete CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL)),
  CONSTRAINT certificates_replaced_when_revoked CHECK (replaced_by IS NULL OR revoked_at IS NOT NULL),
  CONSTRAINT certificates_not_replaced_by_itself CHECK (replaced_by IS DISTINCT FROM id)
);
-- At most one current (unrevoked) certificate per dose.
CREATE UNIQUE INDEX certificates_current_dose_unique ON registration.certificates (dose_id) WHERE revoked_at IS NULL;
CREATE INDEX certificates_registrant_idx ON registration.certificates (registrant_id, issued_at DESC);

-- What was signed stays signed, and a revocation is final: no code path can un-revoke a
-- certificate, re-point its replacement, rewrite its JWS or delete it.
CREATE FUNCTION registration.certificates_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'registration.certificates rows are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.id <> OLD.id OR NEW.dose_id <> OLD.dose_id OR NEW.registrant_id <> OLD.registrant_id OR NEW.kid <> OLD.kid
     OR NEW.jws <> OLD.jws OR NEW.issued_at <> OLD.issued_at
     OR (OLD.revoked_at IS NOT NULL AND (NEW.revoked_at IS DISTINCT FROM OLD.revoked_at OR NEW.revoke_reason IS DISTINCT FROM OLD.revoke_reason))
     OR (OLD.replaced_by IS NOT NULL AND NEW.replaced_by IS DISTINCT FROM OLD.replaced_by) THEN
    RAISE EXCEPTION 'an issued certificate is immutable and its revocation final' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER certificates_guard
  BEFORE UPDATE OR DELETE ON registration.certificates
  FOR EACH ROW EXECUTE FUNCTION registration.certificates_guard();

-- Down Migration
DROP TABLE registration.certificates;
DROP FUNCTION registration.certificates_guard();
DROP TABLE registration.dose_corrections;
ALTER TABLE registration.vaccines DROP COLUMN cvx_code;
