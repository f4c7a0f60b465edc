/**
 * A streaming RFC 4180 parser: comma-separated, fields optionally in double quotes (a quote inside doubled), quoted
 * fields may hold commas and line breaks, records end at CRLF, LF or CR. Text arrives in chunks of any size; a
 * record cut by a chunk boundary is completed by the next. Lenient where legacy exports are sloppy: a quote inside an
 * unquoted field is kept as text.
 */
export class CsvParser {
  private field = '';
  private record: string[] = [];
  private state: 'start' | 'unquoted' | 'quoted' | 'quote-in-quoted' = 'start';
  private skipLineFeed = false;
  /** Whether the record under way has any content (a blank line yields no record). */
  private recordHasContent = false;

  constructor(private readonly delimiter = ',') {}

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
          }
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
          if (c === 34) {
            this.state = 'quoted';
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
        this.record.push(this.field);
        this.field = '';
        this.recordHasContent = true;
        this.state = 'start';
        start = ++i;
      } else if (c === 10 || c === 13) {
        this.field += chunk.slice(start, i);
        this.endRecord(out);
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
  }

  /** Ends the input: a last record without a line break is complete too. */
  end(out: string[][]): void {
    if (this.state === 'quote-in-quoted') this.state = 'unquoted';
    if (this.field !== '' || this.record.length > 0 || this.recordHasContent) this.endRecord(out);
  }

  private endRecord(out: string[][]): void {
    this.record.push(this.field);
    const blank = !this.recordHasContent && this.record.length === 1 && this.field === '';
    // Blank lines still count as rows (a spreadsheet shows them), so they come out as empty records.
    out.push(blank ? [] : this.record);
    this.record = [];
    this.field = '';
    this.recordHasContent = false;
    this.state = 'start';
  }
}
