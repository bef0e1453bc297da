-- Up Migration

-- ---- registrants: the PostgreSQL engine's index ----
-- Keys are computed by the application (apps/search/src/engines/keys.ts) so that both
-- engines share one romanization: `latin_key` for names typed in Latin letters,
-- `skeleton_key` (vowels dropped) to reach names in scripts that omit short vowels.
ALTER TABLE search.registrants
  ADD COLUMN latin_key text NOT NULL DEFAULT '',
  ADD COLUMN skeleton_key text NOT NULL DEFAULT '',
  ADD COLUMN latin_script boolean NOT NULL DEFAULT true,
  ADD COLUMN phone_suffix text CHECK (phone_suffix ~ '^[0-9]{4}$');
CREATE INDEX registrants_latin_trgm_idx ON search.registrants USING gin (latin_key public.gin_trgm_ops);
CREATE INDEX registrants_skeleton_trgm_idx ON search.registrants USING gin (skeleton_key public.gin_trgm_ops);
CREATE INDEX registrants_region_birth_year_idx ON search.registrants (region, birth_year);
CREATE INDEX registrants_phone_suffix_idx ON search.registrants (phone_suffix, region) WHERE phone_suffix IS NOT NULL;
CREATE INDEX registrants_sort_idx ON search.registrants ((name_key COLLATE "C"), id);

-- ---- registrant documents: what search received, the source of every reindex ----
-- Search never reads registration's schema: it keeps the latest version of each
-- document it was sent, deletions as tombstones so a late stale event cannot revive one.
CREATE TABLE search.registrant_documents (
  id uuid PRIMARY KEY,
  full_name text NOT NULL CHECK (length(full_name) > 0),
  birth_year integer NOT NULL CHECK (birth_year BETWEEN 1900 AND 2200),
  region text NOT NULL,
  phone_suffix text CHECK (phone_suffix ~ '^[0-9]{4}$'),
  version integer NOT NULL CHECK (version > 0),
  deleted boolean NOT NULL DEFAULT false,
  source_event_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registrant_documents_updated_idx ON search.registrant_documents (updated_at);

-- ---- centers: the PostgreSQL engine's index (public search) ----
CREATE TABLE search.centers (
  id uuid PRIMARY KEY,
  names jsonb NOT NULL CHECK (jsonb_typeof(names) = 'object' AND names ? 'en'),
  locality text NOT NULL,
  region text NOT NULL,
  languages text[] NOT NULL CHECK (cardinality(languages) > 0),
  vaccines jsonb NOT NULL CHECK (jsonb_typeof(vaccines) = 'array'),
  vaccine_ids uuid[] NOT NULL,
  -- Every name folded, then romanized, and the locality folded: trigram keys for typos.
  name_key text NOT NULL,
  latin_key text NOT NULL,
  locality_key text NOT NULL,
  -- Names stemmed per language, locality and vaccines as plain words.
  document tsvector NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  indexed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX centers_document_idx ON search.centers USING gin (document);
CREATE INDEX centers_name_trgm_idx ON search.centers USING gin (name_key public.gin_trgm_ops);
CREATE INDEX centers_latin_trgm_idx ON search.centers USING gin (latin_key public.gin_trgm_ops);
CREATE INDEX centers_locality_trgm_idx ON search.centers USING gin (locality_key public.gin_trgm_ops);
CREATE INDEX centers_languages_idx ON search.centers USING gin (languages);
CREATE INDEX centers_vaccines_idx ON search.centers USING gin (vaccine_ids);

CREATE TABLE search.center_documents (
  id uuid PRIMARY KEY,
  document jsonb NOT NULL CHECK (jsonb_typeof(document) = 'object'),
  version integer NOT NULL CHECK (version > 0),
  deleted boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX center_documents_updated_idx ON search.center_documents (updated_at);

-- ---- audit: one row per staff search ----
-- The query itself is personal data (a name, digits of a phone): only its hash is kept.
CREATE TABLE search.search_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor_sub text NOT NULL,
  actor_role text NOT NULL CHECK (actor_role IN ('staff', 'center-admin', 'national-admin')),
  actor_region text,
  -- The region the search was confined to (the actor's claim or the asked filter).
  scope_region text,
  query_hash text NOT NULL CHECK (query_hash ~ '^[0-9a-f]{64}$'),
  -- Which criteria were used (`q`, `phoneSuffix`, `birthYear`, `region`), not their values.
  criteria text[] NOT NULL,
  result_count integer NOT NULL CHECK (result_count >= 0),
  request_id text,
  searched_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX search_audit_actor_idx ON search.search_audit (actor_sub, searched_at);
CREATE INDEX search_audit_hash_idx ON search.search_audit (query_hash);

-- Down Migration
DROP TABLE search.search_audit;
DROP TABLE search.center_documents;
DROP TABLE search.centers;
DROP TABLE search.registrant_documents;
DROP INDEX search.registrants_sort_idx;
DROP INDEX search.registrants_phone_suffix_idx;
DROP INDEX search.registrants_region_birth_year_idx;
DROP INDEX search.registrants_skeleton_trgm_idx;
DROP INDEX search.registrants_latin_trgm_idx;
ALTER TABLE search.registrants
  DROP COLUMN phone_suffix, DROP COLUMN latin_script, DROP COLUMN skeleton_key, DROP COLUMN latin_key;
