/**
 * Service index documents (protocol reference §1): the full index every client reads, and the variant
 * for the dependency-only hive (§5.3) whose registration resources point at `/v3/dependencies/`.
 */
import { FeedUrls } from '../urls.ts';

/** One resource of a service index (§1.1): `@type` is always one plain string (PSResourceGet needs that). */
export interface ServiceIndexResource {
  '@id': string;
  '@type': string;
  comment?: string;
  clientVersion?: string;
}

/** A service index document (§1.1). */
export interface ServiceIndexJson {
  version: '3.0.0';
  resources: ServiceIndexResource[];
  '@context': { '@vocab': string; comment: string };
}

/** The `RegistrationsBaseUrl` variants we advertise (§1.2), all pointing at one SemVer-2-inclusive hive. */
const REGISTRATION_TYPES = [
  'RegistrationsBaseUrl',
  'RegistrationsBaseUrl/3.0.0-beta',
  'RegistrationsBaseUrl/3.0.0-rc',
  'RegistrationsBaseUrl/3.4.0',
  'RegistrationsBaseUrl/3.6.0',
] as const;

/** Search and autocomplete variants (§1.2): bare, 3.0.0-beta (NuGet/VS), 3.0.0-rc, 3.5.0 (PSResourceGet, dotnet tool). */
const SEARCH_VERSIONS = ['', '/3.0.0-beta', '/3.0.0-rc', '/3.5.0'] as const;

const SERVICE_INDEX_CONTEXT = {
  '@vocab': 'http://schema.nuget.org/services#',
  comment: 'http://www.w3.org/2000/01/rdf-schema#comment',
};

function buildIndex(urls: FeedUrls, registrationBase: string, registrationComment: string): ServiceIndexJson {
  const resources: ServiceIndexResource[] = [
    { '@id': urls.publish(), '@type': 'PackagePublish/2.0.0', comment: 'push (PUT), unlist (DELETE), relist (POST)' },
    {
      '@id': urls.flatContainer(),
      '@type': 'PackageBaseAddress/3.0.0',
      comment: 'flat container: version lists, nupkg, nuspec, readme, icon',
    },
  ];
  for (const type of REGISTRATION_TYPES) {
    resources.push({ '@id': registrationBase, '@type': type, comment: registrationComment });
  }
  resources.push({
    '@id': registrationBase,
    '@type': 'RegistrationsBaseUrl/Versioned',
    comment: registrationComment,
    clientVersion: '4.3.0-alpha',
  });
  for (const v of SEARCH_VERSIONS) {
    resources.push({ '@id': urls.search(), '@type': `SearchQueryService${v}`, comment: 'search' });
  }
  for (const v of SEARCH_VERSIONS) {
    resources.push({ '@id': urls.autocomplete(), '@type': `SearchAutocompleteService${v}`, comment: 'package id and version autocomplete' });
  }
  resources.push({
    '@id': urls.packageDetailsTemplate(),
    '@type': 'PackageDetailsUriTemplate/5.1.0',
    comment: 'package details page; placeholders {id} and {version}',
  });
  resources.push({
    '@id': urls.readmeTemplate(),
    '@type': 'ReadmeUriTemplate/6.13.0',
    comment: 'embedded README; placeholders {lower_id} and {lower_version}',
  });
  return { version: '3.0.0', resources, '@context': SERVICE_INDEX_CONTEXT };
}

/**
 * Builds the service index (§1.3): `version` "3.0.0"; one resource object per `@type` (always a plain
 * string); trailing slashes on the base-address `@id`s (flat container, registration). Advertised:
 * `PackagePublish/2.0.0`; `PackageBaseAddress/3.0.0`; `RegistrationsBaseUrl` bare, `/3.0.0-beta`,
 * `/3.0.0-rc`, `/3.4.0`, `/3.6.0` and `/Versioned` (with `clientVersion` "4.3.0-alpha"), all at one
 * SemVer-2-inclusive hive; `SearchQueryService` and `SearchAutocompleteService` bare, `/3.0.0-beta`,
 * `/3.0.0-rc`, `/3.5.0`; `PackageDetailsUriTemplate/5.1.0`; `ReadmeUriTemplate/6.13.0`.
 * Deliberately absent: `Catalog/3.0.0` (only catalog leaves are served) and `SymbolPackagePublish/4.9.0`
 * (symbol packages are not supported: advertising it makes `dotnet nuget push` send `.snupkg` files).
 */
export function buildServiceIndex(urls: FeedUrls): ServiceIndexJson {
  return buildIndex(urls, urls.registrationBase(), 'registration hive, SemVer 2 included');
}

/**
 * Builds the service index of the dependency-only hive (§5.3), served to ModuleFast (by user agent at
 * `/index.json`, and always at `urls.dependenciesServiceIndex()`). It is {@link buildServiceIndex} with
 * every `RegistrationsBaseUrl*` entry (including `/Versioned`, which ModuleFast picks first because it
 * sorts `@type`s descending as strings, §1.2) pointing at `urls.dependenciesBase()`; publish, flat
 * container, search, autocomplete and templates are unchanged so that any other client landing here
 * still works.
 */
export function buildDependenciesServiceIndex(urls: FeedUrls): ServiceIndexJson {
  return buildIndex(urls, urls.dependenciesBase(), 'dependency-only registration hive (listed versions, ids, versions, dependencies)');
}
