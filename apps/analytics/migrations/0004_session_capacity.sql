-- Up Migration

-- Seats per session (a day of slots at a center), from `session.scheduled`: what
-- utilization compares bookings with. Written once per session (idempotent).
CREATE TABLE analytics.sessions (
  session_id uuid PRIMARY KEY,
  center_id uuid NOT NULL,
  region text NOT NULL,
  vaccine_id uuid NOT NULL,
  day date NOT NULL,
  capacity integer NOT NULL CHECK (capacity >= 0)
);
CREATE INDEX sessions_center_day_idx ON analytics.sessions (center_id, day);

-- Down Migration

DROP TABLE analytics.sessions;
