/**
 * Parser for PowerShell's restricted data language: the `.psd1` module manifests found inside pushed
 * packages (NUGET-V3.md §9) and the requirement files read by the reference client (MODULEFAST.md §1
 * "Requirement files").
 *
 * What it accepts is what `Import-PowerShellDataFile` accepts, plus the small set of dynamic constructs
 * that ModuleFast evaluates in restricted language mode (`if`/`elseif`/`else` around values or
 * statements, comparison and logical operators, `$PSEdition`, `$IsCoreCLR`, `$PSVersionTable`):
 *
 * - hashtables `@{ k = v; k2 = v2 }` (newline or `;` separated; keys bare words, quoted strings or
 *   numbers; case-insensitive, duplicates rejected as PowerShell does), `[ordered]@{}`;
 * - arrays `@( ... )` (a statement list whose outputs are collected) and comma lists `'a','b'`;
 * - single-quoted strings (`''` escape), double-quoted strings (backtick escapes; `$true`, `$false`,
 *   `$null` expand to `True`, `False` and the empty string; any other `$variable` or `$( ... )` is kept
 *   as literal text), here-strings `@' ... '@` and `@" ... "@`, the typographic quote characters PowerShell
 *   also accepts;
 * - numbers (decimal, exponent, hex `0x`, binary `0b`, type suffixes, `kb`..`pb` multipliers), `$true`,
 *   `$false`, `$null`;
 * - `#` line comments, `<# #>` block comments (so an Authenticode `# SIG # Begin signature block` trailer
 *   is just comments), backtick line continuation;
 * - type casts `[version]'1.0'`, `[string]...`, `[int]...`, `[string[]]...`; unknown types are stripped.
 *
 * Dynamic manifests are evaluated as PowerShell 7 on CoreCLR would: `$PSEdition = 'Core'`,
 * `$IsCoreCLR = $true`, `$PSVersionTable.PSVersion.Major = 7` (override with `options.variables`).
 * Branches that are not taken are still parsed (syntax errors in them are reported) but not evaluated.
 *
 * Everything else (commands, script blocks, method calls, loops, regular-expression operators, unknown
 * variables) raises `Psd1SyntaxError` with the 1-based line and column. The parser is linear in the input
 * apart from `-like` wildcard matching, which is capped; nesting is capped at `MAX_DEPTH`, so hostile
 * input can neither hang it nor overflow the stack.
 */

import { decodeText } from '../text.ts';
import { DEFAULT_PS_VARIABLES, add, castTo, compare, expandVariable, memberOf, subtract } from './evaluate.ts';
import { PsHashtable, collapse, describe, enumerate, isTrue, toNum, toStr, type PsValue } from './values.ts';

/** Maximum nesting of hashtables, arrays, parentheses, blocks and unary operators. */
export const MAX_DEPTH = 200;

/**
 * Raised for anything that is not valid data-language input: malformed syntax, commands, script blocks,
 * unsupported operators or variables, nesting deeper than `MAX_DEPTH`, a file whose top level is not a
 * single hashtable. `line` and `column` are 1-based and point at the offending character.
 */
export class Psd1SyntaxError extends Error {
  readonly code = 'psd1_syntax';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} (line ${line}, column ${column})`);
    this.name = 'Psd1SyntaxError';
  }
}

/** Options for the parse functions. */
export interface Psd1ParseOptions {
  /**
   * Variables visible to dynamic expressions, case-insensitive names without `$`, laid over
   * `DEFAULT_PS_VARIABLES` (PowerShell 7 on CoreCLR). `$true`, `$false` and `$null` are always defined.
   */
  variables?: Record<string, PsValue>;
}

/**
 * Parses a whole `.psd1` file whose top level must be exactly one hashtable (after evaluating any
 * top-level `if`). A Buffer is decoded by its BOM: UTF-8 (EF BB BF), UTF-16 LE (FF FE), UTF-16 BE (FE FF);
 * without a BOM it is read as UTF-8, as PowerShell 7 does.
 *
 * @throws Psd1SyntaxError for invalid input or a top level that is not a single hashtable
 */
export function parsePowerShellDataFile(text: string | Buffer | Uint8Array, options?: Psd1ParseOptions): PsHashtable {
  const parser = new Parser(decodeText(text), { ...DEFAULT_PS_VARIABLES, ...options?.variables });
  const outputs = parser.parseProgram();
  if (outputs.length !== 1 || !(outputs[0] instanceof PsHashtable)) {
    throw new Psd1SyntaxError(
      `a PowerShell data file must contain exactly one hashtable, found ${outputs.length === 1 ? describe(outputs[0]) : `${outputs.length} values`}`,
      1,
      1,
    );
  }
  return outputs[0];
}

/**
 * Parses one data-language value, e.g. a ModuleSpecification hashtable string `@{ModuleName='X'}`, an
 * array `'a','b'` or a quoted string. Several top-level statements are collected into an array; an
 * empty input gives `null`.
 *
 * @throws Psd1SyntaxError for invalid input
 */
export function parsePowerShellValue(text: string, options?: Psd1ParseOptions): PsValue {
  const parser = new Parser(decodeText(text), { ...DEFAULT_PS_VARIABLES, ...options?.variables });
  return parser.parseValueProgram();
}


// ---------------------------------------------------------------------------------------------------
// Parser

type StatementResult = { kind: 'expr'; value: PsValue } | { kind: 'outputs'; values: PsValue[] };

const SINGLE_QUOTES = new Set(["'", '\u2018', '\u2019', '\u201a', '\u201b']);
const DOUBLE_QUOTES = new Set(['"', '\u201c', '\u201d', '\u201e']);
const DASHES = new Set(['-', '\u2013', '\u2014', '\u2015']);

const COMPARISON_OPS = new Set([
  'eq', 'ne', 'gt', 'ge', 'lt', 'le', 'like', 'notlike', 'contains', 'notcontains', 'in', 'notin',
]);
const LOGICAL_OPS = new Set(['and', 'or', 'xor']);
const UNSUPPORTED_OPS = new Set([
  'match', 'notmatch', 'replace', 'split', 'join', 'f', 'is', 'isnot', 'as', 'band', 'bor', 'bxor', 'bnot', 'shl', 'shr',
]);
const STATEMENT_KEYWORDS = new Set([
  'foreach', 'for', 'while', 'do', 'switch', 'function', 'filter', 'workflow', 'param', 'begin', 'process', 'end',
  'try', 'trap', 'throw', 'return', 'break', 'continue', 'exit', 'class', 'enum', 'using', 'data', 'dynamicparam',
  'configuration', 'import',
]);

function isNewline(c: string | undefined): boolean {
  return c === '\n' || c === '\r';
}
function isSpace(c: string | undefined): boolean {
  return c !== undefined && c !== '\n' && c !== '\r' && /\s/.test(c);
}
function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}_]/u.test(c);
}
function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_]/u.test(c);
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

class Parser {
  private pos = 0;
  private depth = 0;
  /** False while parsing a branch that is not taken: values are computed leniently and discarded. */
  private live = true;
  private readonly vars = new Map<string, PsValue>();

  constructor(
    private readonly src: string,
    variables: Readonly<Record<string, PsValue>>,
  ) {
    for (const [k, v] of Object.entries(variables)) this.vars.set(k.toLowerCase(), v);
  }

  // --- errors and positions ---

  private fail(message: string, at = this.pos): never {
    let line = 1;
    let col = 1;
    for (let i = 0; i < at && i < this.src.length; i++) {
      const c = this.src[i];
      if (c === '\n' || (c === '\r' && this.src[i + 1] !== '\n')) {
        line++;
        col = 1;
      } else if (c !== '\r') col++;
    }
    throw new Psd1SyntaxError(message, line, col);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
  }
  private leave(): void {
    this.depth--;
  }

  private peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  private expect(ch: string, what = `'${ch}'`): void {
    if (this.src[this.pos] !== ch) this.fail(`expected ${what}${this.found()}`);
    this.pos++;
  }

  private found(): string {
    const c = this.src[this.pos];
    if (c === undefined) return ' but reached the end of the input';
    if (isNewline(c)) return ' but found a line break';
    return ` but found '${c}'`;
  }

  /** Skips whitespace, comments and line continuations; line breaks too when `newlines` is set. */
  private skipTrivia(newlines: boolean): void {
    const s = this.src;
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) return;
      if (isSpace(c)) {
        this.pos++;
      } else if (c === '`' && isNewline(s[this.pos + 1])) {
        this.pos += s[this.pos + 1] === '\r' && s[this.pos + 2] === '\n' ? 3 : 2;
      } else if (c === '<' && s[this.pos + 1] === '#') {
        const end = s.indexOf('#>', this.pos + 2);
        if (end < 0) this.fail('unterminated block comment <# ... #>');
        this.pos = end + 2;
      } else if (c === '#') {
        while (this.pos < s.length && !isNewline(s[this.pos])) this.pos++;
      } else if (newlines && isNewline(c)) {
        this.pos++;
      } else return;
    }
  }

  /** Reads an identifier-like word at `pos` without consuming it. */
  private wordAt(at: number): string {
    let end = at;
    while (end < this.src.length && (isIdentChar(this.src[end]) || this.src[end] === '-')) end++;
    return this.src.slice(at, end);
  }

  /** If a keyword (case-insensitive, followed by a non-word character) starts at pos. */
  private atKeyword(kw: string): boolean {
    const s = this.src.slice(this.pos, this.pos + kw.length);
    if (s.toLowerCase() !== kw) return false;
    const after = this.src[this.pos + kw.length];
    return !isIdentChar(after) && after !== '-' && after !== '.';
  }

  /** If a dash operator (e.g. `-eq`, `-iLike`) starts at pos, returns its lower-case name (without dash). */
  private operatorAt(): string | null {
    if (!DASHES.has(this.src[this.pos] ?? '')) return null;
    let end = this.pos + 1;
    while (end < this.src.length && /[A-Za-z]/.test(this.src[end])) end++;
    if (end === this.pos + 1) return null;
    if (isIdentChar(this.src[end])) return null;
    return this.src.slice(this.pos + 1, end).toLowerCase();
  }

  // --- statements ---

  /** Top level: a statement list up to the end of the input. */
  parseProgram(): PsValue[] {
    const outputs = this.parseStatementList(undefined);
    if (this.pos < this.src.length) this.fail(`unexpected '${this.src[this.pos]}'`);
    return outputs;
  }

  /**
   * Top level read as one value: a single expression statement keeps its value as is (`@()` stays an
   * empty array, `,'a'` a one-element array); several statements are collected like a script's output.
   */
  parseValueProgram(): PsValue {
    const results: StatementResult[] = [];
    this.parseStatementList(undefined, results);
    if (this.pos < this.src.length) this.fail(`unexpected '${this.src[this.pos]}'`);
    if (results.length === 1 && results[0].kind === 'expr') return results[0].value;
    return collapse(results.flatMap((r) => (r.kind === 'expr' ? enumerate(r.value) : r.values)));
  }

  /** Statements separated by line breaks or `;`, up to `close` (or the end of input when undefined). */
  private parseStatementList(close: ')' | '}' | undefined, results?: StatementResult[]): PsValue[] {
    const outputs: PsValue[] = [];
    for (;;) {
      this.skipTrivia(true);
      while (this.peek() === ';') {
        this.pos++;
        this.skipTrivia(true);
      }
      const c = this.peek();
      if (c === undefined) {
        if (close) this.fail(`expected '${close}' but reached the end of the input`);
        return outputs;
      }
      if (c === close) return outputs;
      if (c === ')' || c === '}') this.fail(`unexpected '${c}'`);
      const r = this.parseStatement();
      results?.push(r);
      // Loops, not push(...spread): a huge array would exceed the argument limit.
      for (const v of r.kind === 'expr' ? enumerate(r.value) : r.values) outputs.push(v);
      this.skipTrivia(false);
      const n = this.peek();
      if (n === undefined || isNewline(n) || n === ';' || n === close) continue;
      this.fail(`unexpected '${n}' after a value (missing line break or ';'?)`);
    }
  }

  private parseStatement(): StatementResult {
    this.skipTrivia(false);
    if (this.atKeyword('if')) return { kind: 'outputs', values: this.parseIf() };
    if (isIdentStart(this.peek())) {
      const word = this.wordAt(this.pos).toLowerCase();
      if (STATEMENT_KEYWORDS.has(word)) this.fail(`'${word}' statements are not allowed in a data file`);
    }
    return { kind: 'expr', value: this.parseExpression() };
  }

  private parseIf(): PsValue[] {
    this.enter();
    let taken = false;
    let result: PsValue[] = [];
    const outerLive = this.live;
    this.pos += 2; // 'if'
    for (;;) {
      this.skipTrivia(true);
      this.expect('(', "'(' after if");
      this.skipTrivia(true);
      const cond = this.parseExpression();
      this.skipTrivia(true);
      this.expect(')', "')' closing the if condition");
      const takeThis = outerLive && !taken && isTrue(cond);
      this.skipTrivia(true);
      const body = this.parseBlock(takeThis);
      if (takeThis) {
        result = body;
        taken = true;
      }
      // Look for elseif / else, possibly after line breaks and comments.
      const save = this.pos;
      this.skipTrivia(true);
      if (this.atKeyword('elseif')) {
        this.pos += 6;
        continue;
      }
      if (this.atKeyword('else')) {
        this.pos += 4;
        this.skipTrivia(true);
        const takeElse = outerLive && !taken;
        const elseBody = this.parseBlock(takeElse);
        if (takeElse) result = elseBody;
        break;
      }
      this.pos = save;
      break;
    }
    this.leave();
    return outerLive ? result : [];
  }

  private parseBlock(live: boolean): PsValue[] {
    this.expect('{', "'{'");
    this.enter();
    const saved = this.live;
    this.live = live;
    const outputs = this.parseStatementList('}');
    this.live = saved;
    this.expect('}');
    this.leave();
    return outputs;
  }

  // --- expressions (lowest to highest precedence) ---

  private parseExpression(): PsValue {
    this.enter();
    let left = this.parseComparison();
    for (;;) {
      const save = this.pos;
      this.skipTrivia(false);
      const op = this.operatorAt();
      if (op === null || !LOGICAL_OPS.has(op)) {
        if (op !== null && UNSUPPORTED_OPS.has(op)) this.fail(`operator -${op} is not supported in a data file`);
        this.pos = save;
        break;
      }
      this.pos += op.length + 1;
      this.skipTrivia(true);
      const right = this.parseComparison();
      if (this.live) {
        const l = isTrue(left);
        const r = isTrue(right);
        left = op === 'and' ? l && r : op === 'or' ? l || r : l !== r;
      } else left = null;
    }
    this.leave();
    return left;
  }

  private parseComparison(): PsValue {
    let left = this.parseAdditive();
    for (;;) {
      const save = this.pos;
      this.skipTrivia(false);
      const raw = this.operatorAt();
      if (raw === null) {
        this.pos = save;
        break;
      }
      let op = raw;
      let caseSensitive = false;
      if (!COMPARISON_OPS.has(op) && (op.startsWith('i') || op.startsWith('c')) && COMPARISON_OPS.has(op.slice(1))) {
        caseSensitive = op.startsWith('c');
        op = op.slice(1);
      }
      if (!COMPARISON_OPS.has(op)) {
        if (LOGICAL_OPS.has(raw)) {
          this.pos = save;
          break;
        }
        if (UNSUPPORTED_OPS.has(raw) || UNSUPPORTED_OPS.has(raw.slice(1))) this.fail(`operator -${raw} is not supported in a data file`);
        this.fail(`unknown operator -${raw}`);
      }
      const opPos = this.pos;
      this.pos += raw.length + 1;
      this.skipTrivia(true);
      const right = this.parseAdditive();
      if (this.live) {
        try {
          left = compare(op, left, right, caseSensitive);
        } catch (e) {
          this.fail((e as Error).message, opPos);
        }
      } else left = null;
    }
    return left;
  }

  private parseAdditive(): PsValue {
    let left = this.parseCommaList();
    // An array built by this chain is extended in place, so `@() + 1 + 1 + ...` stays linear.
    let owned = false;
    for (;;) {
      const save = this.pos;
      this.skipTrivia(false);
      const c = this.peek();
      const isPlus = c === '+';
      const isMinus = c !== undefined && DASHES.has(c) && !/[A-Za-z]/.test(this.peek(1) ?? '');
      if (!isPlus && !isMinus) {
        this.pos = save;
        break;
      }
      const opPos = this.pos;
      this.pos++;
      this.skipTrivia(true);
      const right = this.parseCommaList();
      if (!this.live) {
        left = null;
        continue;
      }
      if (isPlus && owned && Array.isArray(left)) {
        for (const v of enumerate(right)) left.push(v);
        continue;
      }
      if (isPlus && owned && left instanceof PsHashtable && right instanceof PsHashtable) {
        for (const [k, v] of right.entries()) {
          if (left.has(k)) this.fail(`duplicate key '${k}' when adding hashtables`, opPos);
          left.set(k, v);
        }
        continue;
      }
      const r = isPlus ? add(left, right) : subtract(left, right);
      if (r instanceof Error) this.fail(r.message, opPos);
      owned = (Array.isArray(r) || r instanceof PsHashtable) && r !== left && r !== right;
      left = r;
    }
    return left;
  }

  private parseCommaList(): PsValue {
    const first = this.parseUnary();
    let save = this.pos;
    this.skipTrivia(false);
    if (this.peek() !== ',') {
      this.pos = save;
      return first;
    }
    const items: PsValue[] = [first];
    while (this.peek() === ',') {
      this.pos++;
      this.skipTrivia(true);
      items.push(this.parseUnary());
      save = this.pos;
      this.skipTrivia(false);
    }
    this.pos = save;
    return items;
  }

  private parseUnary(): PsValue {
    this.skipTrivia(false);
    const c = this.peek();
    this.enter();
    try {
      if (c === ',') {
        this.pos++;
        this.skipTrivia(true);
        return [this.parseUnary()];
      }
      if (c === '!') {
        this.pos++;
        this.skipTrivia(true);
        return !isTrue(this.parseUnary());
      }
      const op = this.operatorAt();
      if (op === 'not') {
        this.pos += 4;
        this.skipTrivia(true);
        return !isTrue(this.parseUnary());
      }
      if (op !== null) this.fail(`unexpected operator -${op}`);
      if ((c !== undefined && DASHES.has(c)) || c === '+') {
        const at = this.pos;
        this.pos++;
        this.skipTrivia(false);
        const v = this.parseUnary();
        if (!this.live) return null;
        const n = toNum(v);
        if (Number.isNaN(n)) this.fail(`cannot apply unary ${c} to ${describe(v)}`, at);
        return c === '+' ? n : -n;
      }
      if (c === '[') return this.parseCast();
      return this.parsePostfix();
    } finally {
      this.leave();
    }
  }

  private parseCast(): PsValue {
    const start = this.pos;
    this.pos++; // '['
    let typeName = '';
    let bracketDepth = 1;
    while (this.pos < this.src.length && bracketDepth > 0) {
      const ch = this.src[this.pos];
      if (ch === '[') bracketDepth++;
      else if (ch === ']') bracketDepth--;
      else if (isNewline(ch)) this.fail('unterminated type name', start);
      if (bracketDepth > 0) typeName += ch;
      this.pos++;
    }
    if (bracketDepth > 0) this.fail('unterminated type name', start);
    typeName = typeName.trim();
    if (!/^[\p{L}_][\p{L}\p{N}_.`,\[\] ]*$/u.test(typeName)) this.fail(`invalid type name [${typeName}]`, start);
    if (this.peek() === ':' && this.peek(1) === ':') this.fail(`static member access [${typeName}]:: is not allowed in a data file`);
    this.skipTrivia(false);
    const n = this.peek();
    if (n === undefined || isNewline(n) || n === ';' || n === ')' || n === '}' || n === ',' || n === '=') {
      this.fail(`type literal [${typeName}] is not allowed as a value in a data file`, start);
    }
    const v = this.parseUnary();
    if (!this.live) return null;
    const r = castTo(typeName, v);
    if (r instanceof Error) this.fail(r.message, start);
    return r;
  }

  private parsePostfix(): PsValue {
    let v = this.parsePrimary();
    for (;;) {
      if (this.peek() === '.' && isIdentStart(this.peek(1))) {
        this.pos++;
        const start = this.pos;
        while (isIdentChar(this.peek())) this.pos++;
        const member = this.src.slice(start, this.pos);
        if (this.peek() === '(') this.fail(`method calls (.${member}()) are not allowed in a data file`);
        v = this.live ? memberOf(v, member) : null;
      } else if (this.peek() === '[') {
        this.fail('indexing is not allowed in a data file');
      } else if (this.peek() === ':' && this.peek(1) === ':') {
        this.fail('static member access is not allowed in a data file');
      } else return v;
    }
  }

  private parsePrimary(): PsValue {
    const c = this.peek();
    if (c === undefined) this.fail('expected a value but reached the end of the input');
    if (SINGLE_QUOTES.has(c)) return this.parseSingleQuoted();
    if (DOUBLE_QUOTES.has(c)) return this.parseDoubleQuoted();
    if (c === '@') {
      const n = this.peek(1);
      if (n === '{') return this.parseHashtable();
      if (n === '(') return this.parseArraySubexpression();
      if (n !== undefined && (SINGLE_QUOTES.has(n) || DOUBLE_QUOTES.has(n))) return this.parseHereString();
      this.fail("'@' must start @{ }, @( ) or a here-string");
    }
    if (c === '(') {
      this.pos++;
      this.enter();
      this.skipTrivia(true);
      const r = this.parseStatement();
      this.skipTrivia(true);
      this.expect(')', "')'");
      this.leave();
      return r.kind === 'expr' ? r.value : collapse(r.values);
    }
    if (c === '$') return this.parseVariable();
    if (isDigit(c) || (c === '.' && isDigit(this.peek(1)))) return this.parseNumber();
    if (c === '{') this.fail('script blocks are not allowed in a data file');
    if (isNewline(c)) this.fail('expected a value but found a line break');
    if (isIdentStart(c)) {
      const word = this.wordAt(this.pos);
      this.fail(`'${word}' is a command or bare word; commands are not allowed in a data file (quote strings)`);
    }
    this.fail(`unexpected '${c}'`);
  }

  private parseHashtable(): PsHashtable {
    const open = this.pos;
    this.pos += 2; // '@{'
    this.enter();
    const ht = new PsHashtable();
    for (;;) {
      this.skipTrivia(true);
      while (this.peek() === ';') {
        this.pos++;
        this.skipTrivia(true);
      }
      const c = this.peek();
      if (c === undefined) this.fail("missing '}' closing the hashtable", open);
      if (c === '}') {
        this.pos++;
        break;
      }
      const keyPos = this.pos;
      const key = this.parseKey();
      this.skipTrivia(false);
      this.expect('=', `'=' after hashtable key '${key}'`);
      this.skipTrivia(true);
      const r = this.parseStatement();
      const value = r.kind === 'expr' ? r.value : collapse(r.values);
      if (ht.has(key)) this.fail(`duplicate key '${key}' in hashtable`, keyPos);
      ht.set(key, value);
      this.skipTrivia(false);
      const n = this.peek();
      if (n === undefined) this.fail("missing '}' closing the hashtable", open);
      if (isNewline(n) || n === ';' || n === '}') continue;
      this.fail(`unexpected '${n}' after the value of '${key}' (missing line break or ';'?)`);
    }
    this.leave();
    return ht;
  }

  private parseKey(): string {
    const c = this.peek() as string;
    if (SINGLE_QUOTES.has(c)) return this.parseSingleQuoted();
    if (DOUBLE_QUOTES.has(c)) return this.parseDoubleQuoted();
    if (c === '$' || c === '(' || c === '[') return toStr(this.parseUnary());
    if (c === '=') this.fail('missing hashtable key before =');
    const start = this.pos;
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos];
      if (isSpace(ch) || isNewline(ch) || ch === '=' || ch === ';' || ch === '}' || ch === '{' || ch === '(' || ch === ')' || ch === ',' || ch === '#') break;
      if (SINGLE_QUOTES.has(ch) || DOUBLE_QUOTES.has(ch)) break;
      this.pos++;
    }
    if (this.pos === start) this.fail(`unexpected '${c}' where a hashtable key was expected`);
    return this.src.slice(start, this.pos);
  }

  private parseArraySubexpression(): PsValue[] {
    this.pos += 2; // '@('
    this.enter();
    const outputs = this.parseStatementList(')');
    this.expect(')');
    this.leave();
    return outputs;
  }

  private parseVariable(): PsValue {
    const start = this.pos;
    this.pos++; // '$'
    if (this.peek() === '(') {
      this.pos++;
      this.enter();
      const outputs = this.parseStatementList(')');
      this.expect(')');
      this.leave();
      return collapse(outputs);
    }
    let name: string;
    if (this.peek() === '{') {
      const end = this.src.indexOf('}', this.pos + 1);
      if (end < 0) this.fail('unterminated ${...} variable', start);
      name = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      const nameStart = this.pos;
      while (isIdentChar(this.peek()) || (this.peek() === ':' && this.peek(1) !== ':' && isIdentChar(this.peek(1)))) this.pos++;
      name = this.src.slice(nameStart, this.pos);
      if (name === '') this.fail("'$' must be followed by a variable name", start);
    }
    const lower = name.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (this.vars.has(lower)) return this.vars.get(lower) as PsValue;
    if (!this.live) return null;
    this.fail(`variable $${name} is not allowed in a data file`, start);
  }

  private parseNumber(): number {
    const s = this.src;
    const start = this.pos;
    let value: number;
    const lower2 = s.slice(this.pos, this.pos + 2).toLowerCase();
    if (lower2 === '0x' || lower2 === '0b') {
      this.pos += 2;
      const digitsStart = this.pos;
      const re = lower2 === '0x' ? /[0-9a-fA-F]/ : /[01]/;
      while (this.pos < s.length && re.test(s[this.pos])) this.pos++;
      if (this.pos === digitsStart) this.fail('malformed number', start);
      const digits = s.slice(digitsStart, this.pos);
      value = lower2 === '0x' ? Number(BigInt('0x' + digits)) : Number(BigInt('0b' + digits));
    } else {
      while (isDigit(s[this.pos])) this.pos++;
      if (s[this.pos] === '.' && isDigit(s[this.pos + 1])) {
        this.pos++;
        while (isDigit(s[this.pos])) this.pos++;
      } else if (s[this.pos] === '.' && !isIdentChar(s[this.pos + 1]) && s[this.pos + 1] !== '.') {
        this.pos++; // `1.` is a valid double
      }
      if ((s[this.pos] === 'e' || s[this.pos] === 'E') && (isDigit(s[this.pos + 1]) || ((s[this.pos + 1] === '+' || s[this.pos + 1] === '-') && isDigit(s[this.pos + 2])))) {
        this.pos += 2;
        while (isDigit(s[this.pos])) this.pos++;
      }
      value = Number(s.slice(start, this.pos));
    }
    // Type suffix and multiplier.
    const rest = s.slice(this.pos, this.pos + 3).toLowerCase();
    const suffix = /^(ul|us|uy|u|l|d|y|s|n)?/.exec(rest)?.[0] ?? '';
    this.pos += suffix.length;
    const mult = s.slice(this.pos, this.pos + 2).toLowerCase();
    const multipliers: Record<string, number> = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 };
    if (mult in multipliers) {
      value *= multipliers[mult];
      this.pos += 2;
    }
    const next = s[this.pos];
    if (next !== undefined && (isIdentChar(next) || next === '.' || SINGLE_QUOTES.has(next) || DOUBLE_QUOTES.has(next) || next === '$' || next === '@' || next === '{')) {
      let end = this.pos;
      while (end < s.length && !isSpace(s[end]) && !isNewline(s[end]) && !';,)}'.includes(s[end])) end++;
      this.fail(`'${s.slice(start, end)}' is not a number; quote version strings like '1.0.0'`, start);
    }
    return value;
  }

  private parseSingleQuoted(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    const s = this.src;
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) this.fail('unterminated string', start);
      if (SINGLE_QUOTES.has(c)) {
        if (s[this.pos + 1] !== undefined && SINGLE_QUOTES.has(s[this.pos + 1])) {
          out += c;
          this.pos += 2;
          continue;
        }
        this.pos++;
        return out;
      }
      // Copy a run of ordinary characters at once.
      let end = this.pos + 1;
      while (end < s.length && !SINGLE_QUOTES.has(s[end])) end++;
      out += s.slice(this.pos, end);
      this.pos = end;
    }
  }

  private parseDoubleQuoted(): string {
    const start = this.pos;
    this.pos++;
    const r = this.expandable(false);
    if (r === null) this.fail('unterminated string', start);
    return r;
  }

  private parseHereString(): string {
    const start = this.pos;
    const quote = this.src[this.pos + 1];
    const expandable = DOUBLE_QUOTES.has(quote);
    this.pos += 2;
    while (isSpace(this.peek())) this.pos++;
    if (!isNewline(this.peek())) this.fail('a here-string header @\' or @" must be followed by a line break', start);
    this.pos += this.peek() === '\r' && this.peek(1) === '\n' ? 2 : 1;
    // Find the terminator: a line starting with the matching quote followed by '@'.
    const s = this.src;
    let lineStart = this.pos;
    let contentEnd = -1;
    let after = -1;
    while (lineStart <= s.length) {
      const q = s[lineStart];
      if (q !== undefined && (expandable ? DOUBLE_QUOTES.has(q) : SINGLE_QUOTES.has(q)) && s[lineStart + 1] === '@') {
        contentEnd = lineStart;
        after = lineStart + 2;
        break;
      }
      let nl = lineStart;
      while (nl < s.length && !isNewline(s[nl])) nl++;
      if (nl >= s.length) break;
      lineStart = nl + (s[nl] === '\r' && s[nl + 1] === '\n' ? 2 : 1);
    }
    if (contentEnd < 0) this.fail('unterminated here-string', start);
    // Content excludes the line break just before the terminator.
    let end = contentEnd;
    if (end > this.pos && s[end - 1] === '\n') end--;
    if (end > this.pos && s[end - 1] === '\r') end--;
    if (end < this.pos) end = this.pos;
    const body = s.slice(this.pos, end);
    this.pos = after;
    if (!expandable) return body;
    const sub = new Parser(body, {});
    const r = sub.expandable(true);
    return r ?? body;
  }

  /**
   * Reads the rest of an expandable string at `pos` (opening quote already consumed) and returns its
   * value, or null when unterminated. With `toEnd`, the whole remaining input is the string body
   * (here-strings) and quotes are ordinary characters.
   */
  private expandable(toEnd: boolean): string | null {
    const s = this.src;
    let out = '';
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) return toEnd ? out : null;
      if (!toEnd && DOUBLE_QUOTES.has(c)) {
        if (s[this.pos + 1] !== undefined && DOUBLE_QUOTES.has(s[this.pos + 1])) {
          out += c;
          this.pos += 2;
          continue;
        }
        this.pos++;
        return out;
      }
      if (c === '`') {
        const n = s[this.pos + 1];
        if (n === undefined) return toEnd ? out + '`' : null;
        this.pos += 2;
        switch (n) {
          case '0': out += '\0'; break;
          case 'a': out += '\x07'; break;
          case 'b': out += '\b'; break;
          case 'e': out += '\x1b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'v': out += '\v'; break;
          case 'u': {
            const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(s.slice(this.pos, this.pos + 8));
            if (m && Number.parseInt(m[1], 16) <= 0x10ffff) {
              out += String.fromCodePoint(Number.parseInt(m[1], 16));
              this.pos += m[0].length;
            } else out += 'u';
            break;
          }
          default: out += n;
        }
        continue;
      }
      if (c === '$') {
        const n = s[this.pos + 1];
        if (n === '(') {
          const end = this.skipSubexpression(this.pos + 2, 0);
          if (end < 0) return null;
          out += s.slice(this.pos, end);
          this.pos = end;
          continue;
        }
        if (n === '{') {
          const end = s.indexOf('}', this.pos + 2);
          if (end < 0) return null;
          const name = s.slice(this.pos + 2, end);
          out += expandVariable(name) ?? s.slice(this.pos, end + 1);
          this.pos = end + 1;
          continue;
        }
        if (isIdentStart(n) || n === '_') {
          let end = this.pos + 1;
          while (isIdentChar(s[end]) || (s[end] === ':' && isIdentChar(s[end + 1]))) end++;
          const name = s.slice(this.pos + 1, end);
          out += expandVariable(name) ?? s.slice(this.pos, end);
          this.pos = end;
          continue;
        }
        out += '$';
        this.pos++;
        continue;
      }
      let end = this.pos + 1;
      while (end < s.length && s[end] !== '`' && s[end] !== '$' && (toEnd || !DOUBLE_QUOTES.has(s[end]))) end++;
      out += s.slice(this.pos, end);
      this.pos = end;
    }
  }

  /** Returns the index just after the `)` closing a `$(` whose body starts at `i`, or -1. */
  private skipSubexpression(i: number, nesting: number): number {
    if (nesting > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`, i);
    const s = this.src;
    let depth = 1;
    while (i < s.length) {
      const c = s[i];
      if (c === '`') i += 2;
      else if (c === '(') {
        depth++;
        i++;
      } else if (c === ')') {
        depth--;
        i++;
        if (depth === 0) return i;
      } else if (SINGLE_QUOTES.has(c)) {
        i++;
        while (i < s.length && !SINGLE_QUOTES.has(s[i])) i++;
        i++;
      } else if (DOUBLE_QUOTES.has(c)) {
        i++;
        while (i < s.length && !DOUBLE_QUOTES.has(s[i])) {
          if (s[i] === '`') i += 2;
          else if (s[i] === '$' && s[i + 1] === '(') {
            i = this.skipSubexpression(i + 2, nesting + 1);
            if (i < 0) return -1;
          } else i++;
        }
        i++;
      } else i++;
    }
    return -1;
  }
}
