/**
 * Requirement files for the reference client (MODULEFAST.md §1 "Requirement files", ModuleFast
 * `-Path`/`-SpecFileType` and the auto-discovered `*.requires.*` files): reads a file, a directory or an
 * http(s) URL into module specifications.
 *
 * | input | how it is read |
 * | --- | --- |
 * | `.ps1` / `.psm1` | `#Requires -Modules` entries (names, quoted names, ModuleSpecification hashtables, comma lists) |
 * | `.psd1` with `ModuleVersion` | a module manifest: its `RequiredModules` (dynamic manifests evaluated as PowerShell 7) |
 * | other `.psd1`, `.json`, `.jsonc` object | ModuleFast, PSDepend or PSResourceGet format (auto-detected or forced) |
 * | `.json` array | each element is a shorthand specification |
 * | http/https URL | downloaded; read by its extension, else content starting `@{` (or a comment) is a psd1, anything else JSON |
 * | directory | every `*.requires.{psd1,ps1,psm1,json,jsonc}` inside (not recursive) |
 *
 * Deliberate differences from ModuleFast v0.6.1, each a superset that v0.6.1 rejects or mishandles:
 * `PSGalleryModule::Name` keys are honoured (v0.6.1 compares the whole key and skips them; 1.0-beta
 * fixed it); nested JSON objects are hashtables (so PSResourceGet/PSDepend JSON works); a PSDepend entry
 * without `DependencyType` is a gallery module (PSDepend's own default); a PSDepend/PSResourceGet string
 * value that is a NuGet range is read as a range instead of failing; `.json` files may carry comments and
 * trailing commas like `.jsonc` (PowerShell 7's ConvertFrom-Json accepts comments too).
 */

import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve, extname } from 'node:path';

import { NuGetVersion } from '../feed/version.ts';
import { VersionRange } from '../feed/range.ts';
import { PsHashtable, Psd1SyntaxError, isTrue, parsePowerShellDataFile, parsePowerShellValue, toStr, type PsValue } from '../feed/psd1/index.ts';
import { decodeText } from '../feed/text.ts';
import { ModuleFastSpec, ModuleSpecError, moduleSpecFromHashtable, parseModuleSpec } from './spec.ts';

/** Which requirement-file dialect to read an object as (ModuleFast `-SpecFileType`). */
export type SpecFileType = 'auto' | 'ModuleFast' | 'PSResourceGet' | 'PSDepend';

/** Options of {@link readRequirementFile}. */
export interface ReadRequirementOptions {
  /** Dialect for object-shaped files; `auto` (default) detects it (see {@link detectSpecFileType}). */
  specFileType?: SpecFileType;
  /** HTTP client for URLs; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Receives warnings about ignored settings (`Repository`, PSDepend `Target`). */
  onWarning?: (message: string) => void;
}

/**
 * A requirement file that cannot be read or understood. `source` is the path or URL; the message names it
 * and, for the cases ModuleFast reports, carries ModuleFast's wording ("does not have a #Requires",
 * "does not have a RequiredModules key", "DependencyType", ...).
 */
export class RequirementFileError extends Error {
  readonly code = 'invalid_requirement_file';
  readonly source: string;
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(`${source}: ${message}`, options);
    this.name = 'RequirementFileError';
    this.source = source;
  }
}

const REQUIREMENT_FILE_RE = /\.requires\.(psd1|ps1|psm1|json|jsonc)$/i;
const MAX_JSON_DEPTH = 100;

/**
 * Lists the requirement files of a directory (ModuleFast Find-RequiredSpecFile): every regular file named
 * `*.requires.psd1|ps1|psm1|json|jsonc` (case-insensitive), not recursive, sorted by name.
 *
 * @returns absolute paths; [] when there are none
 * @throws RequirementFileError when `dir` is not a readable directory
 */
export async function discoverRequirementFiles(dir: string): Promise<string[]> {
  const abs = resolve(dir);
  let entries;
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch (e) {
    throw new RequirementFileError(dir, `cannot read the directory (${(e as Error).message})`, { cause: e });
  }
  const out: string[] = [];
  for (const entry of entries) {
    if (!REQUIREMENT_FILE_RE.test(entry.name)) continue;
    const full = join(abs, entry.name);
    if (entry.isFile() || (entry.isSymbolicLink() && (await stat(full).catch(() => null))?.isFile())) out.push(full);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Reads module specifications from a requirement file, a directory of `*.requires.*` files, or an
 * http/https URL (MODULEFAST.md §1 "Requirement files").
 *
 * @returns specs in file order (directories: files sorted by name, specs concatenated)
 * @throws RequirementFileError for missing files, unsupported extensions, unreadable content, empty
 *         requirement lists, and specifications that do not parse (the ModuleSpecError is the `cause`)
 */
export async function readRequirementFile(pathOrUrl: string, options?: ReadRequirementOptions): Promise<ModuleFastSpec[]> {
  if (/^https?:\/\//i.test(pathOrUrl)) return readUrl(pathOrUrl, options);

  let info;
  try {
    info = await stat(pathOrUrl);
  } catch (e) {
    throw new RequirementFileError(pathOrUrl, 'the requirement file or directory does not exist.', { cause: e });
  }
  if (info.isDirectory()) {
    const files = await discoverRequirementFiles(pathOrUrl);
    if (files.length === 0) {
      throw new RequirementFileError(
        pathOrUrl,
        'Could not find any required spec files (*.requires.psd1, .ps1, .psm1, .json, .jsonc) in this directory. Verify the path is correct or provide module specifications.',
      );
    }
    const all: ModuleFastSpec[] = [];
    for (const file of files) all.push(...(await readLocalFile(file, options)));
    return all;
  }
  return readLocalFile(pathOrUrl, options);
}

async function readLocalFile(path: string, options?: ReadRequirementOptions): Promise<ModuleFastSpec[]> {
  const ext = extname(path).toLowerCase();
  if (!['.psd1', '.ps1', '.psm1', '.json', '.jsonc'].includes(ext)) {
    throw new RequirementFileError(path, 'Only .ps1, .psm1, .psd1, .json and .jsonc files are supported as requirement files.');
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new RequirementFileError(path, `cannot read the file (${(e as Error).message})`, { cause: e });
  }
  return readContent(path, ext, bytes, options);
}

async function readUrl(url: string, options?: ReadRequirementOptions): Promise<ModuleFastSpec[]> {
  const doFetch = options?.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await doFetch(url);
  } catch (e) {
    throw new RequirementFileError(url, `download failed (${(e as Error).message})`, { cause: e });
  }
  if (!res.ok) throw new RequirementFileError(url, `download failed with HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`);
  const bytes = Buffer.from(await res.arrayBuffer());
  let ext = extname(new URL(url).pathname).toLowerCase();
  if (!['.psd1', '.ps1', '.psm1', '.json', '.jsonc'].includes(ext)) {
    const head = decodeText(bytes).trimStart();
    ext = head.startsWith('@{') || head.startsWith('#') || head.startsWith('<#') ? '.psd1' : '.json';
  }
  return readContent(url, ext, bytes, options);
}

function readContent(source: string, ext: string, bytes: Buffer, options?: ReadRequirementOptions): ModuleFastSpec[] {
  switch (ext) {
    case '.psd1':
      return readPsd1(source, bytes, options);
    case '.ps1':
    case '.psm1':
      return readScriptRequires(decodeText(bytes), source);
    default:
      return readJson(source, decodeText(bytes), options);
  }
}

function readPsd1(source: string, bytes: Buffer, options?: ReadRequirementOptions): ModuleFastSpec[] {
  let ht: PsHashtable;
  try {
    ht = parsePowerShellDataFile(bytes);
  } catch (e) {
    const why = e instanceof Psd1SyntaxError ? e.message : String(e);
    throw new RequirementFileError(source, `not a valid PowerShell data file: ${why}`, { cause: e });
  }
  if (isTrue(ht.get('ModuleVersion') ?? null)) return manifestRequirements(source, ht);
  return specsFromRequirementData(ht, { ...options, source });
}

/**
 * Requirements of a module manifest: its `RequiredModules` (names and ModuleSpecification hashtables).
 * @throws RequirementFileError "The manifest does not have a RequiredModules key ..." when there are none
 */
function manifestRequirements(source: string, manifest: PsHashtable): ModuleFastSpec[] {
  const raw = manifest.get('RequiredModules');
  const items = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
  const specs: ModuleFastSpec[] = [];
  for (const item of items) {
    if (item === null || (typeof item === 'string' && item.trim() === '')) continue;
    specs.push(
      wrap(source, () => {
        if (typeof item === 'string') return new ModuleFastSpec(item);
        if (item instanceof PsHashtable) return moduleSpecFromHashtable(item, `RequiredModules entry ${describeHashtable(item)}`);
        throw new ModuleSpecError(toStr(item), `a RequiredModules entry must be a module name or a hashtable, found '${toStr(item)}'.`);
      }),
    );
  }
  if (specs.length === 0) {
    throw new RequirementFileError(
      source,
      'The manifest does not have a RequiredModules key so ModuleFast does not know what this module requires. See Get-Help about_module_manifests for more.',
    );
  }
  return specs;
}

function describeHashtable(ht: PsHashtable): string {
  return `@{${ht
    .entries()
    .map(([k, v]) => `${k}='${toStr(v)}'`)
    .join('; ')}}`;
}

function wrap<T>(source: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RequirementFileError) throw e;
    throw new RequirementFileError(source, (e as Error).message, { cause: e });
  }
}

// ---------------------------------------------------------------------------------------------------
// #Requires in scripts

/**
 * Reads the `#Requires -Modules` statements of a script or script module (what PowerShell's AST exposes
 * as `ScriptRequirements.RequiredModules`): each statement is a line starting with `#Requires`; `-Modules`
 * (or any prefix such as `-Module`) takes a comma list of module names (bare or quoted) and
 * ModuleSpecification hashtables. Other parameters (`-Version`, `-PSEdition`, ...) are ignored, as are
 * `#Requires` lines inside block comments and here-strings.
 *
 * @param source path or URL used in error messages
 * @throws RequirementFileError "The script does not have a #Requires -Module statement ..." when there are none
 */
export function readScriptRequires(text: string, source = 'script'): ModuleFastSpec[] {
  const specs: ModuleFastSpec[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  let inBlockComment = false;
  let hereStringQuote: string | null = null;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (inBlockComment) {
      if (line.includes('#>')) inBlockComment = false;
      continue;
    }
    if (hereStringQuote !== null) {
      if (line.startsWith(`${hereStringQuote}@`)) hereStringQuote = null;
      continue;
    }
    const m = /^\s*#requires(?=\s|$)(.*)$/i.exec(line);
    if (m) {
      for (const item of modulesParameter(m[1], source, n + 1)) specs.push(item);
      continue;
    }
    // Track multi-line constructs that could contain a line starting with "#requires".
    const scan = scanLine(line);
    if (scan.opensBlockComment) inBlockComment = true;
    else if (scan.hereStringQuote !== null) hereStringQuote = scan.hereStringQuote;
  }
  if (specs.length === 0) {
    throw new RequirementFileError(
      source,
      'The script does not have a #Requires -Module statement so ModuleFast does not know what this module requires. See Get-Help about_requires for more.',
    );
  }
  return specs;
}

/**
 * Finds whether a script line opens a block comment or a here-string that continues on later lines
 * (quoted strings and line comments on the line are skipped, so `'<#'` inside a string does not count).
 */
function scanLine(line: string): { opensBlockComment: boolean; hereStringQuote: string | null } {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '@' && (line[i + 1] === "'" || line[i + 1] === '"') && line.slice(i + 2).trim() === '') {
      return { opensBlockComment: false, hereStringQuote: line[i + 1] };
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== c) j += c === '"' && line[j] === '`' ? 2 : 1;
      i = j;
      continue;
    }
    if (c === '<' && line[i + 1] === '#') {
      const end = line.indexOf('#>', i + 2);
      if (end < 0) return { opensBlockComment: true, hereStringQuote: null };
      i = end + 1;
      continue;
    }
    if (c === '#') break;
  }
  return { opensBlockComment: false, hereStringQuote: null };
}

function modulesParameter(rest: string, source: string, lineNo: number): ModuleFastSpec[] {
  const params = splitRequiresParameters(rest);
  const specs: ModuleFastSpec[] = [];
  for (const p of params) {
    const name = p.name.toLowerCase();
    if (name === '' || !'modules'.startsWith(name)) continue;
    for (const item of splitTopLevel(p.value, ',')) {
      const t = item.trim();
      if (t === '') continue;
      specs.push(
        wrap(`${source} (line ${lineNo})`, () => {
          if (t.startsWith('@{')) {
            const v = parsePowerShellValue(t);
            if (!(v instanceof PsHashtable)) throw new ModuleSpecError(t, `'${t}' is not valid ModuleSpecification syntax.`);
            return moduleSpecFromHashtable(v, t);
          }
          const first = t[0];
          if (first === "'" || first === '"') {
            const v = parsePowerShellValue(t);
            if (typeof v !== 'string') throw new ModuleSpecError(t, `'${t}' is not a module name.`);
            return new ModuleFastSpec(v);
          }
          if (/\s/.test(t)) throw new ModuleSpecError(t, `'${t}' is not a module name.`);
          return new ModuleFastSpec(t);
        }),
      );
    }
  }
  return specs;
}

/** Splits `-Name value -Other value` at top-level parameter dashes (outside quotes and brackets). */
function splitRequiresParameters(text: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  let current: { name: string; value: string } | null = null;
  let depth = 0;
  let quote: string | null = null;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quote !== null) {
      if (current) current.value += c;
      if (c === quote) quote = null;
      i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') depth = Math.max(0, depth - 1);
    else if (c === '#' && depth === 0) break; // trailing comment
    if (depth === 0 && quote === null && c === '-' && (i === 0 || /\s/.test(text[i - 1])) && /[A-Za-z]/.test(text[i + 1] ?? '')) {
      let end = i + 1;
      while (end < text.length && /[A-Za-z]/.test(text[end])) end++;
      current = { name: text.slice(i + 1, end), value: '' };
      out.push(current);
      i = end;
      continue;
    }
    if (current) current.value += c;
    i++;
  }
  return out;
}

/** Splits at `sep` outside quotes, braces and parentheses. */
function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') depth--;
    else if (c === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

// ---------------------------------------------------------------------------------------------------
// JSON / JSONC

/**
 * Removes `//` and `/* *\/` comments and trailing commas (before `}` or `]`) from JSONC text, leaving
 * string literals untouched (a `//` inside a URL string stays). Line breaks inside comments are kept.
 * @throws SyntaxError for an unterminated block comment
 */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  const skipComment = (at: number): number => {
    // Returns the index after a comment starting at `at`, or `at` when there is none.
    if (text[at] === '/' && text[at + 1] === '/') {
      let j = at + 2;
      while (j < n && text[j] !== '\n' && text[j] !== '\r') j++;
      return j;
    }
    if (text[at] === '/' && text[at + 1] === '*') {
      const end = text.indexOf('*/', at + 2);
      if (end < 0) throw new SyntaxError('unterminated /* comment in JSON');
      return end + 2;
    }
    return at;
  };
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const afterComment = skipComment(i);
    if (afterComment !== i) {
      const body = text.slice(i, afterComment);
      out += body.startsWith('/*') ? body.replace(/[^\r\n]/g, ' ') : '';
      i = afterComment;
      continue;
    }
    if (c === ',') {
      let j = i + 1;
      for (;;) {
        while (j < n && /\s/.test(text[j])) j++;
        const k = skipComment(j);
        if (k === j) break;
        j = k;
      }
      if (text[j] === '}' || text[j] === ']') {
        i++;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

function jsonToPs(v: unknown, depth: number): PsValue {
  if (depth > MAX_JSON_DEPTH) throw new SyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x) => jsonToPs(x, depth + 1));
  const ht = new PsHashtable();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) ht.set(k, jsonToPs(x, depth + 1));
  return ht;
}

function readJson(source: string, text: string, options?: ReadRequirementOptions): ModuleFastSpec[] {
  let data: PsValue;
  try {
    data = jsonToPs(JSON.parse(stripJsonComments(text)), 0);
  } catch (e) {
    throw new RequirementFileError(source, `not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return specsFromRequirementData(data, { ...options, source });
}

// ---------------------------------------------------------------------------------------------------
// Object formats (ModuleFast ConvertFrom-RequiredSpec)

/**
 * Detects the dialect of a requirement object (ModuleFast Select-RequiredSpecFileType), first match wins
 * per key in order: a key containing `::` or `/`, or a `PSDependOptions` key → PSDepend; a hashtable value
 * with `DependencyType` → PSDepend; a hashtable value with `Repository` or `Version` → PSResourceGet;
 * otherwise ModuleFast.
 */
export function detectSpecFileType(spec: PsHashtable): Exclude<SpecFileType, 'auto'> {
  for (const [key, value] of spec.entries()) {
    if (key.includes('::') || key.includes('/')) return 'PSDepend';
    if (key.toLowerCase() === 'psdependoptions') return 'PSDepend';
    if (value instanceof PsHashtable) {
      if (value.has('DependencyType')) return 'PSDepend';
      if (value.has('Repository') || value.has('Version')) return 'PSResourceGet';
    }
  }
  return 'ModuleFast';
}

/**
 * Converts parsed requirement data (ModuleFast ConvertFrom-RequiredSpec): a string or an array of
 * strings are shorthand specs; a hashtable is read in the detected or forced dialect.
 *
 * @param options.source path or URL for error messages
 * @throws RequirementFileError when the data has no known shape or an entry does not parse
 */
export function specsFromRequirementData(
  data: PsValue,
  options?: { specFileType?: SpecFileType; onWarning?: (message: string) => void; source?: string },
): ModuleFastSpec[] {
  const source = options?.source ?? 'requirement data';
  const warn = options?.onWarning ?? (() => {});
  if (typeof data === 'string') return [wrap(source, () => parseModuleSpec(data))];
  if (Array.isArray(data)) {
    if (!data.every((x) => typeof x === 'string')) {
      throw new RequirementFileError(source, 'Could not evaluate the Required Specification to a known format: an array must hold only specification strings.');
    }
    return data.map((s) => wrap(source, () => parseModuleSpec(s as string)));
  }
  if (!(data instanceof PsHashtable)) {
    throw new RequirementFileError(source, 'Could not evaluate the Required Specification to a known format.');
  }
  let type = options?.specFileType ?? 'auto';
  if (type === 'auto') type = detectSpecFileType(data);
  switch (type) {
    case 'PSDepend':
      return fromPSDepend(data, source, warn);
    case 'PSResourceGet':
      return fromPSResourceGet(data, source, warn);
    default:
      return fromModuleFast(data, source);
  }
}

/** Name → spec with an explicit range; `!` on the name marks prerelease. */
function specWithRange(name: string, range: VersionRange): ModuleFastSpec {
  return new ModuleFastSpec(name, range);
}

function fromModuleFast(spec: PsHashtable, source: string): ModuleFastSpec[] {
  const out: ModuleFastSpec[] = [];
  for (const [name, value] of spec.entries()) {
    if (value instanceof PsHashtable) {
      throw new RequirementFileError(
        source,
        `ModuleFast SpecFile detected but the value of '${name}' is a hashtable. This is not supported. Try using the specFileType option (PSResourceGet or PSDepend) if you expected another format.`,
      );
    }
    if (typeof value !== 'string') {
      throw new RequirementFileError(source, `the value of '${name}' must be a string: only strings and hashtables are supported on the right-hand side.`);
    }
    out.push(
      wrap(source, () => {
        const v = value.trim();
        if (v.toLowerCase() === 'latest') return parseModuleSpec(name);
        const version = v === '' ? null : NuGetVersion.tryParse(v);
        if (version !== null) return specWithRange(name, VersionRange.exact(version));
        const range = v === '' ? null : VersionRange.tryParse(v, { allowFloating: true });
        if (range !== null) return specWithRange(name, range);
        try {
          return parseModuleSpec(`${name}${value}`);
        } catch (e) {
          throw new ModuleSpecError(value, `Could not parse '${value}' (module ${name}) as a valid ModuleFast specification: ${(e as Error).message}`, { cause: e });
        }
      }),
    );
  }
  return out;
}

/** Version text of a PSDepend/PSResourceGet entry → spec: 'latest' any, a version exact, a range/float as range. */
function versionedSpec(name: string, versionText: string, source: string, rangeOnlyIfBracketed: boolean): ModuleFastSpec {
  return wrap(source, () => {
    const v = versionText.trim();
    if (v === '' || v.toLowerCase() === 'latest') return parseModuleSpec(name);
    const looksLikeRange = v.startsWith('[') || v.startsWith('(') || v.includes('*');
    if (!rangeOnlyIfBracketed || !looksLikeRange) {
      const version = NuGetVersion.tryParse(v);
      if (version !== null) return specWithRange(name, VersionRange.exact(version));
    }
    const range = VersionRange.tryParse(v, { allowFloating: true });
    if (range !== null && (looksLikeRange || !rangeOnlyIfBracketed)) return specWithRange(name, range);
    throw new ModuleSpecError(v, `'${v}' (module ${name}) is not a valid version or NuGet version range.`);
  });
}

function fromPSDepend(spec: PsHashtable, source: string, warn: (m: string) => void): ModuleFastSpec[] {
  const initial = new PsHashtable(); // name → version text, case-insensitive like ModuleFast's [ordered]@{}
  const options = spec.get('PSDependOptions');
  if (options instanceof PsHashtable) {
    if (isTrue(options.get('DependencyType') ?? null)) {
      throw new RequirementFileError(source, 'PSDepend Parse: Top-Level DependencyType in PSDependOptions is not currently supported.');
    }
    if (isTrue(options.get('Target') ?? null)) {
      warn(`PSDepend Parse: Target in PSDependOptions is not currently supported and will be ignored. Install to ${toStr(options.get('Target') ?? null)} with an explicit destination instead.`);
    }
  }
  for (const [key, value] of spec.entries()) {
    if (key.toLowerCase() === 'psdependoptions') continue;
    if (key.includes('/')) continue; // GitHub dependency (owner/repo): not a gallery module
    const extended = /^(.+?)::(.+)$/.exec(key);
    if (extended) {
      if (extended[1].toLowerCase() !== 'psgallerymodule') continue;
      const version = value instanceof PsHashtable ? toStr(value.get('Version') ?? 'latest') : value === null ? 'latest' : toStr(value);
      initial.set(extended[2], version);
      continue;
    }
    if (typeof value === 'string') {
      initial.set(key, value);
      continue;
    }
    if (!(value instanceof PsHashtable)) {
      throw new RequirementFileError(source, `PSDepend Parse: the value of '${key}' must be a string or a hashtable.`);
    }
    const type = value.has('DependencyType') ? toStr(value.get('DependencyType') ?? null) : 'PSGalleryModule';
    if (type.toLowerCase() !== 'psgallerymodule') continue;
    const parameters = value.get('Parameters');
    if (parameters instanceof PsHashtable && isTrue(parameters.get('Repository') ?? null)) {
      warn(`PSDepend Parse: Repository specification detected for ${key}. This is not currently supported and will use the default source.`);
    }
    const version = value.get('Version');
    let name = value.has('Name') && isTrue(value.get('Name') ?? null) ? toStr(value.get('Name') ?? null) : key;
    if (parameters instanceof PsHashtable && isTrue(parameters.get('AllowPrerelease') ?? null)) name = `!${name}`;
    initial.set(name, version === undefined || version === null ? 'latest' : toStr(version));
  }
  return initial.entries().map(([name, version]) => versionedSpec(name, toStr(version), source, false));
}

function fromPSResourceGet(spec: PsHashtable, source: string, warn: (m: string) => void): ModuleFastSpec[] {
  const initial = new PsHashtable();
  for (const [key, value] of spec.entries()) {
    if (typeof value === 'string') {
      initial.set(key, value);
      continue;
    }
    if (!(value instanceof PsHashtable)) {
      throw new RequirementFileError(source, `PSResourceGet Parse: the value of '${key}' must be a string or a hashtable.`);
    }
    const version = value.get('Version');
    let name = key;
    if (isTrue(value.get('Prerelease') ?? null)) name = `!${key}`;
    if (value.has('Repository') && value.get('Repository') !== null) {
      warn(`PSResourceGet Parse: Repository specification detected for ${key}. This is not currently supported and will use the default source.`);
    }
    initial.set(name, version === undefined || version === null ? 'latest' : toStr(version));
  }
  // PSResourceGet quirk: a bare version is exact; only [..], (..) and floats are ranges.
  return initial.entries().map(([name, version]) => versionedSpec(name, toStr(version), source, true));
}
