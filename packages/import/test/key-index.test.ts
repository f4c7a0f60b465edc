import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../src/key-index.ts';

describe('KeyIndex', () => {
  it('remembers the first row of every key through many growths, and nothing else', () => {
    const index = new KeyIndex(4);
    for (let i = 1; i <= 200_000; i++) index.set(`key-${i}`, i);
    for (let i = 1; i <= 200_000; i += 997) expect(index.get(`key-${i}`)).toBe(i);
    expect(index.get('key-0')).toBeUndefined();
    expect(index.get('key-200001')).toBeUndefined();
    expect(index.get('')).toBeUndefined();
  });
});
