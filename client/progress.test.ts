import { describe, expect, it } from 'vitest';
import { createReporter, renderBar } from './progress.ts';

const sink = (isTTY: boolean) => {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 60, write: (c: string) => (out.push(c), true) } };
};

describe('progress reporter', () => {
  it('draws a bar on a terminal and clears it', () => {
    const { out, stream } = sink(true);
    const r = createReporter(stream, { intervalMs: 0 });
    r.phase('Installing', 4);
    r.update(2, 4, 'Az.Accounts');
    r.done();
    expect(out.join('')).toContain('Installing [');
    expect(out.join('')).toContain('2/4 Az.Accounts');
    expect(out.at(-1)).toBe('\r\x1b[2K');
  });

  it('is quiet when stderr is not a terminal, but still prints warnings', () => {
    const { out, stream } = sink(false);
    const r = createReporter(stream);
    r.phase('Resolving', 3);
    r.update(3, 3, 'X');
    r.warn('careful');
    r.verbose('details');
    r.done();
    expect(out).toEqual(['WARNING: careful\n']);
  });

  it('prints verbose lines only when asked', () => {
    const { out, stream } = sink(false);
    createReporter(stream, { verbose: true }).verbose('why');
    expect(out).toEqual(['VERBOSE: why\n']);
  });

  it('falls back to 80 columns when the terminal reports no width', () => {
    const out: string[] = [];
    const r = createReporter({ isTTY: true, columns: 0, write: (c: string) => (out.push(c), true) }, { intervalMs: 0 });
    r.phase('Resolving', 2);
    expect(out.join('')).toContain('Resolving [');
  });

  it('fits the bar into the terminal width', () => {
    const line = renderBar('Installing', 34, 86, 'Az.Network', 50);
    expect(line.length).toBeLessThanOrEqual(49);
    expect(renderBar('Resolving', 1, 2, '', 80)).toMatch(/^Resolving \[#+-+\] 1\/2$/);
  });
});
