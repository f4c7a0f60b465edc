import { describe, expect, it } from 'vitest';
import { toOneByte } from '../src/one-byte.ts';

const beyondAscii = (text: string) => /[^\u0000-\u007f]/.test(text);

/** Evaluates a module's text as a function body (the cases below are expressions and statements, not imports). */
const run = (text: string): unknown => new Function(text)();

describe('toOneByte', () => {
  it('escapes comments and regular expression literals, and keeps what the code does', () => {
    const source = [
      '// 电话 in a line comment — and a dash, § and ¥ (Latin-1: two bytes a character to Node 24 all the same)',
      '/** 使用面积 in a block comment */',
      'const ratio = 10 / 2 / 5; // 转 after a division',
      'const a = /^(.*第)(\\d+)(号.*)$/u.exec("东路第12号楼");',
      'const b = /[:：；]/g.test("x；y");',
      // A pattern's `source` reads the escape, which means the same character to a RegExp built from it.
      'const c = "ab街道".replace(/(街道|镇)$/, "") + new RegExp(/村/.source + "$").test("新村");',
      'const d = [1, 2].map((x) => x / ratio).join(",");',
      'return [ratio, a[2], a[3], b, c, d, /\\转/.test("转")];',
    ].join('\n');
    const result = toOneByte(source);
    expect(beyondAscii(result.text)).toBe(false);
    expect(result.left).toBe(0);
    expect(result.text.split('\n')).toHaveLength(source.split('\n').length);
    expect(run(result.text)).toEqual(run(source));
    expect(run(result.text)).toEqual([1, '12', '号楼', true, 'abtrue', '1,2', true]);
  });

  it('leaves template literals as written, tagged raw text above all, and counts what it left', () => {
    const source = 'const t = String.raw`转${1 + 1}号`; const u = `${"x" + `第`}`; return [t, u, 2 / 1 / 2];';
    const result = toOneByte(source);
    expect(result.left).toBe(3);
    expect(run(result.text)).toEqual(['转2号', 'x第', 1]);
    expect(result.text).toContain('String.raw`转${1 + 1}号`');
  });

  it('escapes a string esbuild did not, Latin-1 as well', () => {
    const source = 'return ["¥ 转", /[¥￥]/.test("￥"), /\\¥/.test("¥"), `¥`];';
    const result = toOneByte(source);
    expect(result.text).toContain('"\\u00A5 \\u8F6C"');
    expect(result.text).toContain('/[\\u00A5\\uFFE5]/');
    expect(result.text).toContain('/\\u00A5/');
    expect(result.left).toBe(1);
    expect(run(result.text)).toEqual(['¥ 转', true, true, '¥']);
  });

  it('returns ASCII text as it is', () => {
    const source = 'const x = 1 / 2; // cafe\n';
    expect(toOneByte(source)).toEqual({ text: source, rewritten: 0, left: 0 });
    expect(toOneByte('const x = 1 / 2; // café\n').text).toBe('const x = 1 / 2; // caf\\u00E9\n');
  });
});
