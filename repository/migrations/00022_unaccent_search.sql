-- +goose Up
-- Searching without diacritics (tìm kiếm không dấu): "nguyen van duc" finds "Nguyễn Văn Đức". unaccent()
-- is only STABLE (it reads the dictionary named by search_path), and an index needs an IMMUTABLE
-- expression, so a wrapper names the dictionary itself. Its rules map every Vietnamese letter,
-- đ/Đ included, to its base letter.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE FUNCTION f_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- The case list's text search matches summaries and the names of the people in a record, lower
-- case and unaccented on both sides; trigram indexes serve its LIKE '%...%'.
CREATE INDEX cases_summary_plain_trgm ON cases USING gin (lower(f_unaccent(summary)) gin_trgm_ops);
CREATE INDEX case_parties_name_plain_trgm ON case_parties USING gin (lower(f_unaccent(full_name)) gin_trgm_ops);

-- +goose Down
DROP INDEX case_parties_name_plain_trgm;
DROP INDEX cases_summary_plain_trgm;
DROP FUNCTION f_unaccent(text);
