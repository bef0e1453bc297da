-- Up Migration

-- Group commit of bookings (docs/decisions/0007-booking-group-commit.md). The service
-- decides eligibility on one batched read, then hands every booking that passed to this
-- function in one statement: one round trip and one commit for the whole batch. Each
-- booking runs in its own subtransaction (the BEGIN … EXCEPTION block), so it is all or
-- nothing for its caller: its idempotency key, its seat (the same conditional UPDATE as
-- ever: capacity is decided here, under the slot's row lock), its appointment (the
-- partial unique index still refuses a second active booking for a dose), its events
-- and its audit row. Bookings are taken in slot order, so two batches lock slots in the
-- same order as every other writer (lockSlots) and a batch waits rather than deadlocks.
--
-- items: [{ slotId, seat, appointment: {…}, events: [{ id, type, payload, occurredAt }],
--           access: {…} | null, idempotency: {…} | null }]
-- Returns one row per item: its index in `items` and one of
--   booked      every write done
--   replay      the caller's idempotency key is already stored (the first attempt won)
--   full        no seat of that kind left
--   duplicate   an active booking for this person and dose exists
--   code-taken  the drawn appointment code is in use (the service draws another)
--   retry       a deadlock chose this booking; nothing of it was written
--   error:<SQLSTATE>[:<constraint>]  any other error of this booking alone (nothing of it
--               written): its caller gets a server error, the batch's other bookings stand
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

-- Down Migration
DROP FUNCTION registration.book_appointments(jsonb);
