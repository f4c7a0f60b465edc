import { describe, expect, it } from 'vitest';
import { encodeCursor, MAX_PAGE_SIZE, pageRequest, toConnection } from '../src/index.ts';

const KEY = /^[0-9a-f]{4}$/;

describe('paging', () => {
  it('round-trips a cursor of the same list', () => {
    expect(pageRequest('things', { first: 5, after: encodeCursor('things', 'abcd') }, KEY)).toEqual({ first: 5, after: 'abcd' });
  });

  it('refuses sizes out of range with INVALID_PAGE_SIZE', () => {
    for (const first of [-1, MAX_PAGE_SIZE + 1, 1.5]) {
      expect(() => pageRequest('things', { first }, KEY)).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_PAGE_SIZE' }) }),
      );
    }
  });

  it('refuses malformed cursors and cursors of another list with INVALID_CURSOR', () => {
    for (const after of ['%%%', 'bm90LWEtY3Vyc29y', encodeCursor('other', 'abcd'), encodeCursor('things', 'zzzz'), '']) {
      expect(() => pageRequest('things', { first: 1, after }, KEY)).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_CURSOR' }) }),
      );
    }
  });

  it('says a next page exists only when the extra row came back', () => {
    const page = { first: 2, after: null };
    const more = toConnection('things', ['a', 'b', 'c'], page, (s) => s);
    expect(more.edges.map((e) => e.node)).toEqual(['a', 'b']);
    expect(more.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor('things', 'b') });
    expect(toConnection('things', ['a'], page, (s) => s).pageInfo.hasNextPage).toBe(false);
  });
});
