/**
 * Writes real .xlsx files for the tests: the XML parts as Excel writes them, in a ZIP archive written here (deflate
 * via zlib, or stored; CRC-32; central directory; optionally ZIP64 records and data descriptors).
 */
import { writeFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';

// ---------------------------------------------------------------------------------------------------------------
// ZIP

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (the ZIP and PNG one); `crc32(Buffer.from('123456789'))` is 0xcbf43926. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface ZipFile {
  name: string;
  data: string | Buffer;
  /** 8 deflate (the default), 0 stored, or any other number written as is (with the data stored). */
  method?: number;
  /** Sets the encrypted flag (the data is left as it is). */
  encrypted?: boolean;
  /** The entry's bytes in the archive as they are, instead of the data compressed (to write a damaged entry). */
  body?: Buffer;
}

export interface ZipOptions {
  /** ZIP64 end records and extra fields, every size and offset 0xFFFFFFFF in the 32-bit fields. */
  zip64?: boolean;
  /** Sizes and CRC in a data descriptor after the data (flag bit 3), zeros in the local header, as streaming writers do. */
  dataDescriptor?: boolean;
  comment?: string;
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value);
  return b;
}
function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
}
function u64(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(value));
  return b;
}

/** A ZIP archive of the files, in the order given. */
export function zip(files: readonly ZipFile[], options: ZipOptions = {}): Buffer {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer) => {
    chunks.push(b);
    offset += b.length;
  };
  const MAX = 0xffffffff;
  // 2026-01-02 03:04:06, DOS format.
  const time = (3 << 11) | (4 << 5) | 3;
  const date = ((2026 - 1980) << 9) | (1 << 5) | 2;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const data = typeof file.data === 'string' ? Buffer.from(file.data, 'utf8') : file.data;
    const method = file.method ?? 8;
    const body = file.body ?? (method === 8 ? deflateRawSync(data) : data);
    const crc = crc32(data);
    const flags = (file.encrypted ? 1 : 0) | (options.dataDescriptor ? 8 : 0) | 0x800;
    const version = options.zip64 ? 45 : 20;
    const localOffset = offset;
    // The local header's extra field differs from the central one (as Info-ZIP writes them): a reader must use its own.
    const localTimestamp = Buffer.concat([u16(0x5455), u16(9), Buffer.from([3]), u32(1_767_322_000), u32(1_767_322_000)]);
    const localZip64 = options.zip64 ? Buffer.concat([u16(0x0001), u16(16), u64(options.dataDescriptor ? 0 : data.length), u64(options.dataDescriptor ? 0 : body.length)]) : Buffer.alloc(0);
    const localExtra = Buffer.concat([localZip64, localTimestamp]);
    const sizeField = (n: number) => (options.zip64 ? MAX : options.dataDescriptor ? 0 : n);
    push(
      Buffer.concat([
        u32(0x04034b50),
        u16(version),
        u16(flags),
        u16(method),
        u16(time),
        u16(date),
        u32(options.dataDescriptor ? 0 : crc),
        u32(sizeField(body.length)),
        u32(sizeField(data.length)),
        u16(name.length),
        u16(localExtra.length),
        name,
        localExtra,
      ]),
    );
    push(body);
    if (options.dataDescriptor) {
      push(Buffer.concat([u32(0x08074b50), u32(crc), ...(options.zip64 ? [u64(body.length), u64(data.length)] : [u32(body.length), u32(data.length)])]));
    }
    const centralZip64 = options.zip64 ? Buffer.concat([u16(0x0001), u16(24), u64(data.length), u64(body.length), u64(localOffset)]) : Buffer.alloc(0);
    const centralExtra = Buffer.concat([centralZip64, u16(0x5455), u16(5), Buffer.from([3]), u32(1_767_322_000)]);
    central.push(
      Buffer.concat([
        u32(0x02014b50),
        u16((3 << 8) | version),
        u16(version),
        u16(flags),
        u16(method),
        u16(time),
        u16(date),
        u32(crc),
        u32(options.zip64 ? MAX : body.length),
        u32(options.zip64 ? MAX : data.length),
        u16(name.length),
        u16(centralExtra.length),
        u16(0),
        u16(0),
        u16(0),
        u32(0),
        u32(options.zip64 ? MAX : localOffset),
        name,
        centralExtra,
      ]),
    );
  }
  const directoryOffset = offset;
  const directory = Buffer.concat(central);
  push(directory);
  if (options.zip64) {
    const recordOffset = offset;
    push(
      Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(files.length), u64(files.length), u64(directory.length), u64(directoryOffset)]),
    );
    push(Buffer.concat([u32(0x07064b50), u32(0), u64(recordOffset), u32(1)]));
  }
  const comment = Buffer.from(options.comment ?? '', 'utf8');
  push(
    Buffer.concat([
      u32(0x06054b50),
      u16(0),
      u16(0),
      u16(options.zip64 ? 0xffff : files.length),
      u16(options.zip64 ? 0xffff : files.length),
      u32(options.zip64 ? MAX : directory.length),
      u32(options.zip64 ? MAX : directoryOffset),
      u16(comment.length),
      comment,
    ]),
  );
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------------------------------------------
// Workbook

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n';

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A cell: text, a number, a boolean, a date (a number in a date style), a formula with its cached value, an error. */
export type Cell =
  | string
  | number
  | boolean
  | Date
  | null
  | undefined
  | { formula: string; value?: string | number | boolean }
  | { error: string }
  | { number: number; style: number };

export interface SheetSpec {
  name: string;
  rows?: readonly (readonly Cell[])[];
  /** The `<sheetData>` content as it is, instead of rows (in pieces of UTF-8 for a large sheet). */
  sheetData?: string | readonly Buffer[];
  /** The part's file name under xl/worksheets/ (sheet1.xml, sheet2.xml, ... by default). */
  file?: string;
}

export interface WorkbookSpec {
  sheets: readonly SheetSpec[];
  date1904?: boolean;
  /** Text cells as shared strings (true, as Excel writes them) or inline strings. */
  sharedStrings?: boolean;
  /** Shared strings as they are (each item's XML), before those of the rows' text cells. */
  sharedStringItems?: readonly string[];
  /**
   * The number formats of cell styles 1, 2, ... (style 0 is General): a built-in id or a custom format code
   * (numbered from 164). Dates are written in style 1, so its format must be a date one. Default: [14].
   */
  styles?: readonly (number | string)[];
  /** Relationship targets absolute from the package root (/xl/worksheets/sheet1.xml) instead of relative to xl/. */
  absoluteTargets?: boolean;
  /** Entry order in the archive: as the parts are listed (default), or sheets' parts in reverse. */
  reverseSheetEntries?: boolean;
  zip?: ZipOptions & { method?: number; encrypted?: boolean };
}

const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** The ZIP entries of a workbook, in the order Excel writes them. */
export function workbookParts(spec: WorkbookSpec): ZipFile[] {
  const useShared = spec.sharedStrings ?? true;
  const sharedItems: string[] = [...(spec.sharedStringItems ?? [])];
  const sharedIndex = new Map<string, number>();
  let sharedCount = 0;
  const shared = (text: string) => {
    sharedCount++;
    let at = sharedIndex.get(text);
    if (at === undefined) {
      at = sharedItems.length;
      sharedItems.push(`<t${/^\s|\s$/.test(text) ? ' xml:space="preserve"' : ''}>${xmlEscape(text)}</t>`);
      sharedIndex.set(text, at);
    }
    return at;
  };
  const epoch = spec.date1904 ? EPOCH_1904 : EPOCH_1900;
  const cellXml = (ref: string, cell: Cell): string => {
    if (cell === null || cell === undefined) return '';
    if (typeof cell === 'string') {
      return useShared ? `<c r="${ref}" t="s"><v>${shared(cell)}</v></c>` : `<c r="${ref}" t="inlineStr"><is><t>${xmlEscape(cell)}</t></is></c>`;
    }
    if (typeof cell === 'number') return `<c r="${ref}"><v>${cell}</v></c>`;
    if (typeof cell === 'boolean') return `<c r="${ref}" t="b"><v>${cell ? 1 : 0}</v></c>`;
    if (cell instanceof Date) return `<c r="${ref}" s="1"><v>${(cell.getTime() - epoch) / 86_400_000}</v></c>`;
    if ('error' in cell) return `<c r="${ref}" t="e"><v>${xmlEscape(cell.error)}</v></c>`;
    if ('style' in cell) return `<c r="${ref}" s="${cell.style}"><v>${cell.number}</v></c>`;
    const f = `<f>${xmlEscape(cell.formula)}</f>`;
    if (cell.value === undefined) return `<c r="${ref}">${f}</c>`;
    if (typeof cell.value === 'string') return `<c r="${ref}" t="str">${f}<v>${xmlEscape(cell.value)}</v></c>`;
    if (typeof cell.value === 'boolean') return `<c r="${ref}" t="b">${f}<v>${cell.value ? 1 : 0}</v></c>`;
    return `<c r="${ref}">${f}<v>${cell.value}</v></c>`;
  };

  const sheets = spec.sheets.map((sheet, i) => {
    const file = sheet.file ?? `sheet${i + 1}.xml`;
    let data = sheet.sheetData;
    let width = 1;
    if (data === undefined) {
      const rows = sheet.rows ?? [];
      width = Math.max(1, ...rows.map((r) => r.length));
      data = rows
        .map((row, r) => {
          const cells = row.map((cell, c) => cellXml(`${columnName(c)}${r + 1}`, cell)).join('');
          return `<row r="${r + 1}" spans="1:${width}" x14ac:dyDescent="0.25">${cells}</row>`;
        })
        .join('');
    }
    const height = sheet.rows?.length ?? 1;
    const head =
      `${DECL}<worksheet xmlns="${MAIN}" xmlns:r="${REL}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">` +
      `<dimension ref="A1:${columnName(width - 1)}${Math.max(1, height)}"/><sheetViews><sheetView${i === 0 ? ' tabSelected="1"' : ''} workbookViewId="0"/></sheetViews>` +
      `<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><sheetData>`;
    const tail = `</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`;
    const xml = typeof data === 'string' ? head + data + tail : Buffer.concat([Buffer.from(head), ...data, Buffer.from(tail)]);
    return { name: sheet.name, file, xml };
  });

  const formats = spec.styles ?? [14];
  const custom = formats.flatMap((f, i) => (typeof f === 'string' ? [{ id: 164 + i, code: f }] : []));
  const numFmtIdOf = (f: number | string, i: number) => (typeof f === 'string' ? 164 + i : f);
  const styles =
    `${DECL}<styleSheet xmlns="${MAIN}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">` +
    (custom.length > 0 ? `<numFmts count="${custom.length}">${custom.map((c) => `<numFmt numFmtId="${c.id}" formatCode="${xmlEscape(c.code)}"/>`).join('')}</numFmts>` : '') +
    `<fonts count="1" x14ac:knownFonts="1"><font><sz val="11"/><color theme="1"/><name val="等线"/><family val="2"/><charset val="134"/><scheme val="minor"/></font></fonts>` +
    `<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
    `<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
    // Named styles (Comma, Date): their xf are not cell styles and must not shift the cellXfs indexes.
    `<cellStyleXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="43" fontId="0" fillId="0" borderId="0" applyFont="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
    `<cellXfs count="${formats.length + 1}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
    formats.map((f, i) => `<xf numFmtId="${numFmtIdOf(f, i)}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"><alignment vertical="center"/></xf>`).join('') +
    `</cellXfs><cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/>` +
    `<tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/></styleSheet>`;

  const sharedXml = `${DECL}<sst xmlns="${MAIN}" count="${sharedCount + (spec.sharedStringItems?.length ?? 0)}" uniqueCount="${sharedItems.length}">${sharedItems.map((s) => `<si>${s}</si>`).join('')}</sst>`;
  const hasShared = sharedItems.length > 0;
  const target = (t: string) => (spec.absoluteTargets ? `/xl/${t}` : t);
  const workbookRels =
    `${DECL}<Relationships xmlns="${PKG_REL}">` +
    sheets.map((s, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="${target(`worksheets/${s.file}`)}"/>`).join('') +
    `<Relationship Id="rId${sheets.length + 1}" Type="${REL}/styles" Target="${target('styles.xml')}"/>` +
    (hasShared ? `<Relationship Id="rId${sheets.length + 2}" Type="${REL}/sharedStrings" Target="${target('sharedStrings.xml')}"/>` : '') +
    `</Relationships>`;
  const workbook =
    `${DECL}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27328"/>` +
    `<workbookPr${spec.date1904 ? ' date1904="1"' : ''} defaultThemeVersion="166925"/><bookViews><workbookView xWindow="0" yWindow="0" windowWidth="28800" windowHeight="12300"/></bookViews>` +
    `<sheets>${sheets.map((s, i) => `<sheet name="${xmlEscape(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets><calcPr calcId="191029"/></workbook>`;
  const contentTypes =
    `${DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
    `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
    sheets.map((s) => `<Override PartName="/xl/worksheets/${s.file}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
    `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
    (hasShared ? `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` : '') +
    `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
    `<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`;
  const rootRels =
    `${DECL}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId3" Type="${REL}/extended-properties" Target="docProps/app.xml"/>` +
    `<Relationship Id="rId2" Type="${PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>` +
    `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
  const core =
    `${DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    `<dc:creator>hub tests</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2026-01-02T03:04:05Z</dcterms:created></cp:coreProperties>`;
  const app = `${DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Excel</Application></Properties>`;

  const sheetEntries = sheets.map((s) => ({ name: `xl/worksheets/${s.file}`, data: s.xml }));
  if (spec.reverseSheetEntries) sheetEntries.reverse();
  const method = spec.zip?.method;
  const encrypted = spec.zip?.encrypted;
  return [
    { name: '[Content_Types].xml', data: contentTypes },
    { name: '_rels/.rels', data: rootRels },
    { name: 'xl/workbook.xml', data: workbook },
    { name: 'xl/_rels/workbook.xml.rels', data: workbookRels },
    ...sheetEntries,
    { name: 'xl/styles.xml', data: styles },
    ...(hasShared ? [{ name: 'xl/sharedStrings.xml', data: sharedXml }] : []),
    { name: 'docProps/core.xml', data: core },
    { name: 'docProps/app.xml', data: app },
  ].map((f) => ({ ...f, ...(method !== undefined ? { method } : {}), ...(encrypted ? { encrypted } : {}) }));
}

/** A workbook as the bytes of an .xlsx file. */
export function xlsx(spec: WorkbookSpec): Buffer {
  return zip(workbookParts(spec), spec.zip);
}

export async function writeXlsx(file: string, spec: WorkbookSpec): Promise<string> {
  await writeFile(file, xlsx(spec));
  return file;
}
