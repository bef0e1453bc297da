-- Up Migration

-- One-time codes go to a destination that may belong to no account yet.
ALTER TABLE notifications.messages ALTER COLUMN account_id DROP NOT NULL;
ALTER TABLE notifications.messages
  -- Explicit destination (one-time codes); other messages reach the account's known contacts.
  ADD COLUMN destination jsonb,
  -- What the template needs at send time. A one-time code is kept sealed here, never in clear,
  -- and removed once the message is sent or dead.
  ADD COLUMN params jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN priority smallint NOT NULL DEFAULT 3,
  ADD COLUMN provider_message_id text,
  ADD COLUMN delivered_at timestamptz,
  -- Set when a permanent failure moved the message to the other channel (at most once).
  ADD COLUMN fallback_from text CHECK (fallback_from IN ('email', 'sms')),
  ADD CONSTRAINT messages_recipient_present CHECK (account_id IS NOT NULL OR destination IS NOT NULL),
  ADD CONSTRAINT messages_fallback_elsewhere CHECK (fallback_from IS NULL OR fallback_from <> channel),
  ADD CONSTRAINT messages_priority_range CHECK (priority BETWEEN 1 AND 10),
  ADD CONSTRAINT messages_template_known CHECK (template IN (
    'welcome', 'otp', 'booking_confirmed', 'appointment_cancelled', 'appointment_rescheduled',
    'reminder_24h', 'reminder_2h', 'second_dose_due', 'certificate_ready', 'lot_recalled')),
  ADD CONSTRAINT messages_delivered_at_present CHECK (status <> 'delivered' OR delivered_at IS NOT NULL),
  -- A dead message says why; support reads it instead of digging through logs.
  ADD CONSTRAINT messages_dead_has_reason CHECK (status <> 'dead' OR last_error IS NOT NULL);
CREATE INDEX messages_registrant_idx ON notifications.messages (registrant_id, created_at DESC) WHERE registrant_id IS NOT NULL;

-- The contacts and channel choices of each household account, projected from events
-- (the latest address seen per channel) and from the citizen's own preferences.
CREATE TABLE notifications.recipients (
  account_id uuid PRIMARY KEY,
  email text CHECK (email IS NULL OR email LIKE '%_@_%'),
  phone text CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{6,14}$'),
  email_seen_at timestamptz,
  phone_seen_at timestamptz,
  -- The channel of the contact the person gave last: where their messages go first.
  primary_channel text CHECK (primary_channel IN ('email', 'sms')),
  email_opt_out boolean NOT NULL DEFAULT false,
  sms_opt_out boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Appointments as this service needs them for confirmations and reminders; a reminder
-- fires only while its appointment is still booked at the time it was scheduled for.
CREATE TABLE notifications.appointments (
  appointment_id uuid PRIMARY KEY,
  account_id uuid NOT NULL,
  registrant_id uuid NOT NULL,
  language text NOT NULL CHECK (language IN ('en', 'es', 'fr', 'hi', 'ar')),
  status text NOT NULL CHECK (status IN ('booked', 'cancelled', 'attended')),
  starts_at timestamptz NOT NULL,
  center_name jsonb NOT NULL,
  center_address text NOT NULL,
  center_time_zone text NOT NULL,
  -- Absent when the first event seen is a cancellation (it carries no code).
  appointment_code text,
  dose_number integer NOT NULL CHECK (dose_number > 0),
  -- Events may arrive out of order: an older one never overwrites a newer state.
  last_event_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Who received which lot (from dose.administered), to reach them when a lot is recalled,
-- and when their next dose is due.
CREATE TABLE notifications.doses (
  dose_id uuid PRIMARY KEY,
  account_id uuid NOT NULL,
  registrant_id uuid NOT NULL,
  language text NOT NULL CHECK (language IN ('en', 'es', 'fr', 'hi', 'ar')),
  vaccine_id uuid NOT NULL,
  vaccine_name text NOT NULL,
  lot_number text NOT NULL CHECK (length(lot_number) > 0),
  dose_number integer NOT NULL CHECK (dose_number > 0),
  administered_at timestamptz NOT NULL,
  next_dose_earliest date,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX doses_lot_idx ON notifications.doses (vaccine_id, lot_number);

-- Down Migration
DROP TABLE notifications.doses;
DROP TABLE notifications.appointments;
DROP TABLE notifications.recipients;
DROP INDEX notifications.messages_registrant_idx;
ALTER TABLE notifications.messages
  DROP CONSTRAINT messages_dead_has_reason,
  DROP CONSTRAINT messages_delivered_at_present,
  DROP CONSTRAINT messages_template_known,
  DROP CONSTRAINT messages_priority_range,
  DROP CONSTRAINT messages_fallback_elsewhere,
  DROP CONSTRAINT messages_recipient_present,
  DROP COLUMN fallback_from,
  DROP COLUMN delivered_at,
  DROP COLUMN provider_message_id,
  DROP COLUMN priority,
  DROP COLUMN params,
  DROP COLUMN destination;
DELETE FROM notifications.messages WHERE account_id IS NULL;
ALTER TABLE notifications.messages ALTER COLUMN account_id SET NOT NULL;
