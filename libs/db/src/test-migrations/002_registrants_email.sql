-- Up Migration
ALTER TABLE registrants ADD COLUMN email text;
