import { describe, expect, it } from 'vitest';
import { buildVersionsList } from './flat-container.ts';
import { makeRecord } from '../../test/helpers/records.ts';

describe('buildVersionsList (§3)', () => {
  it('lists every version lower-case, normalized, without metadata, ascending, unlisted included', () => {
    const doc = buildVersionsList([
      makeRecord({ version: '2.0.0' }),
      makeRecord({ version: '1.10.0', fullVersion: '1.10.0+sha.1' }),
      makeRecord({ version: '1.2.0-Beta.2', listed: false }),
      makeRecord({ version: '1.2.0-beta.10' }),
      makeRecord({ version: '1.2.0' }),
      makeRecord({ version: '1.2.0.7' }),
    ]);
    expect(doc).toEqual({ versions: ['1.2.0-beta.2', '1.2.0-beta.10', '1.2.0', '1.2.0.7', '1.10.0', '2.0.0'] });
  });

  it('returns null for an id without versions (answer 404)', () => {
    expect(buildVersionsList([])).toBeNull();
  });
});
