import { describe, expect, it } from 'vitest';
import { communityPageCursor, communityPageRequest, SMALL_CELL, suppressCount, suppressParts, suppressSum } from '../src/index.ts';

describe('small-cell suppression', () => {
  it('publishes zero and counts of 5 or more, and nothing for 1 to 4 people', () => {
    expect(SMALL_CELL).toBe(5);
    expect([0, 1, 4, 5, 120].map(suppressCount)).toEqual([0, null, null, 5, 120]);
    expect([suppressSum(12.5, 3), suppressSum(60, 5), suppressSum(0, 0)]).toEqual([null, 60, 0]);
  });

  it('suppresses a second part when one part of a published total alone is small, so the total does not give it back', () => {
    expect(suppressParts([40, 3])).toEqual([null, null]);
    expect(suppressParts([40, 3, 9])).toEqual([40, null, null]);
    expect(suppressParts([40, 3, 2])).toEqual([40, null, null]);
    expect(suppressParts([40, 0])).toEqual([40, 0]);
    expect(suppressParts([3, 0])).toEqual([null, 0]);
    expect(suppressParts([12, 7])).toEqual([12, 7]);
  });
});

describe('community pages', () => {
  const grids = ['320311001002001', '320311001001002', '320311001001001', '320311002001001'];
  it('pages the communities of the grids asked, each with its grids, after a cursor of one of them', () => {
    const first = communityPageRequest({ gridCodes: grids, first: 2 });
    expect(first.communities).toEqual([
      { code: '320311001001', gridCodes: ['320311001001001', '320311001001002'] },
      { code: '320311001002', gridCodes: ['320311001002001'] },
      { code: '320311002001', gridCodes: ['320311002001001'] },
    ]);
    const next = communityPageRequest({ gridCodes: grids, first: 2, after: communityPageCursor('320311001002') });
    expect(next.communities.map((c) => c.code)).toEqual(['320311002001']);
  });

  it('refuses a cursor of other communities, bad grids and page sizes', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return (error as { extensions?: { code?: string } }).extensions?.code;
      }
      return 'none';
    };
    expect(code(() => communityPageRequest({ gridCodes: grids, after: communityPageCursor('320311009001') }))).toBe('INVALID_CURSOR');
    expect(code(() => communityPageRequest({ gridCodes: grids, after: 'bm9wZQ' }))).toBe('INVALID_CURSOR');
    expect(code(() => communityPageRequest({ gridCodes: ['32031100100100'] }))).toBe('INVALID_GRID_CODE');
    expect(code(() => communityPageRequest({ gridCodes: [] }))).toBe('INVALID_GRID_CODE');
    expect(code(() => communityPageRequest({ gridCodes: grids, first: 5001 }))).toBe('INVALID_PAGE_SIZE');
  });
});
