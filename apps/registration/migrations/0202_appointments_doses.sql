-- Up Migration
CREATE TABLE registration.appointments (
  id uuid PRIMARY KEY,
  code text NOT NULL CHECK (code ~ '^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$'),
  registrant_id uuid NOT NULL REFERENCES registration.registrants (id),
  slot_id uuid NOT NULL REFERENCES registration.slots (id),
  center_id uuid NOT NULL REFERENCES registration.centers (id),
  vaccine_id uuid NOT NULL REFERENCES registration.vaccines (id),
  dose_number integer NOT NULL CHECK (dose_number BETWEEN 1 AND 10),
  -- Which counter of the slot this booking holds, so cancel/reschedule release the right one.
  seat text NOT NULL CHECK (seat IN ('dose1', 'later', 'walk-in')),
  walk_in boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'checked_in', 'completed', 'cancelled')),
  booked_by uuid NOT NULL,
  booked_at timestamptz NOT NULL DEFAULT now(),
  checked_in_at timestamptz,
  checked_in_by uuid,
  cancelled_at timestamptz,
  cancel_reason text CHECK (cancel_reason IS NULL OR cancel_reason IN ('citizen', 'staff', 'center-closed', 'no-show')),
  completed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT appointments_code_unique UNIQUE (code),
  CONSTRAINT appointments_seat_matches CHECK (
    (walk_in AND seat = 'walk-in') OR (NOT walk_in AND seat = CASE WHEN dose_number = 1 THEN 'dose1' ELSE 'later' END)),
  CONSTRAINT appointments_cancel_complete CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL)),
  CONSTRAINT appointments_checked_in_complete CHECK (status NOT IN ('checked_in') OR checked_in_at IS NOT NULL)
);
-- One active booking per person per dose.
CREATE UNIQUE INDEX appointments_active_dose_unique
  ON registration.appointments (registrant_id, dose_number) WHERE status IN ('booked', 'checked_in');
CREATE INDEX appointments_slot_idx ON registration.appointments (slot_id);
CREATE INDEX appointments_registrant_idx ON registration.appointments (registrant_id);

-- Retried POSTs with the same Idempotency-Key replay the first response; scoped per caller.
CREATE TABLE registration.idempotency_keys (
  principal_id uuid NOT NULL,
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
  status_code integer NOT NULL CHECK (status_code BETWEEN 200 AND 299),
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal_id, key)
);

CREATE TABLE registration.doses (
  id uuid PRIMARY KEY,
  registrant_id uuid NOT NULL REFERENCES registration.registrants (id),
  appointment_id uuid REFERENCES registration.appointments (id),
  center_id uuid NOT NULL REFERENCES registration.centers (id),
  vaccine_id uuid NOT NULL REFERENCES registration.vaccines (id),
  lot_id uuid NOT NULL REFERENCES registration.lots (id),
  dose_number integer NOT NULL CHECK (dose_number BETWEEN 1 AND 10),
  site text NOT NULL CHECK (site IN ('left-arm', 'right-arm', 'left-thigh', 'right-thigh')),
  administered_at timestamptz NOT NULL,
  -- The center's local day of administration, from which the next dose's earliest date counts.
  administered_on date NOT NULL,
  administered_by uuid NOT NULL,
  next_dose_earliest date CHECK (next_dose_earliest IS NULL OR next_dose_earliest >= administered_on),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT doses_appointment_unique UNIQUE (appointment_id),
  CONSTRAINT doses_series_unique UNIQUE (registrant_id, vaccine_id, dose_number)
);
CREATE INDEX doses_lot_idx ON registration.doses (lot_id);

CREATE TABLE registration.adverse_events (
  id uuid PRIMARY KEY,
  dose_id uuid NOT NULL REFERENCES registration.doses (id),
  severity text NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe', 'life-threatening', 'death')),
  onset_date date NOT NULL,
  description text NOT NULL CHECK (length(description) BETWEEN 3 AND 2000),
  reported_by text NOT NULL CHECK (reported_by IN ('citizen', 'staff')),
  reporter_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX adverse_events_dose_idx ON registration.adverse_events (dose_id);

-- Down Migration
DROP TABLE registration.adverse_events;
DROP TABLE registration.doses;
DROP TABLE registration.idempotency_keys;
DROP TABLE registration.appointments;
