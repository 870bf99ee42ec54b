/**
 * The values of PowerShell's data language and PowerShell's conversions between them (MODULEFAST.md §1,
 * `LanguagePrimitives`): `PsValue`, the case-insensitive `PsHashtable`, string conversion and truthiness.
 * Shared by the parser, the evaluator and the manifest readers; imports nothing.
 */

/** A value of the data language: strings, numbers, booleans, `$null`, arrays and hashtables. */
export type PsValue = string | number | boolean | null | PsValue[] | PsHashtable;

/**
 * An ordered hashtable with case-insensitive string keys, as PowerShell hashtable literals behave.
 * Keys keep the spelling of their first insertion; iteration follows insertion order (PowerShell's own
 * `Hashtable` is unordered, the written order is kept here because manifests and requirement files are
 * read in that order).
 */
export class PsHashtable {
  private readonly map = new Map<string, { key: string; value: PsValue }>();

  /** @param entries initial `[key, value]` pairs; a later duplicate (case-insensitive) replaces the value. */
  constructor(entries?: Iterable<readonly [string, PsValue]>) {
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }

  /** The value stored under `key` (case-insensitive), or `undefined` when the key is absent. */
  get(key: string): PsValue | undefined {
    return this.map.get(key.toLowerCase())?.value;
  }

  /** True when `key` (case-insensitive) is present, even if its value is `$null`. */
  has(key: string): boolean {
    return this.map.has(key.toLowerCase());
  }

  /** Stores `value` under `key`; an existing key keeps its original spelling and position. */
  set(key: string, value: PsValue): this {
    const lower = key.toLowerCase();
    const existing = this.map.get(lower);
    if (existing) existing.value = value;
    else this.map.set(lower, { key, value });
    return this;
  }

  /** Removes `key` (case-insensitive); returns whether it was present. */
  delete(key: string): boolean {
    return this.map.delete(key.toLowerCase());
  }

  /** Number of entries. */
  get size(): number {
    return this.map.size;
  }

  /** Keys in insertion order, spelled as first inserted. */
  keys(): string[] {
    return [...this.map.values()].map((e) => e.key);
  }

  /** `[key, value]` pairs in insertion order. */
  entries(): [string, PsValue][] {
    return [...this.map.values()].map((e) => [e.key, e.value]);
  }

  /**
   * A plain-object deep copy (nested hashtables become objects, arrays are copied). Keys keep their
   * spelling; keys such as `__proto__` become ordinary own properties.
   */
  toObject(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.entries()) {
      Object.defineProperty(out, k, { value: plain(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
}

function plain(v: PsValue): unknown {
  if (v instanceof PsHashtable) return v.toObject();
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/** PowerShell's string conversion: `$null` → '', booleans → 'True'/'False', arrays joined by spaces. */
export function toStr(v: PsValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(v);
  if (Array.isArray(v)) return v.map(toStr).join(' ');
  return 'System.Collections.Hashtable';
}

/** PowerShell truthiness (`LanguagePrimitives.IsTrue`). */
export function isTrue(v: PsValue): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length === 0 ? false : v.length === 1 ? isTrue(v[0]) : true;
  return true;
}

/** A short English description of a value's kind for error messages (`a hashtable`, `$null`, `nothing`). */
export function describe(v: PsValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return '$null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof PsHashtable) return 'a hashtable';
  return `a ${typeof v}`;
}

/**
 * PowerShell's numeric conversion: booleans 0/1, `$null` and blank strings 0, decimal or `0x` hex strings;
 * NaN for anything else (arrays, hashtables, non-numeric strings).
 */
export function toNum(v: PsValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null) return 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return 0;
    if (/^[+-]?0x[0-9a-f]+$/i.test(t)) return (t.startsWith('-') ? -1 : 1) * Number.parseInt(t.replace(/^[+-]?0x/i, ''), 16);
    const n = Number(t);
    return Number.isFinite(n) ? n : Number.NaN;
  }
  return Number.NaN;
}

/** A statement list's outputs as one value, as PowerShell returns them: none → `$null`, one → itself, more → an array. */
export function collapse(outputs: PsValue[]): PsValue {
  if (outputs.length === 0) return null;
  if (outputs.length === 1) return outputs[0];
  return outputs;
}

/** The items PowerShell enumerates for a value: an array's elements, or the value alone. */
export function enumerate(v: PsValue): PsValue[] {
  return Array.isArray(v) ? v : [v];
}
