/**
 * Text from a request (an id, a version, a header) put into a message for the client or the log.
 */

/** Printable ASCII only (others become `?`), at most 64 characters (then `…`). */
export function printable(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}
