-- galleon_push: a push's whole database write (registration upsert and lock, version insert, search
-- documents), one statement in PL/pgSQL so that it is parsed and planned once per connection and
-- its plan kept (sent as text, it was parsed and planned on every push: half of a push's time on
-- the embedded database). The body is db/packages.ts PUSH_FUNCTION_BODY verbatim, written here by
--   npx tsx -e "import('./db/packages.ts').then((m) => process.stdout.write(m.PUSH_FUNCTION_SQL + '\n'))"
-- and checked against the database by db/version-order.test.ts; changing it takes a new migration.
CREATE OR REPLACE FUNCTION galleon_push(
	p_lower_id text,
	p_id text,
	p_version_key text,
	p_version text,
	p_full_version text,
	p_original_version text,
	p_module_version text,
	p_major integer,
	p_minor integer,
	p_patch integer,
	p_revision integer,
	p_is_prerelease boolean,
	p_is_semver2 boolean,
	p_listed boolean,
	p_created timestamptz,
	p_last_edited timestamptz,
	p_authors text,
	p_owners text,
	p_title text,
	p_summary text,
	p_description text,
	p_release_notes text,
	p_copyright text,
	p_language text,
	p_tags jsonb,
	p_project_url text,
	p_icon_url text,
	p_has_icon boolean,
	p_license_url text,
	p_license_expression text,
	p_has_readme boolean,
	p_require_license_acceptance boolean,
	p_development_dependency boolean,
	p_min_client_version text,
	p_package_types jsonb,
	p_dependency_groups jsonb,
	p_is_script boolean,
	p_package_hash text,
	p_package_size bigint,
	p_blob_key text,
	p_search_text text
) RETURNS TABLE (id text, documents integer) LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
BEGIN
	RETURN QUERY with reg as (
	  insert into package_registrations as r (lower_id, id, created) values (p_lower_id, p_id, p_created)
	  on conflict (lower_id) do update set id = r.id
	  returning r.lower_id, r.id, r.total_downloads
	), ver as (
	  insert into package_versions (lower_id, version_key, version, full_version, original_version, module_version, major, minor, patch, revision, is_prerelease, is_semver2, listed, created, last_edited, authors, owners, title, summary, description, release_notes, copyright, language, tags, project_url, icon_url, has_icon, license_url, license_expression, has_readme, require_license_acceptance, development_dependency, min_client_version, package_types, dependency_groups, is_script, package_hash, package_size, blob_key, search_text, downloads)
	  select reg.lower_id, p_version_key, p_version, p_full_version, p_original_version, p_module_version, p_major, p_minor, p_patch, p_revision, p_is_prerelease, p_is_semver2, p_listed, p_created, p_last_edited, p_authors, p_owners, p_title, p_summary, p_description, p_release_notes, p_copyright, p_language, p_tags, p_project_url, p_icon_url, p_has_icon, p_license_url, p_license_expression, p_has_readme, p_require_license_acceptance, p_development_dependency, p_min_client_version, p_package_types, p_dependency_groups, p_is_script, p_package_hash, p_package_size, p_blob_key, p_search_text, 0
	  from reg
	  returning lower_id, version_key, listed, is_prerelease, is_semver2, search_text, authors, owners, title, description, summary, tags, package_types
	), f as (
	  select ver.lower_id, ver.version_key, ver.listed, ver.is_prerelease, ver.is_semver2, ver.search_text,
	    lower(ver.authors) as authors, lower(coalesce(ver.owners, '')) as owners, lower(coalesce(ver.title, '')) as title,
	    lower(ver.description) as description, lower(coalesce(ver.summary, '')) as summary,
	    coalesce((select jsonb_agg(distinct lower(t) collate "C") from jsonb_array_elements_text(ver.tags) as j(t)), '[]'::jsonb) as tags,
	    case when jsonb_array_length(ver.package_types) = 0 then '["dependency"]'::jsonb
	      else (select jsonb_agg(distinct lower(p->>'name') collate "C") from jsonb_array_elements(ver.package_types) as q(p)) end as package_types,
	    reg.total_downloads
	  from ver cross join reg
	), doc as (
	  insert into package_search as s (lower_id, variant, version_key, search_text, authors, owners, title, description, summary, tags, package_types, total_downloads)
	  select f.lower_id, var.variant::smallint, f.version_key, f.search_text, f.authors, f.owners, f.title, f.description, f.summary,
	    f.tags, f.package_types, f.total_downloads
	  from f cross join (values (0), (1), (2), (3)) as var(variant)
	  where f.listed and (not f.is_prerelease or var.variant & 1 = 1) and (not f.is_semver2 or var.variant & 2 = 2)
	  on conflict (lower_id, variant) do update set
	    version_key = excluded.version_key, search_text = excluded.search_text, authors = excluded.authors,
	    owners = excluded.owners, title = excluded.title, description = excluded.description,
	    summary = excluded.summary, tags = excluded.tags, package_types = excluded.package_types
	  where ((case when strpos(excluded.version_key, '-') = 0 then array[lpad(split_part(split_part(excluded.version_key, '-', 1), '.', 1), 10, '0'), lpad(split_part(split_part(excluded.version_key, '-', 1), '.', 2), 10, '0'), lpad(split_part(split_part(excluded.version_key, '-', 1), '.', 3), 10, '0'), lpad(split_part(split_part(excluded.version_key, '-', 1), '.', 4), 10, '0'), '1']
	    else array[lpad(split_part(split_part(excluded.version_key, '-', 1), '.', 1), 10, '0'), lpad(split_part(split_part(excluded.version_key, '-', 1), '.', 2), 10, '0'), lpad(split_part(split_part(excluded.version_key, '-', 1), '.', 3), 10, '0'), lpad(split_part(split_part(excluded.version_key, '-', 1), '.', 4), 10, '0'), '0'] || array(
	      select case when l ~ '^-?0*[0-9]{1,10}$' and l::bigint between -2147483648 and 2147483647
	        then '0' || lpad((l::bigint + 2147483648)::text, 10, '0') else '1' || l end
	      from unnest(string_to_array(substr(excluded.version_key, strpos(excluded.version_key, '-') + 1), '.')) with ordinality as u(l, o)
	      order by o) end) collate "C") > ((case when strpos(s.version_key, '-') = 0 then array[lpad(split_part(split_part(s.version_key, '-', 1), '.', 1), 10, '0'), lpad(split_part(split_part(s.version_key, '-', 1), '.', 2), 10, '0'), lpad(split_part(split_part(s.version_key, '-', 1), '.', 3), 10, '0'), lpad(split_part(split_part(s.version_key, '-', 1), '.', 4), 10, '0'), '1']
	    else array[lpad(split_part(split_part(s.version_key, '-', 1), '.', 1), 10, '0'), lpad(split_part(split_part(s.version_key, '-', 1), '.', 2), 10, '0'), lpad(split_part(split_part(s.version_key, '-', 1), '.', 3), 10, '0'), lpad(split_part(split_part(s.version_key, '-', 1), '.', 4), 10, '0'), '0'] || array(
	      select case when l ~ '^-?0*[0-9]{1,10}$' and l::bigint between -2147483648 and 2147483647
	        then '0' || lpad((l::bigint + 2147483648)::text, 10, '0') else '1' || l end
	      from unnest(string_to_array(substr(s.version_key, strpos(s.version_key, '-') + 1), '.')) with ordinality as u(l, o)
	      order by o) end) collate "C")
	  returning s.variant
	)
	select (select reg.id from reg), (select count(*) from doc)::int;
END
$fn$;
