-- Up Migration
CREATE TABLE registrants (
  id uuid PRIMARY KEY,
  name text NOT NULL
);

-- Down Migration
DROP TABLE registrants;
