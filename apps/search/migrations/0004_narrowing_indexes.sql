-- Up Migration

-- Every registrant query shape must narrow through an index (postgres.plans.test.ts).
-- The name order index only let the planner walk all names in order and filter each
-- one by trigram similarity; (region, birth_year) let it read a whole region and do
-- the same. Birth year leads now: with a birth year it narrows (alone or with the
-- region); a region alone has no index to narrow by, so a staff name search is driven
-- by the name indexes.
DROP INDEX search.registrants_sort_idx;
DROP INDEX search.registrants_region_birth_year_idx;
CREATE INDEX registrants_birth_year_region_idx ON search.registrants (birth_year, region);

-- Down Migration

DROP INDEX search.registrants_birth_year_region_idx;
CREATE INDEX registrants_region_birth_year_idx ON search.registrants (region, birth_year);
CREATE INDEX registrants_sort_idx ON search.registrants ((name_key COLLATE "C"), id);
