/**
 * Bytes → text for the text files Galleon reads from packages and from disk: module manifests (`.psd1`),
 * requirement files, scripts, lockfiles, and the byte order mark rule the nuspec decoder shares.
 *
 * One rule for byte order marks: EF BB BF is UTF-8, FF FE is UTF-16 LE, FE FF is UTF-16 BE, and the mark
 * is dropped from the text. Without a mark the bytes are UTF-8, as PowerShell 7 reads them; what happens to
 * bytes that are not valid UTF-8 is the caller's choice (`DecodeTextOptions.notUtf8`). UTF-32 marks are not
 * recognised (neither PowerShell's data-file reader nor NuGet accept them).
 */

/** An encoding a byte order mark names. The names are WHATWG encoding labels (`TextDecoder`). */
export type BomEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** A byte order mark found at the start of some bytes: the encoding it names and its length in bytes. */
export interface ByteOrderMark {
  encoding: BomEncoding;
  /** 3 for UTF-8, 2 for UTF-16. */
  length: 2 | 3;
}

/**
 * The byte order mark at the start of `bytes` (UTF-8 EF BB BF, UTF-16 LE FF FE, UTF-16 BE FE FF), or null
 * when there is none.
 */
export function byteOrderMark(bytes: Uint8Array): ByteOrderMark | null {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/** Options for {@link decodeText}. */
export interface DecodeTextOptions {
  /**
   * What BOM-less bytes that are not valid UTF-8 become:
   * - `'replacement'` (default): UTF-8 with U+FFFD for each invalid sequence, as PowerShell 7 reads them;
   * - `'windows-1252'`: the whole text read as Windows-1252, what Windows PowerShell 5.1 assumes for
   *   BOM-less files (used for module manifests inside pushed packages, NUGET-V3.md §9.2).
   */
  notUtf8?: 'replacement' | 'windows-1252';
}

/**
 * Decodes text file bytes by their byte order mark (see the module comment) and drops the mark; bytes
 * without one are UTF-8, with `options.notUtf8` deciding what invalid UTF-8 becomes. Never throws: invalid
 * sequences after a mark become U+FFFD. A string input is returned without its leading U+FEFF, if any, so
 * callers can take either form.
 *
 * @param input file bytes (a `Buffer` is a `Uint8Array`) or already-decoded text
 */
export function decodeText(input: string | Uint8Array, options: DecodeTextOptions = {}): string {
  if (typeof input === 'string') return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const bom = byteOrderMark(input);
  if (bom !== null) return new TextDecoder(bom.encoding).decode(input.subarray(bom.length));
  if (options.notUtf8 === 'windows-1252') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return new TextDecoder('windows-1252').decode(input);
    }
  }
  return new TextDecoder('utf-8').decode(input);
}
