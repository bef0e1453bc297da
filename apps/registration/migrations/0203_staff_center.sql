-- Up Migration
-- Staff scoped to a center must point at a real one (centers exist from 0201 on).
ALTER TABLE registration.staff_accounts
  ADD CONSTRAINT staff_accounts_center_fk FOREIGN KEY (center_id) REFERENCES registration.centers (id);

-- Down Migration
ALTER TABLE registration.staff_accounts DROP CONSTRAINT staff_accounts_center_fk;
