-- Up Migration
-- Counting once per event (0001) is wrong as soon as events arrive out of order or
-- change earlier facts (a cancellation, a reschedule, a registrant moving region).
-- Events now upsert facts keyed by business id; statement-level triggers keep the
-- rollups equal to "count of the facts", whatever the order or the number of
-- deliveries. Nothing of 0001 is deployed anywhere permanent: its counters are
-- dropped and the processed ids forgotten so that a replay rebuilds the facts.
DROP TABLE analytics.daily_registrations;
TRUNCATE analytics.processed_events;

-- ---------- facts ----------

CREATE TABLE analytics.registrants (
  registrant_id uuid PRIMARY KEY,
  -- Monotonic record version from registration: an older event never overwrites a newer one.
  version integer NOT NULL CHECK (version > 0),
  region text NOT NULL,
  age_band text NOT NULL,
  sex text NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
  birth_year integer NOT NULL,
  -- Null until `registrant.registered` arrives (an update may come first).
  registered_on date,
  deleted boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE analytics.appointments (
  appointment_id uuid PRIMARY KEY,
  registrant_id uuid NOT NULL,
  vaccine_id uuid NOT NULL,
  dose_number integer NOT NULL CHECK (dose_number > 0),
  center_id uuid NOT NULL,
  region text NOT NULL,
  slot_id uuid NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  -- When the current place was decided (booked, rescheduled or cancelled at): the latest wins.
  place_at timestamptz NOT NULL,
  booked_at timestamptz,
  age_band text,
  sex text CHECK (sex IN ('female', 'male', 'other', 'unknown')),
  walk_in boolean,
  cancelled_at timestamptz,
  cancel_reason text CHECK (cancel_reason IN ('citizen', 'staff', 'center-closed', 'no-show')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at >= starts_at),
  CHECK ((cancelled_at IS NULL) = (cancel_reason IS NULL))
);
-- No-shows are computed at read time over ended, active appointments.
CREATE INDEX appointments_active_ends_at ON analytics.appointments (ends_at) WHERE cancelled_at IS NULL;
CREATE INDEX appointments_no_show_reason ON analytics.appointments (starts_at) WHERE cancel_reason = 'no-show';

-- Check-ins carry no place, so they are kept apart (an appointment row needs one).
CREATE TABLE analytics.check_ins (
  appointment_id uuid PRIMARY KEY,
  center_id uuid NOT NULL,
  region text NOT NULL,
  checked_in_at timestamptz NOT NULL
);

-- Doses are immutable facts: a dose id is recorded once.
CREATE TABLE analytics.doses (
  dose_id uuid PRIMARY KEY,
  registrant_id uuid NOT NULL,
  appointment_id uuid,
  center_id uuid NOT NULL,
  region text NOT NULL,
  vaccine_id uuid NOT NULL,
  lot_number text NOT NULL,
  dose_number integer NOT NULL CHECK (dose_number > 0),
  series_doses integer NOT NULL CHECK (series_doses > 0),
  series_complete boolean NOT NULL,
  administered_at timestamptz NOT NULL,
  age_band text NOT NULL,
  sex text NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX doses_appointment ON analytics.doses (appointment_id) WHERE appointment_id IS NOT NULL;
CREATE INDEX doses_registrant ON analytics.doses (registrant_id);
CREATE INDEX doses_administered_at ON analytics.doses (administered_at);
CREATE INDEX doses_lot ON analytics.doses (lot_number, vaccine_id);

CREATE TABLE analytics.aefi_reports (
  aefi_id uuid PRIMARY KEY,
  dose_id uuid NOT NULL,
  registrant_id uuid NOT NULL,
  vaccine_id uuid NOT NULL,
  lot_number text NOT NULL,
  region text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe', 'life-threatening', 'death')),
  onset_date date NOT NULL,
  reported_by text NOT NULL CHECK (reported_by IN ('citizen', 'staff')),
  reported_at timestamptz NOT NULL
);
CREATE INDEX aefi_reports_lot ON analytics.aefi_reports (lot_number, vaccine_id);
CREATE INDEX aefi_reports_reported_at ON analytics.aefi_reports (reported_at);

CREATE TABLE analytics.recalled_lots (
  vaccine_id uuid NOT NULL,
  lot_number text NOT NULL,
  recalled_at timestamptz NOT NULL,
  PRIMARY KEY (vaccine_id, lot_number)
);

-- Labels for dashboards (names travel in events; last one seen wins).
CREATE TABLE analytics.vaccines (
  vaccine_id uuid PRIMARY KEY,
  name text NOT NULL CHECK (name <> '')
);
CREATE TABLE analytics.centers (
  center_id uuid PRIMARY KEY,
  name text NOT NULL CHECK (name <> ''),
  region text NOT NULL
);

-- Target population per region and age band, loaded from a CSV (`load-population`).
CREATE TABLE analytics.target_population (
  region text NOT NULL,
  age_band text NOT NULL,
  population bigint NOT NULL CHECK (population >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (region, age_band)
);

-- ---------- rollups (maintained by the triggers below, never written by the app) ----------

CREATE TABLE analytics.registrations_daily (
  day date NOT NULL,
  region text NOT NULL,
  age_band text NOT NULL,
  sex text NOT NULL,
  registrations integer NOT NULL DEFAULT 0 CHECK (registrations >= 0),
  PRIMARY KEY (day, region, age_band, sex)
);

-- Each measure is dated by its own event: booked by booked_at, cancelled by
-- cancelled_at, scheduled by the slot's start, administered by the dose's time.
CREATE TABLE analytics.center_daily (
  day date NOT NULL,
  region text NOT NULL,
  center_id uuid NOT NULL,
  vaccine_id uuid NOT NULL,
  dose_number integer NOT NULL,
  booked integer NOT NULL DEFAULT 0 CHECK (booked >= 0),
  cancelled integer NOT NULL DEFAULT 0 CHECK (cancelled >= 0),
  scheduled integer NOT NULL DEFAULT 0 CHECK (scheduled >= 0),
  administered integer NOT NULL DEFAULT 0 CHECK (administered >= 0),
  PRIMARY KEY (day, region, center_id, vaccine_id, dose_number)
);

CREATE TABLE analytics.doses_daily (
  day date NOT NULL,
  region text NOT NULL,
  vaccine_id uuid NOT NULL,
  dose_number integer NOT NULL,
  age_band text NOT NULL,
  sex text NOT NULL,
  doses integer NOT NULL DEFAULT 0 CHECK (doses >= 0),
  PRIMARY KEY (day, region, vaccine_id, dose_number, age_band, sex)
);

-- Deltas are applied in two steps because a CHECK (n >= 0) is evaluated on the row
-- an upsert proposes, before the conflict turns it into an update: first make every
-- touched row exist and lock it in key order (no deadlocks between concurrent
-- events), then add the net deltas.
CREATE TYPE analytics.registration_delta AS (day date, region text, age_band text, sex text, registrations integer);
CREATE TYPE analytics.center_delta AS (
  day date, region text, center_id uuid, vaccine_id uuid, dose_number integer,
  booked integer, cancelled integer, scheduled integer, administered integer
);
CREATE TYPE analytics.dose_delta AS (
  day date, region text, vaccine_id uuid, dose_number integer, age_band text, sex text, doses integer
);

CREATE FUNCTION analytics.apply_registration_deltas(deltas analytics.registration_delta[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO analytics.registrations_daily AS t (day, region, age_band, sex)
  SELECT DISTINCT d.day, d.region, d.age_band, d.sex FROM unnest(deltas) d ORDER BY 1, 2, 3, 4
  ON CONFLICT (day, region, age_band, sex) DO UPDATE SET registrations = t.registrations;
  UPDATE analytics.registrations_daily t SET registrations = t.registrations + d.n
    FROM (SELECT day, region, age_band, sex, sum(registrations)::int AS n FROM unnest(deltas) GROUP BY 1, 2, 3, 4) d
   WHERE t.day = d.day AND t.region = d.region AND t.age_band = d.age_band AND t.sex = d.sex AND d.n <> 0;
$$;

CREATE FUNCTION analytics.apply_center_deltas(deltas analytics.center_delta[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO analytics.center_daily AS t (day, region, center_id, vaccine_id, dose_number)
  SELECT DISTINCT d.day, d.region, d.center_id, d.vaccine_id, d.dose_number FROM unnest(deltas) d ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (day, region, center_id, vaccine_id, dose_number) DO UPDATE SET booked = t.booked;
  UPDATE analytics.center_daily t
     SET booked = t.booked + d.booked, cancelled = t.cancelled + d.cancelled,
         scheduled = t.scheduled + d.scheduled, administered = t.administered + d.administered
    FROM (SELECT day, region, center_id, vaccine_id, dose_number,
                 sum(booked)::int AS booked, sum(cancelled)::int AS cancelled,
                 sum(scheduled)::int AS scheduled, sum(administered)::int AS administered
            FROM unnest(deltas) GROUP BY 1, 2, 3, 4, 5) d
   WHERE t.day = d.day AND t.region = d.region AND t.center_id = d.center_id
     AND t.vaccine_id = d.vaccine_id AND t.dose_number = d.dose_number;
$$;

CREATE FUNCTION analytics.apply_dose_deltas(deltas analytics.dose_delta[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO analytics.doses_daily AS t (day, region, vaccine_id, dose_number, age_band, sex)
  SELECT DISTINCT d.day, d.region, d.vaccine_id, d.dose_number, d.age_band, d.sex FROM unnest(deltas) d ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, region, vaccine_id, dose_number, age_band, sex) DO UPDATE SET doses = t.doses;
  UPDATE analytics.doses_daily t SET doses = t.doses + d.n
    FROM (SELECT day, region, vaccine_id, dose_number, age_band, sex, sum(doses)::int AS n
            FROM unnest(deltas) GROUP BY 1, 2, 3, 4, 5, 6) d
   WHERE t.day = d.day AND t.region = d.region AND t.vaccine_id = d.vaccine_id
     AND t.dose_number = d.dose_number AND t.age_band = d.age_band AND t.sex = d.sex;
$$;

-- A registrant counts once, on the day they registered, under their current region,
-- age band and sex; removed people do not count.
CREATE FUNCTION analytics.registrants_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  deltas analytics.registration_delta[];
BEGIN
  -- plpgsql plans a statement when it first runs it, so the INSERT trigger (which has
  -- no old_rows) never plans the UPDATE branch.
  IF TG_OP = 'INSERT' THEN
    deltas := ARRAY(
      SELECT ROW(c.registered_on, c.region, c.age_band, c.sex, count(*)::int)::analytics.registration_delta
        FROM new_rows c WHERE c.registered_on IS NOT NULL AND NOT c.deleted
       GROUP BY c.registered_on, c.region, c.age_band, c.sex);
  ELSE
    deltas := ARRAY(
      SELECT ROW(c.registered_on, c.region, c.age_band, c.sex, sum(c.n)::int)::analytics.registration_delta
        FROM (SELECT registered_on, region, age_band, sex, 1 AS n FROM new_rows WHERE registered_on IS NOT NULL AND NOT deleted
              UNION ALL
              SELECT registered_on, region, age_band, sex, -1 FROM old_rows WHERE registered_on IS NOT NULL AND NOT deleted) c
       GROUP BY c.registered_on, c.region, c.age_band, c.sex
      HAVING sum(c.n) <> 0);
  END IF;
  PERFORM analytics.apply_registration_deltas(deltas);
  RETURN NULL;
END $$;
CREATE TRIGGER registrants_inserted AFTER INSERT ON analytics.registrants
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics.registrants_changed();
CREATE TRIGGER registrants_updated AFTER UPDATE ON analytics.registrants
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics.registrants_changed();

-- What one appointment row contributes: a booking on its booked day (once the booking
-- is known), a cancellation on its cancelled day (no-show cancellations are counted as
-- no-shows instead), and a scheduled visit on its slot's day while it is not cancelled.
CREATE FUNCTION analytics.appointments_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  deltas analytics.center_delta[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    deltas := ARRAY(
      SELECT ROW(c.day, c.region, c.center_id, c.vaccine_id, c.dose_number,
                 sum(c.booked)::int, sum(c.cancelled)::int, sum(c.scheduled)::int, 0)::analytics.center_delta
        FROM (SELECT (booked_at AT TIME ZONE 'UTC')::date AS day, region, center_id, vaccine_id, dose_number, 1 AS booked, 0 AS cancelled, 0 AS scheduled
                FROM new_rows WHERE booked_at IS NOT NULL
              UNION ALL
              SELECT (cancelled_at AT TIME ZONE 'UTC')::date, region, center_id, vaccine_id, dose_number, 0, 1, 0
                FROM new_rows WHERE cancelled_at IS NOT NULL AND cancel_reason <> 'no-show'
              UNION ALL
              SELECT (starts_at AT TIME ZONE 'UTC')::date, region, center_id, vaccine_id, dose_number, 0, 0, 1
                FROM new_rows WHERE cancelled_at IS NULL) c
       GROUP BY c.day, c.region, c.center_id, c.vaccine_id, c.dose_number);
  ELSE
    deltas := ARRAY(
      SELECT ROW(c.day, c.region, c.center_id, c.vaccine_id, c.dose_number,
                 sum(c.booked)::int, sum(c.cancelled)::int, sum(c.scheduled)::int, 0)::analytics.center_delta
        FROM (SELECT (booked_at AT TIME ZONE 'UTC')::date AS day, region, center_id, vaccine_id, dose_number, s AS booked, 0 AS cancelled, 0 AS scheduled
                FROM (SELECT *, 1 AS s FROM new_rows UNION ALL SELECT *, -1 FROM old_rows) r WHERE booked_at IS NOT NULL
              UNION ALL
              SELECT (cancelled_at AT TIME ZONE 'UTC')::date, region, center_id, vaccine_id, dose_number, 0, s, 0
                FROM (SELECT *, 1 AS s FROM new_rows UNION ALL SELECT *, -1 FROM old_rows) r
               WHERE cancelled_at IS NOT NULL AND cancel_reason <> 'no-show'
              UNION ALL
              SELECT (starts_at AT TIME ZONE 'UTC')::date, region, center_id, vaccine_id, dose_number, 0, 0, s
                FROM (SELECT *, 1 AS s FROM new_rows UNION ALL SELECT *, -1 FROM old_rows) r WHERE cancelled_at IS NULL) c
       GROUP BY c.day, c.region, c.center_id, c.vaccine_id, c.dose_number
      HAVING sum(c.booked) <> 0 OR sum(c.cancelled) <> 0 OR sum(c.scheduled) <> 0);
  END IF;
  PERFORM analytics.apply_center_deltas(deltas);
  RETURN NULL;
END $$;
CREATE TRIGGER appointments_inserted AFTER INSERT ON analytics.appointments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics.appointments_changed();
CREATE TRIGGER appointments_updated AFTER UPDATE ON analytics.appointments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics.appointments_changed();

CREATE FUNCTION analytics.doses_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics.apply_dose_deltas(ARRAY(
    SELECT ROW(c.day, c.region, c.vaccine_id, c.dose_number, c.age_band, c.sex, count(*)::int)::analytics.dose_delta
      FROM (SELECT (administered_at AT TIME ZONE 'UTC')::date AS day, * FROM new_rows) c
     GROUP BY c.day, c.region, c.vaccine_id, c.dose_number, c.age_band, c.sex));
  PERFORM analytics.apply_center_deltas(ARRAY(
    SELECT ROW(c.day, c.region, c.center_id, c.vaccine_id, c.dose_number, 0, 0, 0, count(*)::int)::analytics.center_delta
      FROM (SELECT (administered_at AT TIME ZONE 'UTC')::date AS day, * FROM new_rows) c
     GROUP BY c.day, c.region, c.center_id, c.vaccine_id, c.dose_number));
  RETURN NULL;
END $$;
CREATE TRIGGER doses_inserted AFTER INSERT ON analytics.doses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics.doses_inserted();

-- A dose is a fact once recorded: rollups assume it never changes or disappears.
CREATE FUNCTION analytics.doses_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'analytics.doses rows are immutable';
END $$;
CREATE TRIGGER doses_immutable BEFORE UPDATE OR DELETE ON analytics.doses
  FOR EACH STATEMENT EXECUTE FUNCTION analytics.doses_immutable();

-- Down Migration
DROP TABLE analytics.doses_daily;
DROP TABLE analytics.center_daily;
DROP TABLE analytics.registrations_daily;
DROP TABLE analytics.target_population;
DROP TABLE analytics.centers;
DROP TABLE analytics.vaccines;
DROP TABLE analytics.recalled_lots;
DROP TABLE analytics.aefi_reports;
DROP TABLE analytics.doses;
DROP TABLE analytics.check_ins;
DROP TABLE analytics.appointments;
DROP TABLE analytics.registrants;
DROP FUNCTION analytics.doses_immutable();
DROP FUNCTION analytics.doses_inserted();
DROP FUNCTION analytics.appointments_changed();
DROP FUNCTION analytics.registrants_changed();
DROP FUNCTION analytics.apply_dose_deltas(analytics.dose_delta[]);
DROP FUNCTION analytics.apply_center_deltas(analytics.center_delta[]);
DROP FUNCTION analytics.apply_registration_deltas(analytics.registration_delta[]);
DROP TYPE analytics.dose_delta;
DROP TYPE analytics.center_delta;
DROP TYPE analytics.registration_delta;
CREATE TABLE analytics.daily_registrations (
  day date NOT NULL,
  region text NOT NULL,
  age_band text NOT NULL,
  registrations integer NOT NULL CHECK (registrations >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (day, region, age_band)
);
