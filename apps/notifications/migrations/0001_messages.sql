-- Up Migration
CREATE TABLE notifications.messages (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL,
  registrant_id uuid,
  template text NOT NULL,
  language text NOT NULL CHECK (language IN ('en', 'es', 'fr', 'hi', 'ar')),
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'sink')),
  status text NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'failed', 'dead')),
  -- One message per (source event, template): a redelivered event never sends twice.
  dedup_key text NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- A worker holds the message while sending; another may take it only after the lease.
  claimed_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  CONSTRAINT messages_dedup_unique UNIQUE (dedup_key),
  CONSTRAINT messages_sent_at_present CHECK (status NOT IN ('sent', 'delivered') OR sent_at IS NOT NULL)
);
CREATE INDEX messages_account_idx ON notifications.messages (account_id, created_at DESC);

-- Down Migration
DROP TABLE notifications.messages;
