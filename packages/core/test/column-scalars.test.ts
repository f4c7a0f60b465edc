import { Kind, parseConstValue, type GraphQLScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { IntColumnScalar, StringColumnScalar, StringListColumnScalar } from '../src/index.ts';

describe('column-page scalars', () => {
  it('pass a whole column through, entries checked', () => {
    expect(StringColumnScalar.serialize(['a', null, 'c'])).toEqual(['a', null, 'c']);
    expect(IntColumnScalar.serialize([0, -3, 2147483647, null])).toEqual([0, -3, 2147483647, null]);
    expect(StringListColumnScalar.serialize([[], ['LOW_INCOME', 'DISABILITY']])).toEqual([[], ['LOW_INCOME', 'DISABILITY']]);
    expect(StringColumnScalar.parseValue([])).toEqual([]);
  });

  it('refuse anything else, naming the first bad entry', () => {
    const bad: [GraphQLScalarType<unknown[], unknown[]>, unknown, RegExp][] = [
      [StringColumnScalar, 'a', /must be a list/],
      [StringColumnScalar, ['a', 1], /entry 1 is not a string or null/],
      [IntColumnScalar, [1, 1.5], /entry 1 is not a 32-bit integer/],
      [IntColumnScalar, [2147483648], /entry 0 is not a 32-bit integer/],
      [IntColumnScalar, ['1'], /entry 0/],
      [StringListColumnScalar, [['a'], null], /entry 1 is not a list of strings/],
      [StringListColumnScalar, [['a', 2]], /entry 0 is not a list of strings/],
    ];
    for (const [scalar, value, message] of bad) {
      expect(() => scalar.serialize(value)).toThrow(message);
      expect(() => scalar.parseValue(value)).toThrow(message);
    }
  });

  it('read a literal list written in a document', () => {
    const literal = parseConstValue('["a", null]');
    expect(literal.kind).toBe(Kind.LIST);
    expect(StringColumnScalar.parseLiteral(literal)).toEqual(['a', null]);
    expect(() => IntColumnScalar.parseLiteral(parseConstValue('[1, "x"]'))).toThrow(/entry 1/);
  });
});
