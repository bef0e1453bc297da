-- Up Migration
CREATE TABLE registration.vaccines (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 2 AND 100),
  manufacturer text NOT NULL CHECK (length(manufacturer) BETWEEN 2 AND 100),
  series_doses integer NOT NULL CHECK (series_doses BETWEEN 1 AND 10),
  min_interval_days integer NOT NULL CHECK (min_interval_days BETWEEN 0 AND 3650),
  min_age_years integer NOT NULL CHECK (min_age_years BETWEEN 0 AND 130),
  max_age_years integer CHECK (max_age_years BETWEEN 0 AND 130),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT vaccines_name_unique UNIQUE (name),
  CONSTRAINT vaccines_age_range CHECK (max_age_years IS NULL OR max_age_years >= min_age_years)
);

CREATE TABLE registration.campaigns (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  -- [{ "minAge": 18, "maxAge": 44 }, …]; ages in completed years, maxAge null = no upper bound.
  target_age_bands jsonb NOT NULL CHECK (jsonb_typeof(target_age_bands) = 'array' AND jsonb_array_length(target_age_bands) > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT campaigns_dates CHECK (ends_on >= starts_on)
);

CREATE TABLE registration.campaign_vaccines (
  campaign_id uuid NOT NULL REFERENCES registration.campaigns (id) ON DELETE CASCADE,
  vaccine_id uuid NOT NULL REFERENCES registration.vaccines (id),
  PRIMARY KEY (campaign_id, vaccine_id)
);
CREATE INDEX campaign_vaccines_vaccine_idx ON registration.campaign_vaccines (vaccine_id);

CREATE TABLE registration.campaign_regions (
  campaign_id uuid NOT NULL REFERENCES registration.campaigns (id) ON DELETE CASCADE,
  region text NOT NULL CHECK (region ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$'),
  PRIMARY KEY (campaign_id, region)
);
CREATE INDEX campaign_regions_region_idx ON registration.campaign_regions (region);

CREATE TABLE registration.lots (
  id uuid PRIMARY KEY,
  vaccine_id uuid NOT NULL REFERENCES registration.vaccines (id),
  lot_number text NOT NULL CHECK (lot_number ~ '^[A-Za-z0-9-]{2,40}$'),
  expires_on date NOT NULL,
  recalled boolean NOT NULL DEFAULT false,
  recall_reason text CHECK (recall_reason IS NULL OR length(recall_reason) BETWEEN 3 AND 500),
  recalled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT lots_number_unique UNIQUE (vaccine_id, lot_number),
  CONSTRAINT lots_recall_complete CHECK (
    (recalled AND recall_reason IS NOT NULL AND recalled_at IS NOT NULL)
    OR (NOT recalled AND recall_reason IS NULL AND recalled_at IS NULL))
);

CREATE TABLE registration.centers (
  id uuid PRIMARY KEY,
  names jsonb NOT NULL CHECK (jsonb_typeof(names) = 'object' AND names ? 'en'),
  address text NOT NULL CHECK (length(address) BETWEEN 5 AND 500),
  region text NOT NULL CHECK (region ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$'),
  latitude double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  languages text[] NOT NULL CHECK (cardinality(languages) > 0 AND languages <@ ARRAY['en', 'es', 'fr', 'hi', 'ar']),
  time_zone text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
  -- [{ "day": "mon", "opens": "09:00", "closes": "17:00" }, …]
  opening_hours jsonb NOT NULL CHECK (jsonb_typeof(opening_hours) = 'array'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX centers_region_idx ON registration.centers (region);

CREATE TABLE registration.center_vaccines (
  center_id uuid NOT NULL REFERENCES registration.centers (id) ON DELETE CASCADE,
  vaccine_id uuid NOT NULL REFERENCES registration.vaccines (id),
  PRIMARY KEY (center_id, vaccine_id)
);

CREATE TABLE registration.sessions (
  id uuid PRIMARY KEY,
  center_id uuid NOT NULL REFERENCES registration.centers (id),
  vaccine_id uuid NOT NULL REFERENCES registration.vaccines (id),
  -- The center's local calendar day and wall-clock times; slots hold the UTC instants.
  session_date date NOT NULL,
  starts_local time NOT NULL,
  ends_local time NOT NULL,
  slot_minutes integer NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
  capacity_dose1 integer NOT NULL CHECK (capacity_dose1 >= 0),
  capacity_later integer NOT NULL CHECK (capacity_later >= 0),
  walk_in_quota integer NOT NULL CHECK (walk_in_quota >= 0),
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sessions_times CHECK (ends_local > starts_local),
  CONSTRAINT sessions_unique UNIQUE (center_id, vaccine_id, session_date, starts_local)
);

CREATE TABLE registration.slots (
  id uuid PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES registration.sessions (id),
  center_id uuid NOT NULL REFERENCES registration.centers (id),
  vaccine_id uuid NOT NULL REFERENCES registration.vaccines (id),
  local_date date NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  capacity_dose1 integer NOT NULL CHECK (capacity_dose1 >= 0),
  capacity_later integer NOT NULL CHECK (capacity_later >= 0),
  walk_in_quota integer NOT NULL CHECK (walk_in_quota >= 0),
  booked_dose1 integer NOT NULL DEFAULT 0,
  booked_later integer NOT NULL DEFAULT 0,
  booked_walk_in integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT slots_times CHECK (ends_at > starts_at),
  -- The last line of defence for capacity: no code path can overbook a slot.
  CONSTRAINT slots_dose1_capacity CHECK (booked_dose1 BETWEEN 0 AND capacity_dose1),
  CONSTRAINT slots_later_capacity CHECK (booked_later BETWEEN 0 AND capacity_later),
  CONSTRAINT slots_walk_in_capacity CHECK (booked_walk_in BETWEEN 0 AND walk_in_quota)
);
CREATE INDEX slots_center_day_idx ON registration.slots (center_id, local_date, starts_at);
CREATE INDEX slots_session_idx ON registration.slots (session_id);

-- Down Migration
DROP TABLE registration.slots;
DROP TABLE registration.sessions;
DROP TABLE registration.center_vaccines;
DROP TABLE registration.centers;
DROP TABLE registration.lots;
DROP TABLE registration.campaign_regions;
DROP TABLE registration.campaign_vaccines;
DROP TABLE registration.campaigns;
DROP TABLE registration.vaccines;
