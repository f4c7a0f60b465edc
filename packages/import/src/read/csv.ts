/**
 * A streaming RFC 4180 parser: comma-separated, fields optionally in double quotes (a quote inside doubled), quoted
 * fields may hold commas and line breaks, records end at CRLF, LF or CR. Text arrives in chunks of any size; a
 * record cut by a chunk boundary is completed by the next. Lenient where legacy exports are sloppy: a quote inside an
 * unquoted field is kept as text.
 *
 * Strict where leniency would lose rows without a word: a quoted field still open at the end of the input (one stray
 * `"` would otherwise make the rest of the file one field of one row), a field, a record or a column count beyond
 * its limit, each throw a `CsvFormatError` naming the line where the field or record began. Memory stays bounded:
 * a field is measured at every chunk's end, not only when it closes.
 */

export interface CsvLimits {
  /** Characters in one field (its quotes not counted). */
  fieldCharacters: number;
  /** Characters in one record, all its fields together. */
  recordCharacters: number;
  /** Fields in one record. */
  columns: number;
}

export const CSV_LIMITS: CsvLimits = { fieldCharacters: 65_536, recordCharacters: 1_048_576, columns: 1_024 };

export type CsvFormatCode = 'UNTERMINATED_QUOTE' | 'FIELD_TOO_LONG' | 'RECORD_TOO_LONG' | 'TOO_MANY_COLUMNS';

/** The file cannot be read as CSV from `line` on (a line as an editor counts them, the first line 1). */
export class CsvFormatError extends Error {
  constructor(
    readonly code: CsvFormatCode,
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line.toLocaleString('en')}: ${reason} (${code})`);
  }
}

const n = (v: number) => v.toLocaleString('en');

export class CsvParser {
  private field = '';
  private record: string[] = [];
  private state: 'start' | 'unquoted' | 'quoted' | 'quote-in-quoted' = 'start';
  private skipLineFeed = false;
  /** Whether the record under way has any content (a blank line yields no record). */
  private recordHasContent = false;
  /** The line the parser is on, the line the field under way began on, the line the record under way began on. */
  private line = 1;
  private fieldLine = 1;
  private recordLine = 1;
  /** The previous character (inside quotes) was a CR: a CRLF there is one line break. */
  private afterCR = false;
  /** Characters in the record's completed fields. */
  private recordLength = 0;
  private readonly limits: CsvLimits;

  constructor(
    private readonly delimiter = ',',
    limits: Partial<CsvLimits> = {},
  ) {
    this.limits = { ...CSV_LIMITS, ...limits };
  }

  /** Parses a chunk; the records it completes go to `out`. */
  push(chunk: string, out: string[][]): void {
    const delimiter = this.delimiter.charCodeAt(0);
    let start = 0;
    let i = 0;
    const length = chunk.length;
    if (this.skipLineFeed && length > 0) {
      this.skipLineFeed = false;
      if (chunk.charCodeAt(0) === 10) start = i = 1;
    }
    while (i < length) {
      const c = chunk.charCodeAt(i);
      switch (this.state) {
        case 'quoted':
          if (c === 34) {
            this.field += chunk.slice(start, i);
            this.state = 'quote-in-quoted';
            start = i + 1;
          } else if (c === 10) {
            if (!this.afterCR) this.line++;
          } else if (c === 13) this.line++;
          this.afterCR = c === 13;
          i++;
          continue;
        case 'quote-in-quoted':
          if (c === 34) {
            // A doubled quote is one quote character, and the field stays quoted.
            this.field += '"';
            this.state = 'quoted';
            start = ++i;
            continue;
          }
          this.state = 'unquoted';
          break;
        case 'start':
          this.fieldLine = this.line;
          if (this.record.length === 0) this.recordLine = this.line;
          if (c === 34) {
            this.state = 'quoted';
            this.afterCR = false;
            this.recordHasContent = true;
            start = ++i;
            continue;
          }
          this.state = 'unquoted';
          break;
        case 'unquoted':
          break;
      }
      // Unquoted text (or just after a closing quote).
      if (c === delimiter) {
        this.field += chunk.slice(start, i);
        this.endField();
        this.recordHasContent = true;
        this.state = 'start';
        start = ++i;
      } else if (c === 10 || c === 13) {
        this.field += chunk.slice(start, i);
        this.endRecord(out);
        this.line++;
        if (c === 13) {
          if (i + 1 < length) {
            if (chunk.charCodeAt(i + 1) === 10) i++;
          } else this.skipLineFeed = true;
        }
        start = ++i;
      } else {
        i++;
      }
    }
    this.field += chunk.slice(start, length);
    // A field that never ends (a quote left open) is stopped here, one chunk past its limit at most.
    this.checkField();
  }

  /** Ends the input: a last record without a line break is complete too; a quote still open is an error. */
  end(out: string[][]): void {
    if (this.state === 'quoted') {
      throw new CsvFormatError(
        'UNTERMINATED_QUOTE',
        this.fieldLine,
        'a quoted field begins here and its closing quote never comes: the rest of the file would have been one field',
      );
    }
    if (this.state === 'quote-in-quoted') this.state = 'unquoted';
    if (this.field !== '' || this.record.length > 0 || this.recordHasContent) this.endRecord(out);
  }

  private checkField(): void {
    const { limits } = this;
    if (this.field.length > limits.fieldCharacters) {
      const open = this.state === 'quoted' ? ' (a quote left open?)' : '';
      throw new CsvFormatError('FIELD_TOO_LONG', this.fieldLine, `a field begins here that is longer than ${n(limits.fieldCharacters)} characters${open}`);
    }
    if (this.recordLength + this.field.length > limits.recordCharacters) {
      throw new CsvFormatError('RECORD_TOO_LONG', this.recordLine, `a record begins here that is longer than ${n(limits.recordCharacters)} characters`);
    }
  }

  private endField(): void {
    this.checkField();
    if (this.record.length >= this.limits.columns) {
      throw new CsvFormatError('TOO_MANY_COLUMNS', this.recordLine, `a record begins here with more than ${n(this.limits.columns)} fields`);
    }
    this.recordLength += this.field.length;
    this.record.push(this.field);
    this.field = '';
  }

  private endRecord(out: string[][]): void {
    this.endField();
    const blank = !this.recordHasContent && this.record.length === 1 && this.record[0] === '';
    // Blank lines still count as rows (a spreadsheet shows them), so they come out as empty records.
    out.push(blank ? [] : this.record);
    this.record = [];
    this.recordLength = 0;
    this.recordHasContent = false;
    this.state = 'start';
  }
}
