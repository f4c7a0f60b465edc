import { describe, expect, it } from 'vitest';
import { gridCodeRange, gridPrefixOf } from '../src/index.ts';

const inRange = (gridCode: string, range: { from: string; to: string }) => gridCode >= range.from && gridCode <= range.to;

describe("a place's grid-code range", () => {
  it('holds exactly the grids whose codes start with the place\'s digits', () => {
    expect(gridPrefixOf('COMMUNITY', '320311001002')).toBe('320311001002');
    expect(gridPrefixOf('STREET', '320311001000')).toBe('320311001');
    expect(gridPrefixOf('DISTRICT', '320311')).toBe('320311');
    const street = gridCodeRange('STREET', '320311001000');
    expect(street).toEqual({ from: '320311001000000', to: '320311001999999' });
    expect(inRange('320311001002003', street)).toBe(true);
    expect(inRange('320311002001001', street)).toBe(false);
    expect(inRange('320311000999999', street)).toBe(false);
    const community = gridCodeRange('COMMUNITY', '320311001002');
    expect(inRange('320311001002001', community)).toBe(true);
    expect(inRange('320311001003001', community)).toBe(false);
    const district = gridCodeRange('DISTRICT', '320311');
    expect(inRange('320311101001001', district)).toBe(true);
    expect(inRange('320312001001001', district)).toBe(false);
  });

  it('matches nothing for a code too short or not of digits, rather than a wider range', () => {
    for (const [level, code] of [['DISTRICT', '32'], ['STREET', '32031100'], ['COMMUNITY', '3203110010ab']] as const) {
      const range = gridCodeRange(level, code);
      expect(range.from > range.to).toBe(true);
    }
  });
});
