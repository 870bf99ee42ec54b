/**
 * The NuGet v3 reader: everything a client (client/, the reference ModuleFast-style client) or a mirror
 * (the upstream mirror, later) reads from a v3 feed (protocol reference §1 service index, §3 flat
 * container, §4 registration, §5 dependency-only hive). It depends on feed/ and libraries only, never on
 * client/ or server/.
 *
 * One reader per source and run: the service index is read once, the registration base is chosen as
 * ModuleFast chooses it (§1.2), registration indexes and pages are memoized by URL with requests already
 * in flight shared (failures too: the retries already ran), and packages are opened as streams. The
 * documents are read through the lenient wire readers of feed/v3/wire.ts, so what other servers send
 * (either member casing, optional members) is accepted. Which registration hive a server answers with
 * (the full one, or Galleon's dependency-only hive for a `ModuleFast` User-Agent, §5.3) is the server's
 * choice from the User-Agent the caller gives. HTTP (retries, redirects, decoding, timeouts,
 * credentials) is protocol/http.ts.
 */
import { FeedHttp, type FeedHttpOptions, type OpenedResponse } from './http.ts';
import { FeedError, FeedRequestError, InvalidFeedResponseError, PackageNotFoundError } from './errors.ts';
import {
  readRegistrationIndex,
  readRegistrationPage,
  readServiceIndex,
  readVersionsList,
  type WireRegistrationIndex,
  type WireRegistrationPage,
  type WireServiceIndex,
} from '../feed/v3/wire.ts';

export type { FeedCredentials } from './http.ts';

/** Options of {@link NuGetV3Reader}. */
export interface NuGetV3ReaderOptions extends FeedHttpOptions {
  /** Service index URL, or a bare host (see {@link normalizeSource}). */
  source: string;
}

/** An opened package download. The caller must consume or destroy `body`. */
export type PackageDownload = OpenedResponse;

/**
 * Turns what a user typed as a source into a service index URL, as ModuleFast does: a bare host
 * (`pwsh.gallery`) becomes `https://pwsh.gallery/index.json`; text without a scheme but with a path
 * gets `https://`; `http(s)://` URLs are kept as they are.
 * @throws FeedError (code `invalid_source`) for empty text, another scheme, or a URL that does not parse
 */
export function normalizeSource(text: string): string {
  const t = (text ?? '').trim();
  if (t === '') throw new FeedError('invalid_source', t, 'The source is empty: give a service index URL such as https://host/index.json.');
  let url: string;
  if (/^https?:\/\//i.test(t)) url = t;
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
    throw new FeedError('invalid_source', t, `The source ${t} is not an http or https URL.`);
  } else if (!t.includes('/')) url = `https://${t}/index.json`;
  else url = `https://${t}`;
  try {
    return new URL(url).toString();
  } catch (err) {
    throw new FeedError('invalid_source', t, `The source ${t} is not a valid URL.`, { cause: err });
  }
}

/**
 * The `@id` of the highest-sorting resource whose `@type` matches, the way ModuleFast picks: every
 * resource with a string `@id` and a `@type` (or one of its array entries) matching `pattern`, sorted by
 * that type descending as plain case-insensitive strings, first wins; trailing `/` removed.
 */
function chooseResource(index: WireServiceIndex, pattern: RegExp): string | null {
  const candidates: { type: string; id: string }[] = [];
  for (const r of Array.isArray(index?.resources) ? index.resources : []) {
    if (!r || typeof r['@id'] !== 'string') continue;
    const types = Array.isArray(r['@type']) ? r['@type'] : [r['@type']];
    const type = types.find((t) => typeof t === 'string' && pattern.test(t));
    if (type !== undefined) candidates.push({ type, id: r['@id'] });
  }
  if (candidates.length === 0) return null;
  candidates.sort((a, b) => {
    const x = a.type.toLowerCase();
    const y = b.type.toLowerCase();
    return x < y ? 1 : x > y ? -1 : 0;
  });
  return candidates[0]!.id.replace(/\/+$/, '');
}

/**
 * Picks the registration base URL from a service index the way ModuleFast does (§1.2): every resource
 * whose `@type` contains `RegistrationsBaseUrl` (case-insensitive), sorted by `@type` descending as plain
 * strings (so `/Versioned` beats `/3.6.0`, `/3.4.0`, `/3.0.0-rc`, `/3.0.0-beta` and the bare type),
 * first `@id`, trailing `/` removed.
 * @returns the base URL without a trailing slash, or null when no such resource exists
 */
export function chooseRegistrationBase(index: WireServiceIndex): string | null {
  return chooseResource(index, /registrationsbaseurl/i);
}

/**
 * Picks the flat container (`PackageBaseAddress/3.0.0`, §3) base URL from a service index, the same way
 * (a `/Versioned` variant sorts first).
 * @returns the base URL without a trailing slash, or null when the index has no PackageBaseAddress
 */
export function choosePackageBaseAddress(index: WireServiceIndex): string | null {
  return chooseResource(index, /^packagebaseaddress(\/|$)/i);
}

/**
 * A NuGet v3 feed as a reader sees it (see the module comment). Create one per source and run; call
 * {@link NuGetV3Reader.close} at the end. Memoized documents (and failures) live as long as the reader.
 */
export class NuGetV3Reader {
  /** The normalized service index URL. */
  readonly source: string;
  private readonly http: FeedHttp;
  private serviceIndexPromise: Promise<WireServiceIndex> | null = null;
  private registrationBasePromise: Promise<string> | null = null;
  private packageBasePromise: Promise<string> | null = null;
  private readonly documents = new Map<string, Promise<unknown>>();

  /** @throws FeedError (code `invalid_source`) when `options.source` is not usable */
  constructor(options: NuGetV3ReaderOptions) {
    this.source = normalizeSource(options.source);
    this.http = new FeedHttp(this.source, options);
  }

  /** HTTP requests sent (every try and redirect hop); for diagnostics and tests. */
  get requestCount(): number {
    return this.http.requestCount;
  }

  /**
   * The error for a 404 on a package's registration index or version list. Subclasses give their own
   * words (the client: "module was not found in the … repository").
   */
  protected packageNotFound(id: string, url: string): FeedError {
    return new PackageNotFoundError(this.source, id, url);
  }

  /**
   * The service index (§1), fetched once per reader (concurrent callers share the request; a failure is
   * forgotten so a later call asks again).
   * @throws FeedRequestError, FeedAuthenticationError, InvalidFeedResponseError (no `resources` array)
   */
  getServiceIndex(): Promise<WireServiceIndex> {
    if (!this.serviceIndexPromise) {
      this.serviceIndexPromise = this.http.getJson(this.source).then((doc) => {
        const index = readServiceIndex(doc);
        if (index === null) {
          throw new InvalidFeedResponseError(this.source, this.source, `${this.source} is not a NuGet v3 service index (no "resources" array).`);
        }
        return index;
      });
      this.serviceIndexPromise.catch(() => {
        this.serviceIndexPromise = null;
      });
    }
    return this.serviceIndexPromise;
  }

  /**
   * The registration base URL chosen as ModuleFast chooses it ({@link chooseRegistrationBase}).
   * @throws InvalidFeedResponseError when the service index has no `RegistrationsBaseUrl` resource
   */
  getRegistrationBase(): Promise<string> {
    if (!this.registrationBasePromise) {
      this.registrationBasePromise = this.getServiceIndex().then((index) => {
        const base = chooseRegistrationBase(index);
        if (base === null) {
          throw new InvalidFeedResponseError(
            this.source,
            this.source,
            `The service index ${this.source} has no RegistrationsBaseUrl resource: this client needs one to resolve modules.`,
          );
        }
        return base;
      });
      this.registrationBasePromise.catch(() => {
        this.registrationBasePromise = null;
      });
    }
    return this.registrationBasePromise;
  }

  /** The registration index URL of a package id: `{base}/{id lower-cased}/index.json` (§4.1). */
  async registrationIndexUrl(id: string): Promise<string> {
    const base = await this.getRegistrationBase();
    return `${base}/${encodeURIComponent(id.toLowerCase())}/index.json`;
  }

  /**
   * A package's registration index (§4.2), memoized by URL; a request already in flight is shared.
   * @throws {@link packageNotFound}'s error on 404; InvalidFeedResponseError when `count` is 0 or `items`
   *         is not an array; FeedRequestError for other failures (`status` null: unreachable)
   */
  async getRegistrationIndex(id: string): Promise<WireRegistrationIndex> {
    const url = await this.registrationIndexUrl(id);
    return this.memo(url, async () => {
      let doc: unknown;
      try {
        doc = await this.http.getJson(url);
      } catch (err) {
        if (err instanceof FeedRequestError && err.status === 404) throw this.packageNotFound(id, url);
        throw err;
      }
      const index = readRegistrationIndex(doc);
      if (index === null) {
        throw new InvalidFeedResponseError(this.source, url, `${id}: invalid registration index received from ${this.source} (${url} has no "items" array).`);
      }
      if (index.count === 0) {
        throw new InvalidFeedResponseError(this.source, url, `${id}: invalid registration index received from ${this.source} (${url} has "count": 0).`);
      }
      return index;
    });
  }

  /**
   * A registration page document (§4.3) by its `@id`, memoized; requests in flight are shared.
   * @throws InvalidFeedResponseError when it has no `items` array; FeedRequestError
   */
  getRegistrationPage(url: string): Promise<WireRegistrationPage> {
    return this.memo(url, async () => {
      const page = readRegistrationPage(await this.http.getJson(url));
      if (page === null || !Array.isArray(page.items)) {
        throw new InvalidFeedResponseError(this.source, url, `invalid registration page received from ${this.source} (${url} has no "items" array).`);
      }
      return page;
    });
  }

  /**
   * Every leaf-bearing page of a registration index, in index order: inlined pages as they are, linked
   * pages (no or empty `items`) fetched by `@id` ({@link getRegistrationPage}, concurrently). The whole
   * walk a mirror or `dotnet`-style reader does; ModuleFast-style readers fetch linked pages one at a time
   * only when no inlined leaf matches.
   * @throws InvalidFeedResponseError for a linked page without a string `@id` or without `items`
   */
  async getAllRegistrationPages(index: WireRegistrationIndex): Promise<WireRegistrationPage[]> {
    return Promise.all(
      index.items.map((page) => {
        if (Array.isArray(page.items) && page.items.length > 0) return page;
        if (typeof page['@id'] !== 'string') {
          throw new InvalidFeedResponseError(this.source, '', `a linked registration page from ${this.source} has no "@id".`);
        }
        return this.getRegistrationPage(page['@id']);
      }),
    );
  }

  /**
   * The flat container base URL (§3, `PackageBaseAddress/3.0.0`).
   * @throws InvalidFeedResponseError when the service index has no PackageBaseAddress resource
   */
  getPackageBaseAddress(): Promise<string> {
    if (!this.packageBasePromise) {
      this.packageBasePromise = this.getServiceIndex().then((index) => {
        const base = choosePackageBaseAddress(index);
        if (base === null) {
          throw new InvalidFeedResponseError(this.source, this.source, `The service index ${this.source} has no PackageBaseAddress/3.0.0 resource (flat container).`);
        }
        return base;
      });
      this.packageBasePromise.catch(() => {
        this.packageBasePromise = null;
      });
    }
    return this.packageBasePromise;
  }

  /**
   * The versions the flat container lists for an id (§3, `{base}/{id-lower}/index.json`), as sent
   * (normalized, lower-case on conforming servers), memoized.
   * @throws {@link packageNotFound}'s error on 404; InvalidFeedResponseError without a `versions` array
   */
  async getPackageVersions(id: string): Promise<string[]> {
    const url = `${await this.getPackageBaseAddress()}/${encodeURIComponent(id.toLowerCase())}/index.json`;
    return this.memo(url, async () => {
      let doc: unknown;
      try {
        doc = await this.http.getJson(url);
      } catch (err) {
        if (err instanceof FeedRequestError && err.status === 404) throw this.packageNotFound(id, url);
        throw err;
      }
      const list = readVersionsList(doc);
      if (list === null) throw new InvalidFeedResponseError(this.source, url, `${id}: invalid version list received from ${this.source} (${url} has no "versions" array).`);
      return list.versions;
    });
  }

  /**
   * The flat container download URL of one version (§3):
   * `{base}/{id-lower}/{version-lower}/{id-lower}.{version-lower}.nupkg`.
   * @param version  the version as the version list gives it (normalized)
   */
  async flatContainerPackageUrl(id: string, version: string): Promise<string> {
    const lid = encodeURIComponent(id.toLowerCase());
    const lv = encodeURIComponent(version.toLowerCase());
    return `${await this.getPackageBaseAddress()}/${lid}/${lv}/${lid}.${lv}.nupkg`;
  }

  /**
   * Opens a package download (`GET packageContent`, §4.4, or a flat container URL) as a stream, after
   * retries on the status.
   * @throws FeedRequestError for a non-200 answer or a network failure
   */
  openPackage(url: string): Promise<PackageDownload> {
    return this.http.open(url);
  }

  /** Releases the connection pool (when the reader created it). */
  close(): Promise<void> {
    return this.http.close();
  }

  private memo<T>(url: string, load: () => Promise<T>): Promise<T> {
    let p = this.documents.get(url) as Promise<T> | undefined;
    if (!p) {
      // failures stay memoized too (ModuleFast caches the task): the retries already ran, and a run that
      // prefetched a registration must not pay for them twice
      p = load();
      this.documents.set(url, p);
      p.catch(() => {});
    }
    return p;
  }
}
