/**
 * The one CSV writer of the hub (datasets, the export command's files, the import reject report): RFC 4180, made
 * safe to open in a spreadsheet (CWE-1236, OWASP "CSV Injection").
 *
 * - A field holding a comma, a quote, CR or LF is quoted, its quotes doubled; records end in CRLF unless a caller
 *   asks for LF; a UTF-8 byte-order mark may lead the file (so Excel reads Chinese right).
 * - A text cell whose first character is `=`, `+`, `-`, `@`, tab (0x09) or CR (0x0D), or the full-width `＝＋－＠`
 *   that Excel and WPS read the same way, is written with a single quote `'` in front, so a spreadsheet shows it as
 *   text instead of running it as a formula.
 * - The number rule: a cell that is a number (or a boolean) in JavaScript is data of a typed column (a negative
 *   amount) and is written as the number it is, never prefixed. A number that arrives as text is text, and is
 *   prefixed like any other text cell. Callers keep typed columns typed: NDJSON and Parquet carry the values
 *   unchanged; only CSV text is defanged.
 */

export type CsvCell = string | number | bigint | boolean | null | undefined;

export const CSV_BOM = '\uFEFF';

export interface CsvOptions {
  /** Record terminator: CRLF (RFC 4180, the default) or LF. */
  eol?: '\r\n' | '\n';
  /** Start the text with a UTF-8 byte-order mark. */
  bom?: boolean;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** Whether a text cell starting with this UTF-16 code unit would be read as a formula by a spreadsheet. */
export function startsLikeFormula(first: number): boolean {
  if (first <= 0x40) return first === 0x3d || first === 0x2b || first === 0x2d || first === 0x40 || first === 0x09 || first === 0x0d;
  // Full-width ＋ (FF0B), － (FF0D), ＝ (FF1D), ＠ (FF20).
  return first >= 0xff0b && (first === 0xff0b || first === 0xff0d || first === 0xff1d || first === 0xff20);
}

/** A text value as a spreadsheet will show it, never as a formula: `'` before a formula-looking first character. */
export function defang(text: string): string {
  return startsLikeFormula(text.charCodeAt(0)) ? `'${text}` : text;
}

/** One field: empty for null, numbers and booleans as they are, text defanged and then quoted when it must be. */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  // One character compared per cell (the datasets write millions of them); '' gives NaN, which matches nothing.
  const text = defang(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record with its terminator. */
export function csvRecord(cells: readonly CsvCell[], eol: '\r\n' | '\n' = '\r\n'): string {
  let text = '';
  for (let i = 0; i < cells.length; i++) text += i === 0 ? csvField(cells[i]) : `,${csvField(cells[i])}`;
  return text + eol;
}

/**
 * Records written into one string (a page of thousands of rows costs no array per row), the byte-order mark first
 * when asked for.
 */
export function csvText(rows: readonly (readonly CsvCell[])[], options: CsvOptions = {}): string {
  const eol = options.eol ?? '\r\n';
  let text = options.bom ? CSV_BOM : '';
  for (const row of rows) text += csvRecord(row, eol);
  return text;
}
