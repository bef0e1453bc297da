-- Up Migration
CREATE TABLE registration.accounts (
  id uuid PRIMARY KEY,
  contact_channel text NOT NULL CHECK (contact_channel IN ('email', 'sms')),
  contact_address text NOT NULL CHECK (length(contact_address) BETWEEN 3 AND 254),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT accounts_contact_unique UNIQUE (contact_channel, contact_address)
);

CREATE TABLE registration.registrants (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES registration.accounts (id),
  full_name text NOT NULL CHECK (length(full_name) BETWEEN 2 AND 200),
  birth_date date NOT NULL CHECK (birth_date >= DATE '1900-01-01'),
  region text NOT NULL CHECK (region ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$'),
  preferred_language text NOT NULL CHECK (preferred_language IN ('en', 'es', 'fr', 'hi', 'ar')),
  sex text NOT NULL DEFAULT 'unknown' CHECK (sex IN ('female', 'male', 'other', 'unknown')),
  version integer NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registrants_account_idx ON registration.registrants (account_id);

CREATE TABLE registration.staff_accounts (
  id uuid PRIMARY KEY,
  email text NOT NULL CHECK (email = lower(email)),
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('staff', 'center-admin', 'national-admin')),
  region text CHECK (region IS NULL OR region ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT staff_accounts_email_unique UNIQUE (email)
);

-- Down Migration
DROP TABLE registration.staff_accounts;
DROP TABLE registration.registrants;
DROP TABLE registration.accounts;
