-- Up Migration

-- Versioned availability (docs/decisions/0010-versioned-availability.md). Every center-day
-- carries a version that each transaction changing its slots bumps once: bookings,
-- walk-ins, cancellations, reschedules and new sessions. Answers carry it as their ETag,
-- the availability stream pushes each new one, a booking's answer names the one it made.
-- A version identifies one committed state of the day: the row is bumped under its lock
-- in the transaction that changed the slots, so two states never share a version.
CREATE TABLE registration.center_day_versions (
  center_id uuid NOT NULL REFERENCES registration.centers (id),
  local_date date NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  -- The transaction that bumped it last: a second change in the same transaction bumps nothing.
  bumped_by xid8 NOT NULL,
  PRIMARY KEY (center_id, local_date)
);

-- Bumps each named center-day once per transaction. Rows are taken in key order, so
-- writers that bump several days (a batch of bookings, a reschedule) cannot deadlock
-- on them; writers call it last, after their slot locks, to hold these rows briefly.
CREATE FUNCTION registration.bump_center_days(center_ids uuid[], dates date[])
  RETURNS void
  LANGUAGE sql
AS $$
  INSERT INTO registration.center_day_versions AS v (center_id, local_date, version, bumped_by)
  SELECT DISTINCT d.center_id, d.local_date, 1::bigint, pg_current_xact_id()
    FROM unnest(center_ids, dates) AS d (center_id, local_date)
   WHERE d.center_id IS NOT NULL
   ORDER BY 1, 2
  ON CONFLICT (center_id, local_date) DO UPDATE
     SET version = v.version + 1, bumped_by = excluded.bumped_by
   WHERE v.bumped_by <> excluded.bumped_by;
$$;

-- The guarantee: whatever writes a slot, its day's version moves in the same commit. At
-- commit time, so a writer that already bumped (every one in this codebase does, or
-- touches one day only) pays one index probe per slot row.
CREATE FUNCTION registration.slots_bump_center_day()
  RETURNS trigger
  LANGUAGE plpgsql
AS $$
DECLARE
  s registration.slots;
BEGIN
  s := CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
  PERFORM registration.bump_center_days(ARRAY[s.center_id], ARRAY[s.local_date]);
  IF TG_OP = 'UPDATE' AND (OLD.center_id, OLD.local_date) IS DISTINCT FROM (NEW.center_id, NEW.local_date) THEN
    PERFORM registration.bump_center_days(ARRAY[OLD.center_id], ARRAY[OLD.local_date]);
  END IF;
  RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER slots_bump_center_day
  AFTER INSERT OR UPDATE OR DELETE ON registration.slots
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION registration.slots_bump_center_day();

-- Bookings as in 0205, and each row now names the version of its slot's day after the
-- batch (null for a booking that was not written).
DROP FUNCTION registration.book_appointments(jsonb);
CREATE FUNCTION registration.book_appointments(items jsonb)
  RETURNS TABLE (idx integer, outcome text, version bigint)
  LANGUAGE plpgsql
AS $$
DECLARE
  item jsonb;
  a jsonb;
  ev jsonb;
  constraint_name text;
  state text;
  slot_center uuid;
  slot_day date;
  idxs integer[] := '{}';
  outcomes text[] := '{}';
  centers uuid[] := '{}';
  days date[] := '{}';
BEGIN
  FOR idx, item IN
    SELECT (t.ord - 1)::integer, t.value
      FROM jsonb_array_elements(items) WITH ORDINALITY AS t (value, ord)
     ORDER BY (t.value ->> 'slotId')::uuid, t.ord
  LOOP
    a := item -> 'appointment';
    BEGIN
      IF jsonb_typeof(item -> 'idempotency') = 'object' THEN
        INSERT INTO registration.idempotency_keys (principal_id, key, request_hash, status_code, response)
        VALUES ((item #>> '{idempotency,principalId}')::uuid, item #>> '{idempotency,key}', item #>> '{idempotency,requestHash}',
                (item #>> '{idempotency,statusCode}')::integer, item #> '{idempotency,response}')
        ON CONFLICT (principal_id, key) DO NOTHING;
        IF NOT FOUND THEN
          idxs := idxs || idx;
          outcomes := outcomes || 'replay'::text;
          centers := centers || NULL::uuid;
          days := days || NULL::date;
          CONTINUE;
        END IF;
      END IF;

      UPDATE registration.slots
         SET booked_dose1 = booked_dose1 + (item ->> 'seat' = 'dose1')::integer,
             booked_later = booked_later + (item ->> 'seat' = 'later')::integer,
             booked_walk_in = booked_walk_in + (item ->> 'seat' = 'walk-in')::integer,
             updated_at = now()
       WHERE id = (item ->> 'slotId')::uuid
         AND CASE item ->> 'seat'
               WHEN 'dose1' THEN booked_dose1 < capacity_dose1
               WHEN 'later' THEN booked_later < capacity_later
               WHEN 'walk-in' THEN booked_walk_in < walk_in_quota
             END
      RETURNING center_id, local_date INTO slot_center, slot_day;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'slot full' USING ERRCODE = 'JB001';
      END IF;

      INSERT INTO registration.appointments (id, code, registrant_id, slot_id, center_id, vaccine_id, dose_number, seat, walk_in,
          status, booked_by, booked_at, checked_in_at, checked_in_by)
      VALUES ((a ->> 'id')::uuid, a ->> 'code', (a ->> 'registrantId')::uuid, (item ->> 'slotId')::uuid, (a ->> 'centerId')::uuid,
          (a ->> 'vaccineId')::uuid, (a ->> 'doseNumber')::integer, item ->> 'seat', (a ->> 'walkIn')::boolean, a ->> 'status',
          (a ->> 'bookedBy')::uuid, (a ->> 'at')::timestamptz,
          CASE WHEN a ->> 'status' = 'checked_in' THEN (a ->> 'at')::timestamptz END,
          CASE WHEN a ->> 'status' = 'checked_in' THEN (a ->> 'bookedBy')::uuid END)
      ON CONFLICT (code) DO NOTHING;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'appointment code taken' USING ERRCODE = 'JB002';
      END IF;

      FOR ev IN SELECT value FROM jsonb_array_elements(item -> 'events') LOOP
        INSERT INTO registration.outbox (id, type, payload, occurred_at)
        VALUES ((ev ->> 'id')::uuid, ev ->> 'type', ev -> 'payload', (ev ->> 'occurredAt')::timestamptz);
      END LOOP;

      IF jsonb_typeof(item -> 'access') = 'object' THEN
        INSERT INTO registration.access_log (id, registrant_id, actor_id, actor_role, actor_center_id, actor_region, action, reason)
        VALUES ((item #>> '{access,id}')::uuid, (item #>> '{access,registrantId}')::uuid, (item #>> '{access,actorId}')::uuid,
                item #>> '{access,actorRole}', (item #>> '{access,actorCenterId}')::uuid, item #>> '{access,actorRegion}',
                item #>> '{access,action}', item #>> '{access,reason}');
      END IF;

      outcome := 'booked';
      centers := centers || slot_center;
      days := days || slot_day;
    EXCEPTION
      WHEN SQLSTATE 'JB001' THEN
        outcome := 'full';
      WHEN SQLSTATE 'JB002' THEN
        outcome := 'code-taken';
      WHEN deadlock_detected THEN
        outcome := 'retry';
      WHEN unique_violation THEN
        GET STACKED DIAGNOSTICS constraint_name = CONSTRAINT_NAME;
        IF constraint_name = 'appointments_active_dose_unique' THEN
          outcome := 'duplicate';
        ELSE
          outcome := 'error:23505:' || coalesce(constraint_name, '');
        END IF;
      WHEN OTHERS THEN
        -- Not query_canceled (a statement timeout ends the whole batch): OTHERS does not catch it.
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, constraint_name = CONSTRAINT_NAME;
        outcome := 'error:' || state || CASE WHEN coalesce(constraint_name, '') = '' THEN '' ELSE ':' || constraint_name END;
    END;
    idxs := idxs || idx;
    outcomes := outcomes || outcome;
    IF outcome <> 'booked' THEN
      centers := centers || NULL::uuid;
      days := days || NULL::date;
    END IF;
  END LOOP;

  -- One new version per center-day this batch changed, taken last and in key order.
  PERFORM registration.bump_center_days(array_remove(centers, NULL), array_remove(days, NULL));
  RETURN QUERY
    SELECT r.idx, r.outcome, v.version
      FROM unnest(idxs, outcomes, centers, days) AS r (idx, outcome, center_id, local_date)
      LEFT JOIN registration.center_day_versions v USING (center_id, local_date)
     ORDER BY r.idx;
END;
$$;


-- Down Migration
DROP FUNCTION registration.book_appointments(jsonb);
CREATE FUNCTION registration.book_appointments(items jsonb)
  RETURNS TABLE (idx integer, outcome text)
  LANGUAGE plpgsql
AS $$
DECLARE
  item jsonb;
  a jsonb;
  ev jsonb;
  constraint_name text;
  state text;
BEGIN
  FOR idx, item IN
    SELECT (t.ord - 1)::integer, t.value
      FROM jsonb_array_elements(items) WITH ORDINALITY AS t (value, ord)
     ORDER BY (t.value ->> 'slotId')::uuid, t.ord
  LOOP
    a := item -> 'appointment';
    BEGIN
      IF jsonb_typeof(item -> 'idempotency') = 'object' THEN
        INSERT INTO registration.idempotency_keys (principal_id, key, request_hash, status_code, response)
        VALUES ((item #>> '{idempotency,principalId}')::uuid, item #>> '{idempotency,key}', item #>> '{idempotency,requestHash}',
                (item #>> '{idempotency,statusCode}')::integer, item #> '{idempotency,response}')
        ON CONFLICT (principal_id, key) DO NOTHING;
        IF NOT FOUND THEN
          outcome := 'replay';
          RETURN NEXT;
          CONTINUE;
        END IF;
      END IF;

      UPDATE registration.slots
         SET booked_dose1 = booked_dose1 + (item ->> 'seat' = 'dose1')::integer,
             booked_later = booked_later + (item ->> 'seat' = 'later')::integer,
             booked_walk_in = booked_walk_in + (item ->> 'seat' = 'walk-in')::integer,
             updated_at = now()
       WHERE id = (item ->> 'slotId')::uuid
         AND CASE item ->> 'seat'
               WHEN 'dose1' THEN booked_dose1 < capacity_dose1
               WHEN 'later' THEN booked_later < capacity_later
               WHEN 'walk-in' THEN booked_walk_in < walk_in_quota
             END;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'slot full' USING ERRCODE = 'JB001';
      END IF;

      INSERT INTO registration.appointments (id, code, registrant_id, slot_id, center_id, vaccine_id, dose_number, seat, walk_in,
          status, booked_by, booked_at, checked_in_at, checked_in_by)
      VALUES ((a ->> 'id')::uuid, a ->> 'code', (a ->> 'registrantId')::uuid, (item ->> 'slotId')::uuid, (a ->> 'centerId')::uuid,
          (a ->> 'vaccineId')::uuid, (a ->> 'doseNumber')::integer, item ->> 'seat', (a ->> 'walkIn')::boolean, a ->> 'status',
          (a ->> 'bookedBy')::uuid, (a ->> 'at')::timestamptz,
          CASE WHEN a ->> 'status' = 'checked_in' THEN (a ->> 'at')::timestamptz END,
          CASE WHEN a ->> 'status' = 'checked_in' THEN (a ->> 'bookedBy')::uuid END)
      ON CONFLICT (code) DO NOTHING;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'appointment code taken' USING ERRCODE = 'JB002';
      END IF;

      FOR ev IN SELECT value FROM jsonb_array_elements(item -> 'events') LOOP
        INSERT INTO registration.outbox (id, type, payload, occurred_at)
        VALUES ((ev ->> 'id')::uuid, ev ->> 'type', ev -> 'payload', (ev ->> 'occurredAt')::timestamptz);
      END LOOP;

      IF jsonb_typeof(item -> 'access') = 'object' THEN
        INSERT INTO registration.access_log (id, registrant_id, actor_id, actor_role, actor_center_id, actor_region, action, reason)
        VALUES ((item #>> '{access,id}')::uuid, (item #>> '{access,registrantId}')::uuid, (item #>> '{access,actorId}')::uuid,
                item #>> '{access,actorRole}', (item #>> '{access,actorCenterId}')::uuid, item #>> '{access,actorRegion}',
                item #>> '{access,action}', item #>> '{access,reason}');
      END IF;

      outcome := 'booked';
    EXCEPTION
      WHEN SQLSTATE 'JB001' THEN
        outcome := 'full';
      WHEN SQLSTATE 'JB002' THEN
        outcome := 'code-taken';
      WHEN deadlock_detected THEN
        outcome := 'retry';
      WHEN unique_violation THEN
        GET STACKED DIAGNOSTICS constraint_name = CONSTRAINT_NAME;
        IF constraint_name = 'appointments_active_dose_unique' THEN
          outcome := 'duplicate';
        ELSE
          outcome := 'error:23505:' || coalesce(constraint_name, '');
        END IF;
      WHEN OTHERS THEN
        -- Not query_canceled (a statement timeout ends the whole batch): OTHERS does not catch it.
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, constraint_name = CONSTRAINT_NAME;
        outcome := 'error:' || state || CASE WHEN coalesce(constraint_name, '') = '' THEN '' ELSE ':' || constraint_name END;
    END;
    RETURN NEXT;
  END LOOP;
END;
$$;

DROP TRIGGER slots_bump_center_day ON registration.slots;
DROP FUNCTION registration.slots_bump_center_day();
DROP FUNCTION registration.bump_center_days(uuid[], date[]);
DROP TABLE registration.center_day_versions;
