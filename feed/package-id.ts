/**
 * Package id rules (protocol reference §8.3), as NuGet's `PackageIdValidator` applies them.
 */

/** Longest accepted package id, in UTF-16 code units (NuGet `PackageIdValidator.MaxPackageIdLength`). */
export const MAX_PACKAGE_ID_LENGTH = 100;

/**
 * .NET's `\w` is `[\p{L}\p{Mn}\p{Nd}\p{Pc}]` (letters of every script, non-spacing marks, decimal
 * digits, connector punctuation such as `_`). JavaScript's `\w` is ASCII-only even with the `u` flag, so
 * the classes are spelled out. Format characters (zero-width joiner U+200D, right-to-left override
 * U+202E, BOM U+FEFF), spaces, symbols and other punctuation are not word characters.
 */
const W = String.raw`[\p{L}\p{Mn}\p{Nd}\p{Pc}]`;
const ID_PATTERN = new RegExp(String.raw`^${W}+(?:[.-]${W}+)*$`, 'u');

/**
 * True when `id` is a valid package id (§8.3): NuGet's `^\w+([.-]\w+)*$` with Unicode `\w`, at most
 * {@link MAX_PACKAGE_ID_LENGTH} characters. So no spaces, no leading, trailing or doubled `.`/`-`, no
 * other punctuation, no invisible format characters.
 *
 * Deliberate difference from .NET: there `$` also matches before a final "\n", so "Foo\n" passes
 * NuGet's regex; here it is refused.
 *
 * @param id  candidate id exactly as received (not trimmed), e.g. "Newtonsoft.Json", "Ninject.MVC3"
 */
export function isValidPackageId(id: string): boolean {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_PACKAGE_ID_LENGTH && ID_PATTERN.test(id);
}
