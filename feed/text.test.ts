import { describe, expect, it } from 'vitest';
import { byteOrderMark, decodeText } from './text.ts';

const text = "@{ Name = 'Zoë ☺' }\r\n";
const utf8 = Buffer.from(text, 'utf8');
const utf8Bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const utf16be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
/** 'Zoë' in Windows-1252: ë is the single byte 0xEB, which is not valid UTF-8 on its own. */
const cp1252 = Buffer.from([0x5a, 0x6f, 0xeb]);

describe('byteOrderMark', () => {
  it.each([
    ['UTF-8', utf8Bom, { encoding: 'utf-8', length: 3 }],
    ['UTF-16 LE', utf16le, { encoding: 'utf-16le', length: 2 }],
    ['UTF-16 BE', utf16be, { encoding: 'utf-16be', length: 2 }],
  ])('names the %s mark and its length', (_name, bytes, bom) => {
    expect(byteOrderMark(bytes)).toEqual(bom);
  });

  it('finds none in BOM-less text, short input or a partial mark', () => {
    expect(byteOrderMark(utf8)).toBeNull();
    expect(byteOrderMark(new Uint8Array())).toBeNull();
    expect(byteOrderMark(Buffer.from([0xef, 0xbb]))).toBeNull();
    expect(byteOrderMark(Buffer.from([0xfe]))).toBeNull();
  });
});

describe('decodeText', () => {
  it.each([
    ['UTF-8 without BOM', utf8],
    ['UTF-8 with BOM', utf8Bom],
    ['UTF-16 LE with BOM', utf16le],
    ['UTF-16 BE with BOM', utf16be],
  ])('decodes %s and drops the mark', (_name, bytes) => {
    expect(decodeText(bytes)).toBe(text);
    expect(decodeText(bytes, { notUtf8: 'windows-1252' })).toBe(text);
  });

  it('accepts a Uint8Array as well as a Buffer', () => {
    expect(decodeText(new Uint8Array(utf16le))).toBe(text);
  });

  it('drops only a leading U+FEFF from string input', () => {
    expect(decodeText('\ufeffabc')).toBe('abc');
    expect(decodeText('a\ufeffbc')).toBe('a\ufeffbc');
    expect(decodeText('')).toBe('');
  });

  it('reads BOM-less bytes that are not UTF-8 with replacement characters by default (PowerShell 7)', () => {
    expect(decodeText(cp1252)).toBe('Zo\ufffd');
  });

  it('reads them as Windows-1252 when asked (Windows PowerShell 5.1)', () => {
    expect(decodeText(cp1252, { notUtf8: 'windows-1252' })).toBe('Zoë');
  });

  it('follows the mark even when the rest is not valid in that encoding, never throwing', () => {
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), cp1252]), { notUtf8: 'windows-1252' })).toBe('Zo\ufffd');
  });
});
