-- package_search_source (migration 0001) again, with one change: an id's versions are ordered by
-- db/packages.ts versionOrderKey, the order the push statement compares with, which
-- db/version-order.test.ts proves equal to NuGet's (feed/version.ts compareVersions) over 12,000
-- generated versions. Migration 0001 ordered numeric labels of up to 9 digits as numbers and every
-- other label as alphanumeric, so that a negative number ("1.0.0--1") or a ten-digit one within
-- Int32 sorted after the numbers where NuGet sorts it as a number: unlisting or relisting (which
-- rebuild an id's documents from this view) could make another version the document than a push
-- would. The ORDER BY is versionOrderKey('v.version_key') verbatim but for white space (db/version-order.test.ts checks
-- that this file holds it), written by
--   npx tsx -e "import('./db/packages.ts').then((m) => process.stdout.write(m.versionOrderKey('v.version_key') + '\n'))"
CREATE OR REPLACE VIEW "package_search_source" AS
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
	ORDER BY ((case when strpos(v.version_key, '-') = 0 then array[lpad(split_part(split_part(v.version_key, '-', 1), '.', 1), 10, '0'), lpad(split_part(split_part(v.version_key, '-', 1), '.', 2), 10, '0'), lpad(split_part(split_part(v.version_key, '-', 1), '.', 3), 10, '0'), lpad(split_part(split_part(v.version_key, '-', 1), '.', 4), 10, '0'), '1']
		else array[lpad(split_part(split_part(v.version_key, '-', 1), '.', 1), 10, '0'), lpad(split_part(split_part(v.version_key, '-', 1), '.', 2), 10, '0'), lpad(split_part(split_part(v.version_key, '-', 1), '.', 3), 10, '0'), lpad(split_part(split_part(v.version_key, '-', 1), '.', 4), 10, '0'), '0'] || array(
		select case when l ~ '^-?0*[0-9]{1,10}$' and l::bigint between -2147483648 and 2147483647
		then '0' || lpad((l::bigint + 2147483648)::text, 10, '0') else '1' || l end
		from unnest(string_to_array(substr(v.version_key, strpos(v.version_key, '-') + 1), '.')) with ordinality as u(l, o)
		order by o) end) collate "C") DESC
	LIMIT 1
) l
JOIN package_search_fields f ON f.lower_id = r.lower_id AND f.version_key = l.version_key;
--> statement-breakpoint
-- The documents of the ids where the two orders can disagree (a listed prerelease with a negative or
-- a ten-digit numeric label) are rebuilt from the view; every other document is what it was.
DELETE FROM package_search WHERE lower_id IN (
	SELECT v.lower_id FROM package_versions v WHERE v.listed AND v.is_prerelease AND EXISTS (
		SELECT 1 FROM unnest(string_to_array(substr(v.version_key, strpos(v.version_key, '-') + 1), '.')) AS u(l)
		WHERE l ~ '^(-[0-9]+|[0-9]{10})$'));
--> statement-breakpoint
INSERT INTO package_search (lower_id, variant, version_key, search_text, authors, owners, title, description, summary, tags, package_types, total_downloads)
SELECT lower_id, variant, version_key, search_text, authors, owners, title, description, summary, tags, package_types, total_downloads FROM package_search_source WHERE lower_id IN (
	SELECT v.lower_id FROM package_versions v WHERE v.listed AND v.is_prerelease AND EXISTS (
		SELECT 1 FROM unnest(string_to_array(substr(v.version_key, strpos(v.version_key, '-') + 1), '.')) AS u(l)
		WHERE l ~ '^(-[0-9]+|[0-9]{10})$'));
