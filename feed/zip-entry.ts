/**
 * The one zip entry-name safety rule: which names inside a `.nupkg` are refused, both when the feed
 * inspects a push (feed/nupkg.ts, answered 400) and when the client extracts a package into a module
 * folder (client/install.ts). A package another feed accepted must not escape the destination folder,
 * nor hold a name Windows cannot create, on any operating system the client runs on.
 *
 * NuGet percent-decodes entry names when it extracts them (`ZipArchiveExtensions.UnescapePath`:
 * `My%20File.ps1` → `My File.ps1`), so every check runs on the name as stored and on its decoded form.
 * A backslash counts as a path separator (Windows reads it as one), but is not refused by itself: .NET
 * Framework 4.5's `ZipFile` wrote `lib\net45\a.dll` names and real packages carry them. Empty segments
 * (`lib//a.txt`, a trailing `/` of a directory entry) and `.` segments are harmless and allowed.
 *
 * Refused, in the order checked (the first problem is reported):
 * - `empty`: an empty name;
 * - `control`: a control character U+0000–U+001F or U+007F (NUL included; Windows refuses 1–31 in names);
 * - `absolute`: a leading `/` or `\` (root, UNC `\\server\share`, `\\?\` device paths);
 * - `colon`: any `:` (drive letters `C:/`, drive-relative `C:evil`, NTFS alternate data streams `a:b`);
 * - `dotdot`: a `..` segment, also `...` or `.. ` which Windows trims to `..`;
 * - `windows-character`: one of `< > " | ? *`, which Windows file names cannot hold;
 * - `trailing-dot-or-space`: a segment (other than `.`) ending in `.` or a space, which Windows silently
 *   drops (so `a.` and `a` would be one file, and a check on the stored name would not hold on disk);
 * - `reserved-name`: a segment whose part before the first `.` (trailing spaces ignored) is a Windows
 *   reserved device name, any case: CON, PRN, AUX, NUL, COM0–COM9, LPT0–LPT9 (also with the
 *   superscript digits ¹²³), CONIN$, CONOUT$ (`nul.txt` opens the NUL device on Windows).
 */

/** Why an entry name is refused; see the module comment. */
export type ZipEntryNameProblemKind =
  | 'empty'
  | 'control'
  | 'absolute'
  | 'colon'
  | 'dotdot'
  | 'windows-character'
  | 'trailing-dot-or-space'
  | 'reserved-name';

/** A refused entry name: the kind of problem and one plain phrase describing it (no trailing period). */
export interface ZipEntryNameProblem {
  kind: ZipEntryNameProblemKind;
  /** e.g. "has a '..' path segment"; callers prefix the quoted entry name */
  reason: string;
}

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const WINDOWS_CHARS = /[<>"|?*]/;
const RESERVED_NAMES = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

/**
 * NuGet's `ZipArchiveExtensions.UnescapePath`: percent-decodes the runs of `%XX` escapes in a name that
 * contains `%`; a run that is not valid UTF-8 stays as written.
 */
export function unescapeEntryName(name: string): string {
  if (!name.includes('%')) return name;
  return name.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * Checks one zip entry name against the rule in the module comment, as stored and percent-decoded.
 * @param name  the entry name as stored in the zip (decoded from CP437 or UTF-8)
 * @returns the first problem found, or null when the name is safe to extract on Windows and elsewhere
 */
export function zipEntryNameProblem(name: string): ZipEntryNameProblem | null {
  if (name.length === 0) return { kind: 'empty', reason: 'has an empty name' };
  const decoded = unescapeEntryName(name);
  for (const form of decoded === name ? [name] : [name, decoded]) {
    const problem = formProblem(form);
    if (problem !== null) return problem;
  }
  return null;
}

function formProblem(form: string): ZipEntryNameProblem | null {
  if (CONTROL_CHARS.test(form)) return { kind: 'control', reason: 'has a control character in its name' };
  const p = form.replace(/\\/g, '/');
  if (p.startsWith('/')) return { kind: 'absolute', reason: 'has an absolute path' };
  if (p.includes(':')) return { kind: 'colon', reason: "contains ':' (a drive letter or a Windows alternate data stream)" };
  const segments = p.split('/');
  // Windows drops trailing dots and spaces, so "..." and ".. " also mean "..".
  if (segments.some((s) => s.includes('..') && s.replace(/[. ]+$/, '') === '')) return { kind: 'dotdot', reason: "has a '..' path segment" };
  if (WINDOWS_CHARS.test(p)) return { kind: 'windows-character', reason: 'contains one of < > " | ? * (not allowed in Windows file names)' };
  for (const s of segments) {
    if (s === '' || s === '.') continue;
    if (s.endsWith('.') || s.endsWith(' ')) {
      return { kind: 'trailing-dot-or-space', reason: `has a path segment ending in a dot or a space ("${s}"), which Windows drops` };
    }
    const stem = s.split('.', 1)[0]!.replace(/ +$/, '');
    if (RESERVED_NAMES.test(stem)) return { kind: 'reserved-name', reason: `uses the reserved Windows device name "${stem}"` };
  }
  return null;
}

/**
 * The path segments an entry is extracted to: the percent-decoded name split on `/` and `\`, without
 * empty and `.` segments (an empty list means the archive root itself, e.g. an entry named `./`).
 * @throws Error naming the problem when {@link zipEntryNameProblem} refuses the name; callers check first
 *         and raise their own error type
 */
export function zipEntrySegments(name: string): string[] {
  const problem = zipEntryNameProblem(name);
  if (problem !== null) throw new Error(`The zip entry ${JSON.stringify(name)} ${problem.reason}.`);
  return unescapeEntryName(name)
    .split(/[\\/]/)
    .filter((s) => s !== '' && s !== '.');
}
