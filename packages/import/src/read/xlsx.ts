/**
 * A streaming reader of Office Open XML workbooks (.xlsx): one sheet's rows, read from the file on disk as they are
 * needed. The ZIP container is read from its central directory; each part is inflated as a stream (zlib) and parsed
 * as a stream (saxes), so a sheet of a million rows goes through in flat memory. Only the shared strings (every
 * reader holds them: cells refer to them by index) and which styles are dates are kept.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createInflateRaw } from 'node:zlib';
import { SaxesParser } from 'saxes';

/** One row of a sheet: its number as the spreadsheet shows it, its cells' text by column (A first). */
export interface XlsxRow {
  row: number;
  cells: string[];
}

/** The sheet being read: its name, its 1-based position in the workbook, and how many sheets the workbook has. */
export interface XlsxSheet {
  name: string;
  index: number;
  count: number;
}

/** The sheet asked for is not there, or not a sheet of cells: the choice is wrong, not the workbook. */
export class SheetChoiceError extends Error {}

export interface XlsxOptions {
  /** The sheet to read: its name, or its 1-based position in the workbook. The first sheet by default. */
  sheet?: string | number;
}

export interface XlsxWorkbook {
  /** The workbook's sheet names, in workbook order (as their tabs show them). */
  sheets: string[];
  sheet: XlsxSheet;
  /**
   * The sheet's rows from row 1, each once, in order; rows absent from the sheet come as blank rows (no cells).
   * Cells hold their text: shared and inline strings as written, numbers as `String(Number(v))`, date-formatted
   * numbers and date cells as YYYY-MM-DD, booleans as true/false, errors as empty. Trailing empty cells are left out.
   */
  rows(): AsyncGenerator<XlsxRow>;
}

/** Opens a workbook: reads its directory, its sheet list, shared strings and styles; the sheet's rows follow lazily. */
export async function openXlsx(file: string, options: XlsxOptions = {}): Promise<XlsxWorkbook> {
  const handle = await open(file, 'r');
  let parts: { sheet: Part; strings: string[]; dateStyles: boolean[]; date1904: boolean; sheets: string[]; chosen: number };
  try {
    const zip = await readDirectory(handle);
    const part = async (name: string): Promise<Part | null> => {
      const entry = zip.entries.get(partKey(name));
      return entry ? locate(handle, zip.size, entry) : null;
    };

    // The package's relationships name the workbook part (xl/workbook.xml, as every writer puts it).
    const packageRels = await part('_rels/.rels');
    const officeDocument = packageRels ? (await readRelationships(file, packageRels, '')).find((r) => /\/officeDocument$/.test(r.type)) : undefined;
    const workbookName = officeDocument?.target ?? 'xl/workbook.xml';
    if (/\.bin$/i.test(workbookName)) throw notXlsx('it is a binary workbook (.xlsb); save it as an Excel workbook (.xlsx)');
    const workbookPart = await part(workbookName);
    if (!workbookPart) {
      throw notXlsx(`the archive has no ${workbookName}${zip.entries.has(partKey('word/document.xml')) ? ' (it is a Word document)' : ''}`);
    }
    const workbook = await readWorkbook(file, workbookPart);
    if (workbook.sheets.length === 0) throw notXlsx(`${workbookName} lists no sheets`);

    const base = workbookName.slice(0, workbookName.lastIndexOf('/') + 1);
    const relsPart = await part(`${base}_rels/${workbookName.slice(base.length)}.rels`);
    const rels = relsPart ? await readRelationships(file, relsPart, base) : [];
    const byId = new Map(rels.map((r) => [r.id, r]));
    const ofType = (type: string, fallback: string) => rels.find((r) => r.type.endsWith(`/${type}`))?.target ?? `${base}${fallback}`;

    const names = workbook.sheets.map((s) => s.name);
    const chosen = chooseSheet(names, options.sheet);
    const { name, id } = workbook.sheets[chosen]!;
    const rel = byId.get(id);
    if (!rel) throw notXlsx(`sheet "${name}" has no part (no relationship ${id || 'id'} in ${base}_rels)`);
    if (/\/(chartsheet|dialogsheet)$/.test(rel.type)) throw new SheetChoiceError(`sheet "${name}" is a chart sheet, not a sheet of cells: choose another sheet (${names.join(', ')})`);
    const sheet = await part(rel.target);
    if (!sheet) throw notXlsx(`sheet "${name}" is missing from the archive (${rel.target})`);

    const stringsPart = await part(ofType('sharedStrings', 'sharedStrings.xml'));
    const stylesPart = await part(ofType('styles', 'styles.xml'));
    const strings = stringsPart ? await readSharedStrings(file, stringsPart) : [];
    const dateStyles = stylesPart ? await readDateStyles(file, stylesPart) : [];
    parts = { sheet, strings, dateStyles, date1904: workbook.date1904, sheets: names, chosen };
  } finally {
    await handle.close();
  }
  const { sheet, strings, dateStyles, date1904, sheets, chosen } = parts;
  return {
    sheets,
    sheet: { name: sheets[chosen]!, index: chosen + 1, count: sheets.length },
    rows: () => readRows(file, sheet, strings, dateStyles, date1904),
  };
}

function notXlsx(reason: string): Error {
  return new Error(`not an .xlsx workbook: ${reason}`);
}

function encrypted(): Error {
  return new Error('the workbook is encrypted (password-protected): open it in Excel and save a copy without a password');
}

function chooseSheet(names: string[], wanted: string | number | undefined): number {
  if (wanted === undefined) return 0;
  const list = names.map((n) => `"${n}"`).join(', ');
  if (typeof wanted === 'string') {
    const folded = wanted.trim().toLowerCase();
    let at = names.indexOf(wanted);
    if (at < 0) at = names.findIndex((n) => n.trim().toLowerCase() === folded);
    if (at >= 0) return at;
    if (!/^\s*\d+\s*$/.test(wanted)) throw new SheetChoiceError(`the workbook has no sheet "${wanted}": its sheets are ${list}`);
    wanted = Number(wanted);
  }
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > names.length) {
    throw new SheetChoiceError(`the workbook has no sheet ${wanted}: it has ${names.length} sheet${names.length === 1 ? '' : 's'} (${list})`);
  }
  return wanted - 1;
}

// ---------------------------------------------------------------------------------------------------------------
// ZIP

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

interface ZipDirectory {
  size: number;
  /** By part name, lower-cased (part names are case-insensitive). */
  entries: Map<string, ZipEntry>;
}

/** An entry's data: where it lies in the file and how to read it. */
interface Part {
  name: string;
  method: number;
  start: number;
  compressedSize: number;
  size: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;

function partKey(name: string): string {
  return name.replaceAll('\\', '/').replace(/^\/+/, '').toLowerCase();
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  if (done < length) throw notXlsx('the file ends early (truncated)');
  return buffer;
}

function u64(buffer: Buffer, at: number): number {
  const value = buffer.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw notXlsx('a ZIP64 size or offset is out of range');
  return Number(value);
}

async function readDirectory(handle: FileHandle): Promise<ZipDirectory> {
  const size = (await handle.stat()).size;
  const head = await readAt(handle, 0, Math.min(size, 8));
  if (head.length >= 8 && head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1) {
    // An OLE compound file: what Excel writes for a password-protected workbook, and the old .xls format.
    throw new Error(
      'the workbook is encrypted (password-protected), or is an old .xls: it is an OLE compound file, not a zip archive. Open it in Excel and save it as .xlsx without a password',
    );
  }
  const zipStart = head.length >= 4 && head.readUInt32LE(0) === LOCAL;
  if (size < 22) throw notXlsx(zipStart ? 'the zip archive is truncated' : 'it is not a zip archive');

  // The end of central directory record: 22 bytes and a comment of up to 64 KiB, at the very end.
  const tailLength = Math.min(size, 0xffff + 22);
  const tailStart = size - tailLength;
  const tail = await readAt(handle, tailStart, tailLength);
  let eocd = -1;
  for (let at = tailLength - 22; at >= 0; at--) {
    if (tail.readUInt32LE(at) === EOCD && at + 22 + tail.readUInt16LE(at + 20) <= tailLength) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) {
    throw notXlsx(zipStart ? 'the zip archive is truncated or damaged (no end of central directory record)' : 'it is not a zip archive');
  }
  let disk = tail.readUInt16LE(eocd + 4);
  let directoryDisk = tail.readUInt16LE(eocd + 6);
  let count = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  let directoryEnd = tailStart + eocd;

  // ZIP64: a locator just before the end record points to the ZIP64 end record, whose fields are 64-bit.
  const locatorAt = tailStart + eocd - 20;
  const locator = locatorAt >= 0 ? (locatorAt >= tailStart ? tail.subarray(eocd - 20, eocd) : await readAt(handle, locatorAt, 20)) : null;
  if (locator && locator.readUInt32LE(0) === ZIP64_LOCATOR) {
    const recordAt = u64(locator, 8);
    if (recordAt + 56 > locatorAt) throw notXlsx('the ZIP64 end of central directory record is out of place (damaged archive)');
    const record = await readAt(handle, recordAt, 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw notXlsx('the ZIP64 end of central directory record is missing (damaged archive)');
    disk = record.readUInt32LE(16);
    directoryDisk = record.readUInt32LE(20);
    count = u64(record, 32);
    directorySize = u64(record, 40);
    directoryOffset = u64(record, 48);
    directoryEnd = recordAt;
  } else if (directoryOffset === MAX32 || directorySize === MAX32) {
    throw notXlsx('the ZIP64 end of central directory locator is missing (damaged archive)');
  }
  if (disk !== 0 || directoryDisk !== 0) throw notXlsx('it is a split (multi-part) zip archive');
  if (directoryOffset + directorySize > directoryEnd) throw notXlsx('the zip archive is truncated or damaged (central directory out of place)');

  const directory = await readAt(handle, directoryOffset, directorySize);
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) throw notXlsx('the zip central directory is damaged');
    const flags = directory.readUInt16LE(at + 8);
    const method = directory.readUInt16LE(at + 10);
    let compressedSize = directory.readUInt32LE(at + 20);
    let uncompressedSize = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    let localOffset = directory.readUInt32LE(at + 42);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > directory.length) throw notXlsx('the zip central directory is damaged');
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
    if (uncompressedSize === MAX32 || compressedSize === MAX32 || localOffset === MAX32) {
      // The ZIP64 extra field holds, in this order, those of the three that are 0xFFFFFFFF here.
      let extra = at + 46 + nameLength;
      const extraEnd = extra + extraLength;
      let found = false;
      while (extra + 4 <= extraEnd) {
        const id = directory.readUInt16LE(extra);
        const length = directory.readUInt16LE(extra + 2);
        if (id === 0x0001) {
          let field = extra + 4;
          const fieldEnd = Math.min(field + length, extraEnd);
          const take = () => {
            if (field + 8 > fieldEnd) throw notXlsx(`the ZIP64 extra field of ${name} is too short`);
            const value = u64(directory, field);
            field += 8;
            return value;
          };
          if (uncompressedSize === MAX32) uncompressedSize = take();
          if (compressedSize === MAX32) compressedSize = take();
          if (localOffset === MAX32) localOffset = take();
          found = true;
          break;
        }
        extra += 4 + length;
      }
      if (!found) throw notXlsx(`${name} has 32-bit sizes at their limit and no ZIP64 extra field`);
    }
    const entry = { name, method, flags, compressedSize, size: uncompressedSize, localOffset };
    const key = partKey(name);
    if (!entries.has(key)) entries.set(key, entry);
    at = next;
  }
  return { size, entries };
}

/** Where an entry's data lies: after its local header, whose name and extra lengths are its own. */
async function locate(handle: FileHandle, fileSize: number, entry: ZipEntry): Promise<Part> {
  if (entry.localOffset + 30 > fileSize) throw notXlsx(`the zip archive is truncated (${entry.name} lies past its end)`);
  const local = await readAt(handle, entry.localOffset, 30);
  if (local.readUInt32LE(0) !== LOCAL) throw notXlsx(`the zip archive is damaged (no local header for ${entry.name})`);
  const flags = entry.flags | local.readUInt16LE(6);
  // Bit 0: encrypted; bit 6: strong encryption; method 99: AES.
  if (flags & 0x41 || entry.method === 99) throw encrypted();
  if (entry.method !== 0 && entry.method !== 8) {
    throw notXlsx(`${entry.name} is compressed with method ${entry.method}; only stored (0) and deflate (8) entries are read`);
  }
  const start = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + entry.compressedSize > fileSize) throw notXlsx(`the zip archive is truncated (${entry.name} runs past its end)`);
  return { name: entry.name, method: entry.method, start, compressedSize: entry.compressedSize, size: entry.size };
}

/** A part's bytes, inflated, as text (UTF-8, or UTF-16 with its byte order mark). */
async function* partText(file: string, part: Part): AsyncGenerator<string> {
  if (part.compressedSize === 0) {
    if (part.size !== 0) throw notXlsx(`${part.name} is damaged (no data)`);
    return;
  }
  const raw = createReadStream(file, { start: part.start, end: part.start + part.compressedSize - 1, highWaterMark: 1 << 16 });
  let source: Readable = raw;
  if (part.method === 8) {
    const inflate = createInflateRaw();
    // Destroying either (a reader that stops early, an error) destroys both.
    pipeline(raw, inflate, () => {});
    source = inflate;
  }
  let decoder: TextDecoder | null = null;
  let total = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > part.size) throw notXlsx(`${part.name} is damaged (longer than its directory entry says)`);
      decoder ??= new TextDecoder(chunk[0] === 0xff && chunk[1] === 0xfe ? 'utf-16le' : chunk[0] === 0xfe && chunk[1] === 0xff ? 'utf-16be' : 'utf-8');
      const text = decoder.decode(chunk, { stream: true });
      if (text !== '') yield text;
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('not an .xlsx')) throw error;
    throw notXlsx(`${part.name} is damaged (${error instanceof Error ? error.message : String(error)})`);
  }
  if (total !== part.size) throw notXlsx(`${part.name} is damaged or truncated (${total} bytes of ${part.size})`);
  const rest = decoder?.decode() ?? '';
  if (rest !== '') yield rest;
}

// ---------------------------------------------------------------------------------------------------------------
// XML

interface XmlHandlers {
  open(name: string, attributes: Record<string, string>): void;
  close(name: string): void;
  text(text: string): void;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** Parses a part as it is inflated, yielding after each chunk so a caller can hand on what the handlers gathered. */
async function* parse(file: string, part: Part, handlers: XmlHandlers): AsyncGenerator<void> {
  const parser = new SaxesParser({ xmlns: false });
  parser.on('opentag', (tag) => handlers.open(localName(tag.name), tag.attributes as Record<string, string>));
  parser.on('closetag', (tag) => handlers.close(localName(tag.name)));
  parser.on('text', handlers.text);
  parser.on('cdata', handlers.text);
  const malformed = (error: unknown) => notXlsx(`${part.name} is not well-formed XML (${error instanceof Error ? error.message : String(error)})`);
  for await (const text of partText(file, part)) {
    try {
      parser.write(text);
    } catch (error) {
      throw malformed(error);
    }
    yield;
  }
  try {
    parser.close();
  } catch (error) {
    throw malformed(error);
  }
}

async function parseWhole(file: string, part: Part, handlers: XmlHandlers): Promise<void> {
  for await (const _ of parse(file, part, handlers));
}

/** Office's escape of characters XML cannot hold (and of itself): `_x000D_` is a carriage return, `_x005F_` an underscore. */
function unescapeOffice(text: string): string {
  return text.includes('_x') ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}

interface Relationship {
  id: string;
  type: string;
  /** The part it points to, from the package root. */
  target: string;
}

/** A part's relationships; targets are relative to `base` (the source part's folder) unless absolute (from the root). */
async function readRelationships(file: string, part: Part, base: string): Promise<Relationship[]> {
  const found: Relationship[] = [];
  await parseWhole(file, part, {
    open(name, a) {
      if (name !== 'Relationship' || a.TargetMode === 'External' || a.Target === undefined) return;
      found.push({ id: a.Id ?? '', type: a.Type ?? '', target: resolveTarget(base, a.Target) });
    },
    close() {},
    text() {},
  });
  return found;
}

function resolveTarget(base: string, target: string): string {
  const path = target.replaceAll('\\', '/');
  const segments = path.startsWith('/') ? [] : base.split('/').filter((s) => s !== '');
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return segments.join('/');
}

async function readWorkbook(file: string, part: Part): Promise<{ sheets: { name: string; id: string }[]; date1904: boolean }> {
  const sheets: { name: string; id: string }[] = [];
  let date1904 = false;
  await parseWhole(file, part, {
    open(name, a) {
      if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      else if (name === 'sheet') {
        // The relationship id is r:id (whatever the prefix of the relationships namespace is).
        const idKey = Object.keys(a).find((k) => k.endsWith(':id'));
        sheets.push({ name: a.name ?? '', id: idKey ? a[idKey]! : '' });
      }
    },
    close() {},
    text() {},
  });
  return { sheets, date1904 };
}

/** Each `<si>`: its `<t>`, or its rich text runs' `<t>` joined; phonetic runs (`<rPh>`) are left out. */
async function readSharedStrings(file: string, part: Part): Promise<string[]> {
  const strings: string[] = [];
  let inItem = false;
  let phonetic = 0;
  let inText = false;
  let current = '';
  await parseWhole(file, part, {
    open(name) {
      if (name === 'si') {
        inItem = true;
        current = '';
      } else if (name === 'rPh') phonetic++;
      else if (name === 't' && inItem && phonetic === 0) inText = true;
    },
    close(name) {
      if (name === 't') inText = false;
      else if (name === 'rPh') phonetic--;
      else if (name === 'si') {
        strings.push(unescapeOffice(current));
        inItem = false;
      }
    },
    text(text) {
      if (inText) current += text;
    },
  });
  return strings;
}

/** Built-in number formats that show dates or times: 14-22 and 45-47, and 27-36 and 50-58 of the East Asian locales. */
function isBuiltInDate(id: number): boolean {
  return (id >= 14 && id <= 22) || (id >= 45 && id <= 47) || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

/** A format code shows a date or time when it has d, m, y, h or s outside quoted text, escapes and `[...]` sections. */
export function isDateFormatCode(code: string): boolean {
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    if (ch === '"') {
      const end = code.indexOf('"', i + 1);
      i = end < 0 ? code.length : end;
    } else if (ch === '[') {
      const end = code.indexOf(']', i + 1);
      i = end < 0 ? code.length : end;
    } else if (ch === '\\' || ch === '_' || ch === '*') {
      i++; // an escaped character, a space as wide as one, a fill character
    } else if ('dDmMyYhHsS'.includes(ch)) {
      return true;
    }
  }
  return false;
}

/** Per cell style (`cellXfs` index): whether its number format is a date or time. */
async function readDateStyles(file: string, part: Part): Promise<boolean[]> {
  const codes = new Map<number, string>();
  const formats: number[] = [];
  let inCellXfs = false;
  await parseWhole(file, part, {
    open(name, a) {
      if (name === 'numFmt' && a.numFmtId !== undefined) codes.set(Number(a.numFmtId), a.formatCode ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) formats.push(Number(a.numFmtId ?? 0));
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
    text() {},
  });
  return formats.map((id) => {
    const code = codes.get(id);
    return code !== undefined ? isDateFormatCode(code) : isBuiltInDate(id);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Sheet rows

const MAX_COLUMN = 16_384; // XFD
const MAX_ROW = 1_048_576;
const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/** A serial date as YYYY-MM-DD (the time of day dropped), or null when no year 1-9999 date. */
export function serialToDate(serial: number, date1904 = false): string | null {
  // To the millisecond first, as Excel shows it: 45000.99999999999 is the next day.
  const days = Math.floor(Math.round(serial * DAY_MS) / DAY_MS);
  const date = new Date((date1904 ? EPOCH_1904 : EPOCH_1900) + days * DAY_MS);
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 1 || year > 9999) return null;
  return date.toISOString().slice(0, 10);
}

function columnOf(ref: string): number {
  let column = 0;
  for (let i = 0; i < ref.length; i++) {
    const code = ref.charCodeAt(i);
    if (code >= 65 && code <= 90) column = column * 26 + code - 64;
    else if (code >= 97 && code <= 122) column = column * 26 + code - 96;
    else break;
    if (column > MAX_COLUMN) break;
  }
  return column;
}

async function* readRows(file: string, part: Part, strings: string[], dateStyles: boolean[], date1904: boolean): AsyncGenerator<XlsxRow> {
  const ready: XlsxRow[] = [];
  let rowNumber = 0;
  let cells: string[] | null = null;
  let column = 0;
  // The cell being read.
  let inCell = false;
  let type = 'n';
  let style = 0;
  let value = '';
  let inline = '';
  let capture: 'v' | 'is' | null = null;
  let inInline = false;
  let inlineSeen = false;
  let phonetic = 0;
  const bad = (what: string) => notXlsx(`${part.name} has ${what}`);

  const text = (): string => {
    switch (type) {
      case 's': {
        const index = Number(value);
        return value.trim() !== '' && Number.isInteger(index) ? (strings[index] ?? '') : '';
      }
      case 'inlineStr':
        return unescapeOffice(inlineSeen ? inline : value);
      case 'str':
        return unescapeOffice(value);
      case 'b': {
        const v = value.trim();
        return v === '' ? '' : v === '1' || v.toLowerCase() === 'true' ? 'true' : 'false';
      }
      case 'e':
        return '';
      case 'd':
        return value.trim().slice(0, 10);
      default: {
        const v = value.trim();
        if (v === '') return '';
        const number = Number(v);
        if (!Number.isFinite(number)) return v;
        if (dateStyles[style]) return serialToDate(number, date1904) ?? String(number);
        return String(number);
      }
    }
  };

  const handlers: XmlHandlers = {
    open(name, a) {
      if (name === 'row') {
        const r = a.r;
        if (r === undefined) rowNumber++;
        else {
          const n = Number(r);
          if (!Number.isInteger(n) || n < 1 || n > MAX_ROW) throw bad(`a bad row number "${r}"`);
          rowNumber = n;
        }
        cells = [];
        column = 0;
      } else if (name === 'c') {
        if (cells === null) return;
        const r = a.r;
        if (r === undefined) column++;
        else {
          column = columnOf(r);
          if (column < 1 || column > MAX_COLUMN) throw bad(`a bad cell reference "${r}"`);
        }
        inCell = true;
        type = a.t ?? 'n';
        style = a.s === undefined ? 0 : Number(a.s);
        value = '';
        inline = '';
        inlineSeen = false;
        phonetic = 0;
      } else if (inCell) {
        if (name === 'v') capture = 'v';
        else if (name === 'is') {
          inInline = true;
          inlineSeen = true;
        } else if (name === 'rPh') phonetic++;
        else if (name === 't' && inInline && phonetic === 0) capture = 'is';
      }
    },
    close(name) {
      if (name === 'row') {
        if (cells !== null) ready.push({ row: rowNumber, cells });
        cells = null;
      } else if (name === 'c') {
        if (!inCell) return;
        inCell = false;
        capture = null;
        inInline = false;
        const cellText = text();
        if (cellText !== '' && cells !== null) {
          while (cells.length < column - 1) cells.push('');
          cells[column - 1] = cellText;
        }
      } else if (name === 'v' || name === 't') capture = null;
      else if (name === 'is') inInline = false;
      else if (name === 'rPh') phonetic--;
    },
    text(t) {
      if (capture === 'v') value += t;
      else if (capture === 'is') inline += t;
    },
  };

  let expected = 1;
  function* handOn(): Generator<XlsxRow> {
    for (const row of ready) {
      // Rows absent from the sheet are blank rows.
      while (expected < row.row) yield { row: expected++, cells: [] };
      yield row;
      if (row.row >= expected) expected = row.row + 1;
    }
    ready.length = 0;
  }
  for await (const _ of parse(file, part, handlers)) yield* handOn();
  yield* handOn();
}
