import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../src/read/source.ts';
import { isDateFormatCode, openXlsx, serialToDate, type XlsxOptions, type XlsxRow } from '../src/read/xlsx.ts';
import { crc32, workbookParts, xlsx, zip, type WorkbookSpec } from '../src/testing/xlsx-writer.ts';

/** A folder of this file's own for the workbooks it writes. */
interface Workspace {
  dir: string;
  write(name: string, content: string | Buffer): Promise<string>;
  remove(): Promise<void>;
}

async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-xlsx-'));
  return {
    dir,
    async write(name, content) {
      const file = path.join(dir, name);
      await writeFile(file, content);
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

let files: Workspace;
let counter = 0;
beforeAll(async () => {
  files = await workspace();
});
afterAll(() => files.remove());

async function save(content: WorkbookSpec | Buffer, name = `book${++counter}.xlsx`): Promise<string> {
  return files.write(name, Buffer.isBuffer(content) ? content : xlsx(content));
}

async function read(content: WorkbookSpec | Buffer, options: XlsxOptions = {}) {
  const workbook = await openXlsx(await save(content), options);
  const rows: XlsxRow[] = [];
  for await (const row of workbook.rows()) rows.push(row);
  return { workbook, rows, cells: rows.map((r) => r.cells) };
}

/** A one-sheet workbook of `<sheetData>` as it is. */
function sheetOf(sheetData: string | Buffer[], more: Partial<WorkbookSpec> = {}): WorkbookSpec {
  return { sheets: [{ name: 'Sheet1', sheetData }], ...more };
}

describe('the test zip writer', () => {
  it('computes CRC-32 as zlib does', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });
});

describe('xlsx: cell text', () => {
  it('reads shared and inline strings, rich text runs without phonetic runs, XML entities, Chinese text and Office escapes', async () => {
    const { cells, rows } = await read(
      sheetOf(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>内联 &amp; text</t></is></c>' +
          '<c r="C1" t="inlineStr"><is><r><rPr><b/></rPr><t>a</t></r><r><t xml:space="preserve">b </t></r><rPh sb="0" eb="1"><t>ピ</t></rPh></is></c></row>' +
          '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c><c r="C2" t="s"><v>3</v></c><c r="D2" t="s"><v>4</v></c><c r="E2" t="s"><v>5</v></c></row>',
        {
          sharedStringItems: [
            '<t>姓名</t>',
            '<r><rPr><b/><sz val="11"/><rFont val="等线"/></rPr><t>张</t></r><r><rPr><sz val="11"/></rPr><t xml:space="preserve">三 </t></r>',
            '<t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/>',
            '<t>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#x4E2D;&#25991;</t>',
            '<t>line_x000D_\nbreak _x005F_x0041_</t>',
            '<t><![CDATA[<raw> & ]]>cdata</t>',
          ],
        },
      ),
    );
    expect(rows.map((r) => r.row)).toEqual([1, 2]);
    expect(cells).toEqual([
      ['姓名', '内联 & text', 'ab '],
      ['张三 ', '東京', 'a & b <c> "d" \'e\' 中文', 'line\r\nbreak _x0041_', '<raw> & cdata'],
    ]);
  });

  it('writes strings the way Excel does (shared) and inline alike', async () => {
    const rows = [['公民身份号码', '姓名', ' 前后空格 '], ['110101199003078515', '<李&四>', '']];
    for (const sharedStrings of [true, false]) {
      expect((await read({ sheets: [{ name: '表', rows }], sharedStrings })).cells).toEqual([rows[0], rows[1]!.slice(0, 2)]);
    }
  });

  it('reads numbers as String(Number(v)), booleans, errors as empty, and formulas by their cached value', async () => {
    const { cells } = await read(
      sheetOf(
        '<row r="1"><c r="A1"><v>42</v></c><c r="B1"><v>2.5</v></c><c r="C1" t="n"><v>1.5E3</v></c><c r="D1"><v>-1.25e-7</v></c>' +
          '<c r="E1"><v>12345678901234567890</v></c><c r="F1"><v>0.1</v></c><c r="G1"><v>110101199003078515</v></c></row>' +
          '<row r="2"><c r="A2" t="b"><v>1</v></c><c r="B2" t="b"><v>0</v></c><c r="C2" t="e"><v>#DIV/0!</v></c><c r="D2" t="e"><f>NA()</f><v>#N/A</v></c><c r="E2"><v>7</v></c></row>' +
          '<row r="3"><c r="A3"><f>1+1</f><v>2</v></c><c r="B3" t="str"><f>"x"&amp;"y"</f><v>xy</v></c><c r="C3" t="b"><f>TRUE()</f><v>1</v></c>' +
          '<c r="D3"><f t="shared" ref="D3:D4" si="0">A3*2</f><v>4</v></c><c r="E3"><f>A3*3</f></c><c r="F3" t="str"><f>""</f><v></v></c><c r="G3"><v>9</v></c></row>' +
          '<row r="4"><c r="D4"><f t="shared" si="0"/><v>8</v></c></row>',
      ),
    );
    expect(cells).toEqual([
      ['42', '2.5', '1500', '-1.25e-7', '12345678901234567000', '0.1', '110101199003078510'],
      ['true', 'false', '', '', '7'],
      ['2', 'xy', 'true', '4', '', '', '9'],
      ['', '', '', '8'],
    ]);
  });

  it('reads the cell API of the writer: numbers, booleans, formulas, errors', async () => {
    const { cells } = await read({
      sheets: [{ name: 'S', rows: [[1, 2.75, true, false, { formula: 'A1+1', value: 2 }, { formula: 'T("a")', value: 'a' }, { error: '#REF!' }, { formula: 'B1' }, 'end']] }],
    });
    expect(cells).toEqual([['1', '2.75', 'true', 'false', '2', 'a', '', '', 'end']]);
  });
});

describe('xlsx: dates', () => {
  it('tells date cells by built-in and custom formats, and leaves other formats numbers', async () => {
    const styles = [
      14, // 1: m/d/yyyy
      'yyyy"年"m"月"d"日"', // 2
      '[Red]0.00', // 3: not a date
      22, // 4: m/d/yy h:mm
      'hh:mm:ss', // 5: a time
      '[$-804]yyyy/mm/dd;@', // 6
      '0.00"d"', // 7: not a date ("d" is quoted)
      '#,##0_);[Red]\\(#,##0\\)', // 8: not a date
      0, // 9: General
      31, // 10: 'yyyy"年"m"月"d"日"' of the Chinese locale
      '[h]:mm', // 11: an elapsed time, a date-time code outside the brackets
      47, // 12: mm:ss.0
      2, // 13: 0.00
    ];
    const cell = (style: number, v: number | string) => `<c s="${style}"><v>${v}</v></c>`;
    const { cells } = await read(
      sheetOf(
        `<row r="1">${cell(1, 45000)}${cell(2, 45351)}${cell(3, 45000)}${cell(4, '45000.75')}${cell(5, '0.5')}${cell(6, 45351)}${cell(7, '1.5')}${cell(8, 1234)}${cell(9, 45000)}${cell(10, 45000)}${cell(11, '1.25')}${cell(12, '0.25')}${cell(13, 45000)}</row>` +
          `<row r="2">${cell(1, '45000.99999999999')}${cell(1, '45000.9999')}<c s="1" t="s"><v>0</v></c><c s="1" t="str"><v>待定</v></c><c s="1"/><c t="d"><v>2024-03-05T10:00:00Z</v></c><c t="d" s="1"><v>2024-03-06</v></c></row>`,
        { styles, sharedStringItems: ['<t>2999-01-01</t>'] },
      ),
    );
    expect(cells).toEqual([
      ['2023-03-15', '2024-02-29', '45000', '2023-03-15', '1899-12-30', '2024-02-29', '1.5', '1234', '45000', '2023-03-15', '1899-12-31', '1899-12-30', '45000'],
      ['2023-03-16', '2023-03-15', '2999-01-01', '待定', '', '2024-03-05', '2024-03-06'],
    ]);
  });

  it('writes Date values as date-styled serial numbers and reads them back, in the 1900 and the 1904 date systems', async () => {
    const days = ['1900-03-01', '1949-10-01', '2000-02-29', '2024-02-29', '2099-12-31'].map((d) => new Date(`${d}T00:00:00Z`));
    for (const date1904 of [false, true]) {
      const { cells } = await read({ sheets: [{ name: 'S', rows: [days] }], date1904 });
      expect(cells).toEqual([['1900-03-01', '1949-10-01', '2000-02-29', '2024-02-29', '2099-12-31']]);
    }
    expect((await read(sheetOf('<row r="1"><c s="1"><v>0</v></c><c s="1"><v>1</v></c></row>', { date1904: true }))).cells).toEqual([['1904-01-01', '1904-01-02']]);
  });

  it('knows date format codes', () => {
    for (const code of ['yyyy-mm-dd', 'm/d/yy', 'd-mmm', 'h:mm AM/PM', 'mm:ss', '[$-F800]dddd, mmmm dd, yyyy', 'yyyy"年"m"月"', 'e"年"m"月"d"日"', '[DBNum1][$-804]yyyy"年"m"月"d"日"']) {
      expect(isDateFormatCode(code), code).toBe(true);
    }
    for (const code of ['General', '0.00', '[Red]0.00', '#,##0.00"元"', '0.0"d"', '0.00E+00', '@', '\\d0', '_-* #,##0_-;-* #,##0_-', '[Blue][>=100]0;[Red]0', '[ss]']) {
      expect(isDateFormatCode(code), code).toBe(false);
    }
    expect(serialToDate(45000)).toBe('2023-03-15');
    expect(serialToDate(0, true)).toBe('1904-01-01');
    expect(serialToDate(1e12)).toBeNull();
  });
});

describe('xlsx: rows and columns', () => {
  it('places cells without r after the previous one, and gives rows absent from the sheet as blank rows', async () => {
    const { rows } = await read(
      sheetOf(
        '<row r="2" spans="1:6"><c r="B2"><v>1</v></c><c><v>2</v></c><c r="E2"><v>5</v></c><c><v>6</v></c></row>' +
          '<row><c><v>7</v></c><c r="C3" t="inlineStr"><is><t>c</t></is></c></row>' +
          '<row r="6" spans="1:3" ht="30" customHeight="1"/>' +
          '<row r="7"><c r="C7" s="0"/><c r="D7" t="inlineStr"><is><t></t></is></c></row>' +
          '<row r="9"><c r="AA9"><v>27</v></c><c r="XFD9"><v>16384</v></c></row>',
      ),
    );
    expect(rows.map((r) => [r.row, r.cells.length])).toEqual([[1, 0], [2, 6], [3, 3], [4, 0], [5, 0], [6, 0], [7, 0], [8, 0], [9, 16384]]);
    expect(rows[1]!.cells).toEqual(['', '1', '2', '', '5', '6']);
    expect(rows[2]!.cells).toEqual(['7', '', 'c']);
    expect(rows[8]!.cells[26]).toBe('27');
    expect(rows[8]!.cells[16383]).toBe('16384');
  });

  it('reads elements with a namespace prefix (as the Open XML SDK writes them)', async () => {
    const parts = workbookParts(sheetOf(''));
    const sheet = parts.find((p) => p.name === 'xl/worksheets/sheet1.xml')!;
    sheet.data =
      '<?xml version="1.0" encoding="utf-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>' +
      '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>前缀</x:t></x:is></x:c><x:c r="B1"><x:v>3</x:v></x:c></x:row></x:sheetData></x:worksheet>';
    expect((await read(zip(parts))).cells).toEqual([['前缀', '3']]);
  });
});

describe('xlsx: sheets', () => {
  const three: WorkbookSpec = {
    sheets: [
      { name: '党员', rows: [['编号'], ['A1']] },
      { name: '群众', rows: [['编号'], ['B1'], ['B2']] },
      { name: 'Notes', rows: [['说明']] },
    ],
  };

  it('reads the first sheet by default, another by name or number, and says which', async () => {
    let result = await read(three);
    expect(result.workbook.sheets).toEqual(['党员', '群众', 'Notes']);
    expect(result.workbook.sheet).toEqual({ name: '党员', index: 1, count: 3 });
    expect(result.cells).toEqual([['编号'], ['A1']]);
    result = await read(three, { sheet: '群众' });
    expect(result.workbook.sheet).toEqual({ name: '群众', index: 2, count: 3 });
    expect(result.cells).toEqual([['编号'], ['B1'], ['B2']]);
    expect((await read(three, { sheet: 3 })).cells).toEqual([['说明']]);
    expect((await read(three, { sheet: '2' })).workbook.sheet.name).toBe('群众');
    expect((await read(three, { sheet: 'notes' })).workbook.sheet.name).toBe('Notes');
  });

  it('refuses a sheet the workbook does not have, naming its sheets', async () => {
    const file = await save(three);
    await expect(openXlsx(file, { sheet: '居民' })).rejects.toThrow('the workbook has no sheet "居民": its sheets are "党员", "群众", "Notes"');
    await expect(openXlsx(file, { sheet: 4 })).rejects.toThrow('the workbook has no sheet 4: it has 3 sheets ("党员", "群众", "Notes")');
    await expect(openXlsx(file, { sheet: '0' })).rejects.toThrow('no sheet 0');
  });

  it('orders sheets as the workbook does, not by their part names or places in the archive', async () => {
    const { workbook, cells } = await read({
      sheets: [
        { name: '第一', file: 'sheet9.xml', rows: [['first']] },
        { name: '第二', file: 'sheet1.xml', rows: [['second']] },
      ],
      reverseSheetEntries: true,
    });
    expect(workbook.sheet).toEqual({ name: '第一', index: 1, count: 2 });
    expect(cells).toEqual([['first']]);
  });

  it('follows relationship targets absolute from the package root', async () => {
    const spec: WorkbookSpec = { sheets: [{ name: 'A', rows: [['x', 1, new Date('2020-01-02T00:00:00Z')]] }], absoluteTargets: true };
    expect(workbookParts(spec).find((p) => p.name === 'xl/_rels/workbook.xml.rels')!.data).toContain('Target="/xl/worksheets/sheet1.xml"');
    expect((await read(spec)).cells).toEqual([['x', '1', '2020-01-02']]);
  });

  it('refuses a chart sheet', async () => {
    const parts = workbookParts({ sheets: [{ name: '图表', rows: [] }, { name: 'data', rows: [['x']] }] });
    const rels = parts.find((p) => p.name === 'xl/_rels/workbook.xml.rels')!;
    rels.data = String(rels.data).replace(/(Id="rId1" Type="[^"]*)\/worksheet/, '$1/chartsheet');
    const file = await save(zip(parts));
    await expect(openXlsx(file)).rejects.toThrow('sheet "图表" is a chart sheet');
    expect((await openXlsx(file, { sheet: 'data' })).sheet.index).toBe(2);
  });
});

describe('xlsx: the zip archive', () => {
  const spec: WorkbookSpec = { sheets: [{ name: '表', rows: [['姓名', '日期', '数'], ['张三', new Date('2021-07-01T00:00:00Z'), 3.5]] }] };
  const expected = [
    ['姓名', '日期', '数'],
    ['张三', '2021-07-01', '3.5'],
  ];

  it('reads stored (method 0) entries, data descriptors and a comment', async () => {
    expect((await read({ ...spec, zip: { method: 0 } })).cells).toEqual(expected);
    expect((await read({ ...spec, zip: { dataDescriptor: true, comment: 'written by a test' } })).cells).toEqual(expected);
    // A comment of the maximum length, the end record 64 KiB + 22 bytes from the end.
    expect((await read({ ...spec, zip: { comment: 'x'.repeat(0xffff) } })).cells).toEqual(expected);
  });

  it('reads a ZIP64 archive', async () => {
    const bytes = xlsx({ ...spec, zip: { zip64: true } });
    expect(bytes.indexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBeGreaterThan(0);
    expect((await read(bytes)).cells).toEqual(expected);
    expect((await read({ ...spec, zip: { zip64: true, dataDescriptor: true, method: 0 } })).cells).toEqual(expected);
  });

  it('refuses a truncated file, a file that is not a zip, and a zip that is no workbook, clearly', async () => {
    const bytes = xlsx(spec);
    for (const length of [Math.floor(bytes.length / 2), bytes.length - 10, 30]) {
      await expect(openXlsx(await save(bytes.subarray(0, length)))).rejects.toThrow(/^not an \.xlsx workbook: the zip archive is truncated/);
    }
    await expect(openXlsx(await save(Buffer.from('姓名,公民身份号码\n张三,110101199003078515\n')))).rejects.toThrow('not an .xlsx workbook: it is not a zip archive');
    await expect(openXlsx(await save(Buffer.from('PK')))).rejects.toThrow('not an .xlsx workbook');
    await expect(openXlsx(await save(Buffer.alloc(0)))).rejects.toThrow('not an .xlsx workbook: it is not a zip archive');
    await expect(openXlsx(await save(zip([{ name: 'word/document.xml', data: '<w:document/>' }])))).rejects.toThrow(
      'not an .xlsx workbook: the archive has no xl/workbook.xml (it is a Word document)',
    );
  });

  it('refuses a damaged sheet entry while reading it', async () => {
    const parts = workbookParts(spec);
    const sheet = parts.find((p) => p.name === 'xl/worksheets/sheet1.xml')!;
    const deflated = deflateRawSync(Buffer.from(String(sheet.data)));
    sheet.body = deflated.subarray(0, deflated.length - 20);
    const workbook = await openXlsx(await save(zip(parts)));
    const reading = (async () => {
      for await (const _ of workbook.rows());
    })();
    await expect(reading).rejects.toThrow(/^not an \.xlsx workbook: xl\/worksheets\/sheet1\.xml is damaged/);

    sheet.body = undefined;
    sheet.data = String(sheet.data).replace('</sheetData>', '</sheetdata>');
    const broken = await openXlsx(await save(zip(parts)));
    await expect(
      (async () => {
        for await (const _ of broken.rows());
      })(),
    ).rejects.toThrow(/^not an \.xlsx workbook: xl\/worksheets\/sheet1\.xml is not well-formed XML/);
  });

  it('refuses an encrypted workbook and unknown compression methods', async () => {
    await expect(openXlsx(await save({ ...spec, zip: { encrypted: true } }))).rejects.toThrow('the workbook is encrypted');
    // What Excel writes for a password-protected workbook: an OLE compound file.
    const ole = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600)]);
    await expect(openXlsx(await save(ole))).rejects.toThrow('the workbook is encrypted (password-protected), or is an old .xls');
    await expect(openXlsx(await save({ ...spec, zip: { method: 12 } }))).rejects.toThrow('compressed with method 12; only stored (0) and deflate (8)');
  });
});

describe('xlsx: openSource', () => {
  it('gives the header, the data rows numbered as the sheet shows them, and the sheet read', async () => {
    const file = await save({
      sheets: [
        { name: '说明', rows: [['请填第二页']] },
        { name: '群众', rows: [[], ['姓名', ' 公民身份号码 '], ['张三', '110101199003078515'], [], ['李四', '110101199003078523']] },
      ],
    });
    const source = await openSource(file, { sheet: '群众' });
    expect(source).toMatchObject({ format: 'xlsx', encoding: null, header: ['姓名', '公民身份号码'], sheet: { name: '群众', index: 2, count: 2 } });
    const rows = [];
    for await (const row of source.rows) rows.push(row);
    expect(rows).toEqual([
      { row: 3, cells: ['张三', '110101199003078515'] },
      { row: 4, cells: [] },
      { row: 5, cells: ['李四', '110101199003078523'] },
    ]);
    await source.close();

    const first = await openSource(file);
    expect(first.sheet).toEqual({ name: '说明', index: 1, count: 2 });
    await first.close();
    await expect(openSource(file, { sheet: 'x' })).rejects.toThrow('the workbook has no sheet "x": its sheets are "说明", "群众"');
    const csv = await files.write('plain.csv', 'a,b\n1,2\n');
    const plain = await openSource(csv);
    expect(plain.sheet).toBeUndefined();
    await plain.close();
    await expect(openSource(csv, { sheet: '1' })).rejects.toThrow('a sheet can only be chosen in an .xlsx workbook');
    await expect(openSource(await save(sheetOf('')))).rejects.toThrow('the file is empty: no header row (sheet Sheet1, 1 of 1)');
  });

  it('stops reading when closed early', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [`R${i}`, i]);
    const source = await openSource(await save({ sheets: [{ name: 'S', rows: [['k', 'n'], ...rows] }] }));
    let seen = 0;
    for await (const row of source.rows) {
      if (++seen === 10) {
        expect(row).toEqual({ row: 11, cells: ['R9', '9'] });
        break;
      }
    }
    await source.close();
  });
});

describe('xlsx: a large sheet', () => {
  // 10 min: a bound for a loaded 2-core machine (it took over 120 s at load 20), not a timing.
  it('streams 200,000 rows with flat memory', async () => {
    const ROWS = 200_000;
    // Written in pieces of UTF-8 (outside the JavaScript heap), 10,000 rows a piece.
    const pieces: Buffer[] = [Buffer.from('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>')];
    for (let from = 2; from <= ROWS + 1; from += 10_000) {
      let piece = '';
      for (let r = from; r < from + 10_000 && r <= ROWS + 1; r++) {
        piece +=
          `<row r="${r}" spans="1:6"><c r="A${r}" t="inlineStr"><is><t>11010119900307${String(r).padStart(6, '0')}</t></is></c><c r="B${r}" t="s"><v>${5 + (r % 3)}</v></c>` +
          `<c r="C${r}"><v>${r * 1.5}</v></c><c r="D${r}" s="1"><v>${40000 + (r % 3650)}</v></c><c r="E${r}" t="b"><v>${r % 2}</v></c><c r="F${r}" t="inlineStr"><is><t>备注 ${r} 号楼某某街道社区居民委员会</t></is></c></row>`;
      }
      pieces.push(Buffer.from(piece));
    }
    const file = path.join(files.dir, 'large.xlsx');
    await writeFile(file, xlsx(sheetOf(pieces, { sharedStringItems: ['<t>公民身份号码</t>', '<t>类型</t>', '<t>面积</t>', '<t>日期</t>', '<t>在册</t>', '<t>在职</t>', '<t>流动</t>', '<t>退休</t>'] })));
    pieces.length = 0;

    // Live memory, measured after a full collection (the last bound is for a runtime that will not expose gc).
    let gc = (globalThis as { gc?: () => void }).gc;
    try {
      v8.setFlagsFromString('--expose-gc');
      gc ??= vm.runInNewContext('gc') as () => void;
    } catch {
      // measured without collecting, with the looser bound
    }
    gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    let last: XlsxRow | null = null;
    const workbook = await openXlsx(file);
    for await (const row of workbook.rows()) {
      count++;
      last = row;
      if (count % 20_000 === 0) {
        gc?.();
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      }
    }
    expect(count).toBe(ROWS + 1);
    expect(last).toEqual({ row: ROWS + 1, cells: [`11010119900307${ROWS + 1}`, '在职', String((ROWS + 1) * 1.5), serialToDate(40000 + ((ROWS + 1) % 3650)), 'true', `备注 ${ROWS + 1} 号楼某某街道社区居民委员会`] });
    // Held whole, 200,000 rows of six cells would be well over 100 MB.
    expect(peak).toBeLessThan((gc ? 16 : 96) * 1024 * 1024);
  }, 600_000);
});
