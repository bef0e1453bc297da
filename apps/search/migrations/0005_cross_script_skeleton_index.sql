-- Up Migration

-- A name typed in Latin letters compares its consonant skeleton only with names written
-- in other scripts (see engines/keys.ts). On the full skeleton index a short skeleton
-- ("phl r") matched every Latin name that shares it, all fetched and then dropped; this
-- one holds the non-Latin names alone.
CREATE INDEX registrants_skeleton_cross_trgm_idx ON search.registrants
  USING gin (skeleton_key public.gin_trgm_ops) WHERE NOT latin_script;

-- Down Migration

DROP INDEX search.registrants_skeleton_cross_trgm_idx;
