/**
 * What every HTML page of the server shares: escaping of text and attribute values, and the strict
 * Content-Security-Policy of a page with one inline style sheet and nothing else (no script, image,
 * frame, form or base URL), allowed by its SHA-256 hash (CSP Level 3 `hash-source`).
 */
import { createHash } from 'node:crypto';

/** Escapes text for HTML element content and quoted attribute values (`& < > " '` as numeric references). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * The Content-Security-Policy of a page whose only resource is the inline `<style>` with exactly `css`
 * as its content: everything else is refused, and the page cannot be framed.
 */
export function strictCsp(css: string): string {
  const hash = createHash('sha256').update(css).digest('base64');
  return `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}
