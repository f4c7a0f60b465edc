import { describe, expect, it } from 'vitest';
import { columnPageIds, textArray } from '../src/index.ts';

const id = (n: number) => n.toString(16).padStart(32, '0');

describe("a text[] parameter's value", () => {
  it('writes hex keys as the array text and anything else as a list the driver quotes', () => {
    expect(textArray([id(1), id(2)])).toBe(`{${id(1)},${id(2)}}`);
    expect(textArray(['320311001001001', 'a"b'])).toEqual(['320311001001001', 'a"b']);
    expect(textArray(['abc', ''])).toEqual(['abc', '']);
  });

  it("takes a column page's checked hub ids as they are, and still checks a list that only looks like them", () => {
    const ids = columnPageIds([id(10), id(11)]);
    expect(textArray(ids)).toBe(`{${id(10)},${id(11)}}`);
    // Another list of the same length is not marked: a quote in it must still make it a list.
    expect(textArray([id(10), `${id(11).slice(0, 31)}"`])).toEqual([id(10), `${id(11).slice(0, 31)}"`]);
    expect(() => columnPageIds([id(1), 'not-a-key'])).toThrow(/hub resident ids/);
  });
});
