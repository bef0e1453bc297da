-- Up Migration
-- Every staff read or change of a person's data: who (staff id, role and scope as
-- their token stated it), what (registrant, action), why (their stated reason), when.
-- Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, so a bug cannot rewrite history.
CREATE TABLE registration.access_log (
  id uuid PRIMARY KEY,
  registrant_id uuid NOT NULL REFERENCES registration.registrants (id),
  actor_id uuid NOT NULL,
  actor_role text NOT NULL CHECK (actor_role IN ('staff', 'center-admin', 'national-admin')),
  actor_center_id uuid,
  actor_region text CHECK (actor_region IS NULL OR actor_region ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$'),
  action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.-]{1,62}$'),
  reason text NOT NULL CHECK (length(reason) BETWEEN 3 AND 200),
  occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_log_registrant_idx ON registration.access_log (registrant_id, occurred_at DESC);
CREATE INDEX access_log_actor_idx ON registration.access_log (actor_id, occurred_at DESC);

CREATE FUNCTION registration.access_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'registration.access_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER access_log_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON registration.access_log
  FOR EACH STATEMENT EXECUTE FUNCTION registration.access_log_append_only();

-- Down Migration
DROP TABLE registration.access_log;
DROP FUNCTION registration.access_log_append_only();
