import { describe, expect, it } from 'vitest';
import { searchTextOf } from './search-text.ts';

describe('searchTextOf', () => {
  it('holds id, title, summary, description and tags, lower-cased, so a search term found in any of them matches', () => {
    const text = searchTextOf({ id: 'Contoso.Tools', title: 'Contoso Tools', summary: 'Quick HELP', description: 'Helpers for İstanbul.', tags: ['PSModule', 'Azure'] });
    expect(text).toBe('contoso.tools contoso tools quick help helpers for i̇stanbul. psmodule azure');
    for (const term of ['contoso.tools', 'quick', 'helpers', 'psmodule azure']) expect(text).toContain(term);
  });

  it('leaves an empty slot for a missing title or summary (the stored text of packages pushed so far)', () => {
    expect(searchTextOf({ id: 'A', title: null, description: 'D', tags: [] })).toBe('a   d ');
  });
});
