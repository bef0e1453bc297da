-- Up Migration
-- Both extensions are "trusted": the database owner may create them (also on Aurora).
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

-- unaccent() is only STABLE (it reads a dictionary); pinning the dictionary makes a
-- wrapper safe to declare IMMUTABLE, which expression indexes require.
CREATE FUNCTION search.fold(input text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN lower(public.unaccent('public.unaccent'::regdictionary, input));

CREATE TABLE search.registrants (
  id uuid PRIMARY KEY,
  full_name text NOT NULL,
  name_key text NOT NULL,
  birth_year integer NOT NULL CHECK (birth_year BETWEEN 1900 AND 2200),
  region text NOT NULL,
  -- Version of the source record: an older event never overwrites a newer document.
  version integer NOT NULL CHECK (version > 0),
  source_event_at timestamptz NOT NULL,
  indexed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registrants_name_trgm_idx ON search.registrants USING gin (name_key public.gin_trgm_ops);

-- Down Migration
DROP TABLE search.registrants;
DROP FUNCTION search.fold(text);
