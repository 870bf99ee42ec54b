/**
 * Evaluation of the dynamic constructs ModuleFast allows in restricted language mode (MODULEFAST.md §1):
 * the default variables (PowerShell 7.4 on CoreCLR), comparison operators (`-eq` .. `-notin`, `-like`
 * wildcards), `+`, `-`, casts and member access. Each operation returns a `PsValue`, or an `Error` whose
 * message the parser reports with the line and column of the operator.
 */

import { PsHashtable, describe, enumerate, isTrue, toNum, toStr, type PsValue } from './values.ts';

/** Upper bound on `subject.length * pattern.length` for one `-like` comparison. */
const MAX_LIKE_WORK = 4_000_000;

/** The variables dynamic manifests are evaluated with: PowerShell 7.4 on CoreCLR, as ModuleFast runs. */
export const DEFAULT_PS_VARIABLES: Readonly<Record<string, PsValue>> = Object.freeze({
  PSEdition: 'Core',
  IsCoreCLR: true,
  PSVersionTable: new PsHashtable([
    ['PSVersion', new PsHashtable([['Major', 7], ['Minor', 4], ['Patch', 0], ['Build', 0], ['Revision', -1]])],
    ['PSEdition', 'Core'],
  ]),
});

/** Wildcard match (`*`, `?`, `[abc]`, `[a-z]`, backtick escape) without regular expressions. */
function wildcardMatch(subject: string, pattern: string, caseSensitive: boolean): boolean {
  if (subject.length * Math.max(1, pattern.length) > MAX_LIKE_WORK) {
    throw new Error('-like operands are too long');
  }
  const s = caseSensitive ? subject : subject.toLowerCase();
  const p = caseSensitive ? pattern : pattern.toLowerCase();
  // Compile the pattern into atoms, then run a linear-space DP over subject positions.
  type Atom = { kind: 'star' } | { kind: 'any' } | { kind: 'set'; test: (c: string) => boolean } | { kind: 'char'; c: string };
  const atoms: Atom[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') atoms.push({ kind: 'star' });
    else if (c === '?') atoms.push({ kind: 'any' });
    else if (c === '`' && i + 1 < p.length) atoms.push({ kind: 'char', c: p[++i] });
    else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) {
        atoms.push({ kind: 'char', c });
        continue;
      }
      const body = p.slice(i + 1, end);
      i = end;
      atoms.push({
        kind: 'set',
        test: (ch: string) => {
          for (let k = 0; k < body.length; k++) {
            if (k + 2 < body.length && body[k + 1] === '-') {
              if (ch >= body[k] && ch <= body[k + 2]) return true;
              k += 2;
            } else if (body[k] === ch) return true;
          }
          return false;
        },
      });
    } else atoms.push({ kind: 'char', c });
  }
  let prev = new Array<boolean>(s.length + 1).fill(false);
  prev[0] = true;
  for (const atom of atoms) {
    const next = new Array<boolean>(s.length + 1).fill(false);
    if (atom.kind === 'star') {
      let reach = false;
      for (let j = 0; j <= s.length; j++) {
        reach = reach || prev[j];
        next[j] = reach;
      }
    } else {
      for (let j = 1; j <= s.length; j++) {
        if (!prev[j - 1]) continue;
        const ch = s[j - 1];
        const ok = atom.kind === 'any' ? true : atom.kind === 'char' ? atom.c === ch : atom.test(ch);
        if (ok) next[j] = true;
      }
    }
    prev = next;
  }
  return prev[s.length];
}

/** The text a `$variable` expands to inside a double-quoted string: `$true`, `$false`, `$null` only; null for any other name (kept literally). */
export function expandVariable(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower === 'true') return 'True';
  if (lower === 'false') return 'False';
  if (lower === 'null') return '';
  return null;
}

/** `value.Member`: a hashtable key (case-insensitive) or `Count`, a string's `Length`, an array's `Count`/`Length`; `$null` otherwise. */
export function memberOf(v: PsValue, member: string): PsValue {
  if (v instanceof PsHashtable) {
    if (v.has(member)) return v.get(member) as PsValue;
    const m = member.toLowerCase();
    if (m === 'count') return v.size;
    return null;
  }
  const m = member.toLowerCase();
  if (typeof v === 'string' && m === 'length') return v.length;
  if (Array.isArray(v) && (m === 'count' || m === 'length')) return v.length;
  return null;
}

function scalarEquals(a: PsValue, b: PsValue, caseSensitive: boolean): boolean {
  if (a === null) return b === null;
  if (typeof a === 'string') {
    if (b === null) return false;
    const bs = toStr(b);
    return caseSensitive ? a === bs : a.toLowerCase() === bs.toLowerCase();
  }
  if (typeof a === 'number') {
    if (b === null) return false;
    return a === toNum(b);
  }
  if (typeof a === 'boolean') return a === isTrue(b);
  return a === b;
}

function scalarOrder(a: PsValue, b: PsValue, caseSensitive: boolean): number {
  if (typeof a === 'number' || typeof a === 'boolean') {
    const bn = toNum(b);
    if (Number.isNaN(bn)) throw new Error(`cannot compare a number with '${toStr(b)}'`);
    return Math.sign(toNum(a) - bn);
  }
  if (a === null) return b === null ? 0 : -1;
  const as = caseSensitive ? toStr(a) : toStr(a).toLowerCase();
  const bs = caseSensitive ? toStr(b) : toStr(b).toLowerCase();
  return as < bs ? -1 : as > bs ? 1 : 0;
}

function scalarCompare(op: string, a: PsValue, b: PsValue, cs: boolean): boolean {
  switch (op) {
    case 'eq': return scalarEquals(a, b, cs);
    case 'ne': return !scalarEquals(a, b, cs);
    case 'gt': return scalarOrder(a, b, cs) > 0;
    case 'ge': return scalarOrder(a, b, cs) >= 0;
    case 'lt': return scalarOrder(a, b, cs) < 0;
    case 'le': return scalarOrder(a, b, cs) <= 0;
    case 'like': return wildcardMatch(toStr(a), toStr(b), cs);
    case 'notlike': return !wildcardMatch(toStr(a), toStr(b), cs);
    default: throw new Error(`unknown operator -${op}`);
  }
}

/**
 * A comparison operator (`op` without the dash and the `c`/`i` prefix: `eq`, `ne`, `gt`, `ge`, `lt`, `le`, `like`,
 * `notlike`, `contains`, `notcontains`, `in`, `notin`), case-sensitive when `cs`. An array on the left filters,
 * as PowerShell does.
 * @throws Error when operands cannot be ordered or a `-like` is too costly
 */
export function compare(op: string, left: PsValue, right: PsValue, cs: boolean): PsValue {
  if (op === 'contains' || op === 'notcontains') {
    const found = enumerate(left).some((x) => scalarEquals(x, right, cs));
    return op === 'contains' ? found : !found;
  }
  if (op === 'in' || op === 'notin') {
    const found = enumerate(right).some((x) => scalarEquals(x, left, cs));
    return op === 'in' ? found : !found;
  }
  if (Array.isArray(left)) return left.filter((x) => scalarCompare(op, x, right, cs));
  return scalarCompare(op, left, right, cs);
}

/** PowerShell's `+`: string concatenation, numeric sum, array concatenation, hashtable union (duplicate keys refused). */
export function add(a: PsValue, b: PsValue): PsValue | Error {
  if (a === null) return b;
  if (typeof a === 'string') return a + toStr(b);
  if (typeof a === 'number') {
    const n = toNum(b);
    return Number.isNaN(n) ? new Error(`cannot add '${toStr(b)}' to a number`) : a + n;
  }
  if (Array.isArray(a)) return a.concat(enumerate(b));
  if (a instanceof PsHashtable) {
    if (!(b instanceof PsHashtable)) return new Error('a hashtable can only be added to another hashtable');
    const out = new PsHashtable(a.entries());
    for (const [k, v] of b.entries()) {
      if (out.has(k)) return new Error(`duplicate key '${k}' when adding hashtables`);
      out.set(k, v);
    }
    return out;
  }
  return new Error(`cannot add to ${describe(a)}`);
}

/** PowerShell's `-` on numbers (and values that convert to numbers). */
export function subtract(a: PsValue, b: PsValue): PsValue | Error {
  const x = toNum(a);
  const y = toNum(b);
  if (typeof a === 'string' || Array.isArray(a) || a instanceof PsHashtable || Number.isNaN(x) || Number.isNaN(y)) {
    return new Error('the - operator only applies to numbers');
  }
  return x - y;
}

/** A type cast `[typeName]value` (`string`, integer types with banker's rounding, `double`, `bool`, `version`, `T[]`, ...); unknown types are stripped. */
export function castTo(typeName: string, v: PsValue): PsValue | Error {
  let t = typeName.toLowerCase().replace(/\s+/g, '');
  if (t.startsWith('system.')) t = t.slice(7);
  if (t.endsWith('[]')) {
    const elem = t.slice(0, -2);
    const items = v === null ? [] : enumerate(v);
    const out: PsValue[] = [];
    for (const item of items) {
      const r = elem === 'object' ? item : castTo(elem, item);
      if (r instanceof Error) return r;
      out.push(r);
    }
    return out;
  }
  switch (t) {
    case 'string':
      return v === null ? '' : toStr(v);
    case 'int': case 'int32': case 'int16': case 'int64': case 'long': case 'short': case 'byte': case 'sbyte':
    case 'uint16': case 'uint32': case 'uint64': case 'uint': case 'ulong': case 'ushort': {
      const n = toNum(v);
      if (Number.isNaN(n) || Array.isArray(v) || v instanceof PsHashtable) return new Error(`cannot convert ${describe(v)} to [${typeName}]`);
      return roundHalfEven(n);
    }
    case 'double': case 'single': case 'float': case 'decimal': {
      const n = toNum(v);
      if (Number.isNaN(n) || Array.isArray(v) || v instanceof PsHashtable) return new Error(`cannot convert ${describe(v)} to [${typeName}]`);
      return n;
    }
    case 'bool': case 'boolean': case 'switch': case 'management.automation.switchparameter':
      return isTrue(v);
    case 'version': case 'semver': case 'semanticversion': case 'management.automation.semanticversion':
    case 'guid': case 'uri': case 'char': case 'datetime': case 'timespan':
      if (Array.isArray(v) || v instanceof PsHashtable) return new Error(`cannot convert ${describe(v)} to [${typeName}]`);
      return v === null ? null : toStr(v);
    case 'array': case 'object[]': case 'collections.arraylist':
      return v === null ? [] : enumerate(v);
    default:
      // [ordered], [hashtable], [pscustomobject], [object], unknown types: the cast is stripped.
      return v;
  }
}

function roundHalfEven(n: number): number {
  const r = Math.round(n);
  return Math.abs(n % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
