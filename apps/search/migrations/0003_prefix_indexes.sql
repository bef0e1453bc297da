-- Up Migration

-- Exact and prefix matches (the first two ranking tiers) through B-tree range scans:
-- a short, common prefix ("mari") matches thousands of names by trigrams, all of which
-- the GIN path must rank; `LIKE 'mari%'` on these indexes reads only the names that
-- start with it. text_pattern_ops compares bytes, whatever the database collation.
CREATE INDEX registrants_name_prefix_idx ON search.registrants (name_key text_pattern_ops);
CREATE INDEX registrants_latin_prefix_idx ON search.registrants (latin_key text_pattern_ops);

-- Down Migration

DROP INDEX search.registrants_latin_prefix_idx;
DROP INDEX search.registrants_name_prefix_idx;
