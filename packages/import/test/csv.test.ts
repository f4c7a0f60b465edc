import { describe, expect, it } from 'vitest';
import { CsvFormatError, CsvParser, type CsvLimits } from '../src/read/csv.ts';

/** Parses text cut into chunks of `size` characters (a record may straddle any boundary). */
function parse(text: string, size = text.length || 1, limits: Partial<CsvLimits> = {}): string[][] {
  const parser = new CsvParser(',', limits);
  const out: string[][] = [];
  for (let at = 0; at < text.length; at += size) parser.push(text.slice(at, at + size), out);
  parser.end(out);
  return out;
}

function failure(text: string, size?: number, limits?: Partial<CsvLimits>): CsvFormatError {
  try {
    parse(text, size, limits);
  } catch (error) {
    if (error instanceof CsvFormatError) return error;
    throw error;
  }
  throw new Error('parsed without an error');
}

describe('the CSV reader', () => {
  it('reads CRLF, LF and CR records, and quoted fields holding commas, quotes and line breaks', () => {
    for (const size of [1, 2, 3, 1000]) {
      expect(parse('a,b\r\n1,2\r\n', size)).toEqual([['a', 'b'], ['1', '2']]);
      expect(parse('a,b\n1,2', size)).toEqual([['a', 'b'], ['1', '2']]);
      expect(parse('a,b\r1,2\r', size)).toEqual([['a', 'b'], ['1', '2']]);
      expect(parse('a,b\r\n"x,\r\ny","say ""hi"""\r\n3,4\r\n', size)).toEqual([['a', 'b'], ['x,\r\ny', 'say "hi"'], ['3', '4']]);
    }
  });

  it('refuses a quote left open at the end, naming the line where its field began', () => {
    for (const size of [1, 7, 1000]) {
      const error = failure('姓名,备注\r\n张三,ok\r\n李四,"unfinished\r\n王五,x\r\n赵六,y\r\n', size);
      expect(error.code).toBe('UNTERMINATED_QUOTE');
      expect(error.line).toBe(3);
      expect(error.message).toMatch(/^line 3: a quoted field begins here/);
    }
    // Counted as an editor counts lines: quoted line breaks (CRLF, LF, CR) in earlier rows count too.
    expect(failure('a,b\n"1\r\n2\n3\r4",x\n"open,').line).toBe(6);
    expect(failure('a,b\r\n"1\r\n2",x\r\n"open').line).toBe(4);
  });

  it('refuses a stray quote in the middle of a file when no quote closes it', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},name ${i}`);
    rows[20] = '20,"stray';
    const error = failure(`a,b\n${rows.join('\n')}\n`, 64);
    expect([error.code, error.line]).toEqual(['UNTERMINATED_QUOTE', 22]);
  });

  it('refuses a field, a record or a column count past its limit, naming where it began', () => {
    const field = failure(`a,b\n1,${'x'.repeat(101)}\n`, undefined, { fieldCharacters: 100 });
    expect([field.code, field.line]).toEqual(['FIELD_TOO_LONG', 2]);
    // A quote left open is stopped at the limit, not at the end of the file, and the message suggests why.
    const open = failure(`a,b\n1,"${'x\n'.repeat(200)}`, 16, { fieldCharacters: 100 });
    expect([open.code, open.line]).toEqual(['FIELD_TOO_LONG', 2]);
    expect(open.message).toContain('a quote left open?');
    const record = failure(`a,b,c\n1,2,3\n${'x'.repeat(60)},${'y'.repeat(60)}\n`, 10, { recordCharacters: 100 });
    expect([record.code, record.line]).toEqual(['RECORD_TOO_LONG', 3]);
    const columns = failure(`a,b\n${'1,'.repeat(10)}1\n`, undefined, { columns: 10 });
    expect([columns.code, columns.line]).toEqual(['TOO_MANY_COLUMNS', 2]);
    // At the limit is still fine.
    expect(parse(`a\n${'x'.repeat(100)}\n`, 7, { fieldCharacters: 100 })).toEqual([['a'], ['x'.repeat(100)]]);
  });

  it('keeps its leniency where nothing is lost: a quote inside an unquoted field is text', () => {
    expect(parse('a,b\n5" pipe,x\n')).toEqual([['a', 'b'], ['5" pipe', 'x']]);
    expect(parse('a,b\n\n1,2\n')).toEqual([['a', 'b'], [], ['1', '2']]);
  });
});
