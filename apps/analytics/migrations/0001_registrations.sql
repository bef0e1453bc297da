-- Up Migration
-- Every consumed event id, so a redelivered event is counted once.
CREATE TABLE analytics.processed_events (
  event_id uuid PRIMARY KEY,
  event_type text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE analytics.daily_registrations (
  day date NOT NULL,
  region text NOT NULL,
  age_band text NOT NULL,
  registrations integer NOT NULL CHECK (registrations >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (day, region, age_band)
);

-- Down Migration
DROP TABLE analytics.daily_registrations;
DROP TABLE analytics.processed_events;
