/**
 * The one way Galleon binds a list of values to a statement: as **one** parameter holding a PostgreSQL
 * array literal (`{"a","b"}`), cast to `text[]` or `bigint[]`, used as `= any(…)` or through `unnest(…)`.
 *
 * Why not `in ($1, $2, …)`, a row-value `(a, b) in ((…), (…))` or a `values (…), (…)` list built with
 * drizzle's `sql.join`: the first and last cost a protocol parameter per element (PostgreSQL's Bind
 * message counts parameters in 16 bits: 65,535 at most, so 21,846 three-column rows already fail), and
 * a row-value `in` list is parsed into a left-deep chain of binary ORs, one level of recursion per element,
 * which on the embedded database exhausts V8's native stack at about 280 elements; PGlite then swallows the
 * fault and the statement answers no rows (db/embedded.ts). An array parameter is one flat value of any
 * length on both databases, and its statement text, and so its prepared plan, is the same for every size.
 */
import { sql, type SQL } from 'drizzle-orm';

/**
 * A `text[]` array parameter: `${textArray(keys)}` in a drizzle `sql` template renders as `$n::text[]`.
 *
 * @param values any number of strings (NUL is not representable in PostgreSQL text and is refused)
 * @throws Error when a value contains U+0000
 */
export function textArray(values: readonly string[]): SQL {
  return sql`${textArrayLiteral(values)}::text[]`;
}

/** A `bigint[]` array parameter (safe integers only). */
export function bigintArray(values: readonly number[]): SQL {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new Error(`not a safe integer: ${v}`);
  return sql`${`{${values.join(',')}}`}::bigint[]`;
}

/**
 * The PostgreSQL array literal of `values`: every element double-quoted, `"` and `\` escaped, so that
 * commas, braces, spaces, quotes and the word NULL stay plain text (PostgreSQL docs §8.15.6).
 */
export function textArrayLiteral(values: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v.includes('\u0000')) throw new Error('a text array element contains NUL');
    if (i > 0) out += ',';
    out += '"' + v.replace(/[\\"]/g, (m) => '\\' + m) + '"';
  }
  return out + '}';
}
