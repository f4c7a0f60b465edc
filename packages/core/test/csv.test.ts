import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvField, csvRecord, csvText, defang } from '../src/csv.ts';

describe('the CSV writer', () => {
  it('puts a single quote before every formula-looking first character, full-width ones too', () => {
    const cases: [string, string][] = [
      ['=1+2', "'=1+2"],
      ['+86 138', "'+86 138"],
      ['-2+3', "'-2+3"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\tcmd', "'\tcmd"],
      ['＝1+2', "'＝1+2"],
      ['＋1', "'＋1"],
      ['－1', "'－1"],
      ['＠x', "'＠x"],
    ];
    for (const [value, written] of cases) expect(csvField(value), JSON.stringify(value)).toBe(written);
    // CR is defanged and, being a line break, quoted.
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    expect(defang('=x')).toBe("'=x");
  });

  it('leaves other text alone, including dangerous characters past the first', () => {
    for (const value of ['plain', '张三', 'a=b', ' =1', "'=1", '1-2', '', '320311********0012']) expect(csvField(value)).toBe(value);
  });

  it('quotes as RFC 4180 says, after defanging', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('-1,2')).toBe(`"'-1,2"`);
  });

  it('writes numbers and booleans as they are: a negative amount stays a number', () => {
    expect(csvField(-12.5)).toBe('-12.5');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(10n)).toBe('10');
    expect(csvField(true)).toBe('true');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    // The same digits as text are text.
    expect(csvField('-12.5')).toBe("'-12.5");
  });

  it('ends records in CRLF by default or LF, with a byte-order mark when asked', () => {
    expect(csvRecord(['a', 1, null])).toBe('a,1,\r\n');
    expect(csvRecord(['a', 'b'], '\n')).toBe('a,b\n');
    expect(csvText([['h1', 'h2'], ['=x', -1]])).toBe("h1,h2\r\n'=x,-1\r\n");
    expect(csvText([['h'], ['v']], { eol: '\n', bom: true })).toBe(`${CSV_BOM}h\nv\n`);
    expect(csvText([], { bom: true })).toBe(CSV_BOM);
  });
});
