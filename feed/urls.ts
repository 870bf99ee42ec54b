/**
 * Builders for every absolute URL Galleon emits (protocol reference §1.3 and Appendix A). All
 * documents take a `FeedUrls` so that the public base URL is configured in one place
 * (rule 1 of §10: never build links from the raw Host header).
 */

/** Lower-cases an id or version for URLs with culture-invariant rules (§8.3). */
export function lowerInvariant(text: string): string {
  return text.toLowerCase();
}

export class FeedUrls {
  /** @param baseUrl public absolute base URL, e.g. "https://pkgs.example.com" or "http://127.0.0.1:5555/feed"; a trailing slash is ignored */
  constructor(baseUrl: string) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  readonly base: string;

  serviceIndex(): string {
    return `${this.base}/v3/index.json`;
  }
  publish(): string {
    return `${this.base}/api/v2/package`;
  }
  symbolPublish(): string {
    return `${this.base}/api/v2/symbolpackage`;
  }
  /** Flat container base address, with trailing slash (§1.3). */
  flatContainer(): string {
    return `${this.base}/v3/flatcontainer/`;
  }
  flatVersions(id: string): string {
    return `${this.flatContainer()}${lowerInvariant(id)}/index.json`;
  }
  /**
   * nupkg download URL. `version` is used as given (lower-cased): pass the normalized version, or for
   * PowerShell modules the manifest spelling so that it occurs in the URL (§4.7).
   */
  nupkg(id: string, version: string): string {
    const lid = lowerInvariant(id);
    const lv = lowerInvariant(version);
    return `${this.flatContainer()}${lid}/${lv}/${lid}.${lv}.nupkg`;
  }
  nuspec(id: string, version: string): string {
    const lid = lowerInvariant(id);
    return `${this.flatContainer()}${lid}/${lowerInvariant(version)}/${lid}.nuspec`;
  }
  readme(id: string, version: string): string {
    return `${this.flatContainer()}${lowerInvariant(id)}/${lowerInvariant(version)}/readme`;
  }
  icon(id: string, version: string): string {
    return `${this.flatContainer()}${lowerInvariant(id)}/${lowerInvariant(version)}/icon`;
  }
  /** Registration hive base, with trailing slash. */
  registrationBase(): string {
    return `${this.base}/v3/registration/`;
  }
  registrationIndex(id: string): string {
    return `${this.registrationBase()}${lowerInvariant(id)}/index.json`;
  }
  registrationPage(id: string, lower: string, upper: string): string {
    return `${this.registrationBase()}${lowerInvariant(id)}/page/${lowerInvariant(lower)}/${lowerInvariant(upper)}.json`;
  }
  registrationLeaf(id: string, version: string): string {
    return `${this.registrationBase()}${lowerInvariant(id)}/${lowerInvariant(version)}.json`;
  }
  /** Dependency-only hive base (issue: ModuleFast feed), with trailing slash. */
  dependenciesBase(): string {
    return `${this.base}/v3/dependencies/`;
  }
  dependenciesServiceIndex(): string {
    return `${this.base}/v3/dependencies/index.json`;
  }
  dependenciesIndex(id: string): string {
    return `${this.dependenciesBase()}${lowerInvariant(id)}/index.json`;
  }
  dependenciesPage(id: string, lower: string, upper: string): string {
    return `${this.dependenciesBase()}${lowerInvariant(id)}/page/${lowerInvariant(lower)}/${lowerInvariant(upper)}.json`;
  }
  /** Catalog leaf (PackageDetails) for one version; what `catalogEntry.@id` points at (§4.9). */
  catalogLeaf(id: string, version: string): string {
    return `${this.base}/v3/catalog/data/${lowerInvariant(id)}/${lowerInvariant(version)}.json`;
  }
  search(): string {
    return `${this.base}/v3/search`;
  }
  autocomplete(): string {
    return `${this.base}/v3/autocomplete`;
  }
  packageDetailsTemplate(): string {
    return `${this.base}/packages/{id}/{version}`;
  }
  readmeTemplate(): string {
    return `${this.flatContainer()}{lower_id}/{lower_version}/readme`;
  }
  licenseExpression(expression: string): string {
    return `https://licenses.nuget.org/${encodeURIComponent(expression).replace(/%20/g, '%20')}`;
  }
}
