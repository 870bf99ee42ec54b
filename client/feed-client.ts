/**
 * The reference client's feed: protocol/'s NuGet v3 reader ({@link NuGetV3Reader}: service index once,
 * registration base chosen as ModuleFast chooses it, memoized registration documents, streamed
 * packages, undici retries/redirects/decoding, credentials to the source's origin only) set up the way
 * ModuleFast reads a feed (MODULEFAST.md §3, protocol reference §1.2, §4.3, §5.2): a `ModuleFast`
 * User-Agent (so Galleon answers with the dependency-only hive, §5.3), "module was not found" for a
 * 404, and the command line's credential flags in the authentication message.
 *
 * The reader's errors and wire shapes are re-exported here under the names the rest of client/ uses.
 */
import { PackageNotFoundError } from '../protocol/errors.ts';
import { NuGetV3Reader, type NuGetV3ReaderOptions } from '../protocol/reader.ts';
import type {
  WireCatalogEntry,
  WireDependency,
  WireDependencyGroup,
  WireRegistrationIndex,
  WireRegistrationLeaf,
  WireRegistrationPage,
  WireServiceIndex,
  WireServiceIndexResource,
} from '../feed/v3/wire.ts';

export { FeedAuthenticationError, FeedError, FeedRequestError, InvalidFeedResponseError } from '../protocol/errors.ts';
export { parseRetryAfter, type FeedCredentials } from '../protocol/http.ts';
export { chooseRegistrationBase, normalizeSource, type PackageDownload } from '../protocol/reader.ts';

/** One resource of a service index (§1.1), as read. */
export type ServiceIndexResource = WireServiceIndexResource;
/** A service index (§1.1), as read. */
export type ServiceIndex = WireServiceIndex;
/** A dependency of a catalog entry (§4.5.1); an empty or missing `range` means any version. */
export type CatalogDependency = WireDependency;
/** A dependency group (§4.5.1); ModuleFast ignores `targetFramework` and merges every group. */
export type CatalogDependencyGroup = WireDependencyGroup;
/** The fields of a catalog entry the client reads (§5.2), plus `listed`. */
export type CatalogEntry = WireCatalogEntry;
/** A registration leaf (§4.4). */
export type RegistrationLeaf = WireRegistrationLeaf;
/** A registration page (§4.3): inlined when `items` is a non-empty array, otherwise fetched from `@id`. */
export type RegistrationPage = WireRegistrationPage;
/** A registration index (§4.2). */
export type RegistrationIndex = WireRegistrationIndex;

/** Default User-Agent. It starts with `ModuleFast` on purpose: Galleon (and pwsh.gallery before it)
 * answers that agent with the dependency-only metadata (protocol reference §5). */
export const DEFAULT_USER_AGENT = 'ModuleFast (compatible; galleon-client/0.1.0; +https://github.com/JustinGrote/ModuleFast)';

/** Default source when neither `--source` nor `GALLEON_SOURCE` is given: a Galleon on this machine. */
export const DEFAULT_SOURCE = 'http://127.0.0.1:5555/index.json';

/** How the command line takes credentials, appended to "requires authentication". */
const CREDENTIALS_HINT = 'Give credentials with --username and --password (or GALLEON_USERNAME and GALLEON_PASSWORD).';

/** 404 on a module's registration index: "module was not found in the <source> repository" (§4). */
export class ModuleNotFoundError extends PackageNotFoundError {
  readonly moduleName: string;
  /** @param context  extra text after the module name, e.g. " (required by Az 12.0.0)" */
  constructor(source: string, moduleName: string, context = '', url = '') {
    super(
      source,
      moduleName,
      url,
      `${moduleName}${context}: module was not found in the ${source} repository. Check the spelling and try again.`,
      'module_not_found',
    );
    this.name = 'ModuleNotFoundError';
    this.moduleName = moduleName;
  }
}

/** Options of {@link FeedClient}: the reader's, with the User-Agent optional (default {@link DEFAULT_USER_AGENT}). */
export interface FeedClientOptions extends Omit<NuGetV3ReaderOptions, 'userAgent' | 'authenticationHint'> {
  /** User-Agent header (default {@link DEFAULT_USER_AGENT}). */
  userAgent?: string;
}

/**
 * A NuGet v3 feed as ModuleFast reads it. Create one per run; call {@link FeedClient.close} at the end.
 * Memoized documents (and failures) live as long as the client.
 */
export class FeedClient extends NuGetV3Reader {
  /** @throws FeedError (code `invalid_source`) when `options.source` is not usable */
  constructor(options: FeedClientOptions) {
    super({ ...options, userAgent: options.userAgent ?? DEFAULT_USER_AGENT, authenticationHint: CREDENTIALS_HINT });
  }

  /** A 404 on a registration index means the module is not in the repository. */
  protected override packageNotFound(id: string, url: string): ModuleNotFoundError {
    return new ModuleNotFoundError(this.source, id, '', url);
  }
}
