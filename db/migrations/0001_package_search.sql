CREATE TABLE "package_search" (
	"lower_id" text NOT NULL,
	"variant" smallint NOT NULL,
	"version_key" text NOT NULL,
	"search_text" text NOT NULL,
	"authors" text NOT NULL,
	"owners" text NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"summary" text NOT NULL,
	"tags" jsonb NOT NULL,
	"package_types" jsonb NOT NULL,
	"total_downloads" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "package_search_lower_id_variant_pk" PRIMARY KEY("lower_id","variant")
);
--> statement-breakpoint
ALTER TABLE "package_registrations" ADD COLUMN "total_downloads" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "package_search" ADD CONSTRAINT "package_search_lower_id_package_registrations_lower_id_fk" FOREIGN KEY ("lower_id") REFERENCES "public"."package_registrations"("lower_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "package_search_rank_idx" ON "package_search" USING btree ("variant","total_downloads" DESC NULLS LAST,"lower_id");--> statement-breakpoint
-- Hand-written below (drizzle-kit does not generate views, extensions or conditional indexes).
-- A search document is one listed version's searchable fields, lower-cased (nuget.org's search
-- documents): search_text (free text: id, title, summary, description, tags), authors, owners, title,
-- description, summary, tags and package types (an empty list counts as ["dependency"]).
CREATE VIEW "package_search_fields" AS
SELECT
	v.lower_id, v.version_key, v.search_text,
	lower(v.authors) AS authors, lower(coalesce(v.owners, '')) AS owners, lower(coalesce(v.title, '')) AS title,
	lower(v.description) AS description, lower(coalesce(v.summary, '')) AS summary,
	coalesce((SELECT jsonb_agg(DISTINCT lower(t) COLLATE "C") FROM jsonb_array_elements_text(v.tags) AS j(t)), '[]'::jsonb) AS tags,
	CASE WHEN jsonb_array_length(v.package_types) = 0 THEN '["dependency"]'::jsonb
		ELSE (SELECT jsonb_agg(DISTINCT lower(p->>'name') COLLATE "C") FROM jsonb_array_elements(v.package_types) AS q(p)) END AS package_types
FROM package_versions v;
--> statement-breakpoint
-- The search documents of every id, per variant (bit 1 = prereleases allowed, bit 2 = SemVer 2
-- allowed): the fields of the latest listed version visible in the variant (ids with none get no row),
-- in NuGet order (§8.1: major, minor, patch, revision numerically; a stable version after its
-- prereleases; labels pairwise, numeric labels (up to 9 digits) numerically and before alphanumeric
-- ones, alphanumeric ones ordinal on the lower-cased key, fewer labels first); total_downloads is the
-- registration's (all versions). db/packages.ts rebuilds one id with `... where lower_id = $1` when a
-- version is unlisted or relisted (a push only compares the new version with the current documents);
-- the backfill below reads it all.
CREATE VIEW "package_search_source" AS
SELECT
	r.lower_id, var.variant::smallint AS variant, f.version_key, f.search_text, f.authors, f.owners, f.title,
	f.description, f.summary, f.tags, f.package_types, r.total_downloads
FROM package_registrations r
CROSS JOIN (VALUES (0), (1), (2), (3)) AS var(variant)
CROSS JOIN LATERAL (
	SELECT v.version_key
	FROM package_versions v
	WHERE v.lower_id = r.lower_id AND v.listed
		AND (var.variant & 1 = 1 OR NOT v.is_prerelease)
		AND (var.variant & 2 = 2 OR NOT v.is_semver2)
	ORDER BY v.major DESC, v.minor DESC, v.patch DESC, v.revision DESC, v.is_prerelease,
		CASE WHEN v.is_prerelease THEN ARRAY(
			SELECT CASE WHEN l ~ '^[0-9]{1,9}$' THEN '0' || lpad(l::int::text, 10, '0') ELSE '1' || l END
			FROM unnest(string_to_array(substring(v.version_key FROM '-(.*)$'), '.')) WITH ORDINALITY AS u(l, o)
			ORDER BY o) END COLLATE "C" DESC
	LIMIT 1
) l
JOIN package_search_fields f ON f.lower_id = r.lower_id AND f.version_key = l.version_key;
--> statement-breakpoint
-- Backfill for galleries created before this migration.
UPDATE package_registrations r SET total_downloads = s.n
FROM (SELECT lower_id, sum(downloads)::bigint AS n FROM package_versions GROUP BY lower_id) s
WHERE r.lower_id = s.lower_id;
--> statement-breakpoint
-- An id whose listed versions are all stable SemVer 1 has four identical documents: those ids get
-- variant 0 from the view and copies of it (a quarter of the work of a 1,000,000-version gallery).
INSERT INTO package_search (lower_id, variant, version_key, search_text, authors, owners, title, description, summary, tags, package_types, total_downloads)
SELECT lower_id, variant, version_key, search_text, authors, owners, title, description, summary, tags, package_types, total_downloads FROM package_search_source s
WHERE s.variant = 0 OR EXISTS (
	SELECT 1 FROM package_versions v WHERE v.lower_id = s.lower_id AND v.listed AND (v.is_prerelease OR v.is_semver2));
--> statement-breakpoint
INSERT INTO package_search (lower_id, variant, version_key, search_text, authors, owners, title, description, summary, tags, package_types, total_downloads)
SELECT s.lower_id, c.variant, s.version_key, s.search_text, s.authors, s.owners, s.title, s.description, s.summary,
	s.tags, s.package_types, s.total_downloads
FROM package_search s
CROSS JOIN (VALUES (1), (2), (3)) AS c(variant)
WHERE s.variant = 0 AND NOT EXISTS (
	SELECT 1 FROM package_versions v WHERE v.lower_id = s.lower_id AND v.listed AND (v.is_prerelease OR v.is_semver2));
--> statement-breakpoint
-- Trigram indexes for the substring filters (free text, id:, autocomplete), when pg_trgm is available
-- (a trusted extension: the database owner may create it); one per variant (partial), so that a query
-- reads only its variant's posting lists (db/packages.ts writes the variant as a literal for them).
-- Without pg_trgm search still works, by scans of one variant's rows. The pending list of each GIN
-- index is kept small (128 kB): with the default 4 MB its merges stalled pushes for seconds under
-- steady load (`npm run bench -- soak`: push latency climbing to 4.5 s for 20 s); with no pending list
-- (fastupdate off) every push paid its index entries one by one (soak capacity 693 → 503 requests/s);
-- small lists keep most of the batching (593 requests/s) with no stall (worst second's push p99 0.6 s).
DO $$
BEGIN
	BEGIN
		CREATE EXTENSION IF NOT EXISTS pg_trgm;
	EXCEPTION WHEN OTHERS THEN
		RAISE NOTICE 'pg_trgm is not available (%): search runs without trigram indexes', SQLERRM;
	END;
	IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
		FOR v IN 0..3 LOOP
			EXECUTE format('CREATE INDEX IF NOT EXISTS package_search_text_trgm_%s_idx ON package_search USING gin (search_text gin_trgm_ops) WITH (fastupdate = on, gin_pending_list_limit = 128) WHERE variant = %s', v, v);
			EXECUTE format('CREATE INDEX IF NOT EXISTS package_search_id_trgm_%s_idx ON package_search USING gin (lower_id gin_trgm_ops) WITH (fastupdate = on, gin_pending_list_limit = 128) WHERE variant = %s', v, v);
		END LOOP;
	END IF;
END
$$;
--> statement-breakpoint
-- statistics for the new rows now, so the first searches after the upgrade are planned on them
ANALYZE package_search;
--> statement-breakpoint
ANALYZE package_registrations;
