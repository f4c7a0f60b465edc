/**
 * Read, the first step of an import: open the file and map its header onto the entity's fields. A header that
 * lacks a required field, or a mapping that does not fit it, refuses the file as a whole, read no further than its
 * header; an accepted file is hashed for the import record and its rows follow lazily.
 *
 * A CSV is also parsed whole while it is hashed, before any row is checked or written: a quote left open, a field,
 * record or column count past its limit refuse the file as a whole, naming the line, and nothing is written (the
 * engine writes a batch while it reads the next, so an error found while writing would leave earlier batches in).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Field } from './fields.ts';
import { mapColumns, type ColumnMapping, type MappingFile } from './mapping.ts';
import { CsvFormatError, CsvParser } from './read/csv.ts';
import { decodeChunks, type TextEncoding } from './read/decode.ts';
import { openSource, type RecordSource } from './read/source.ts';
import { SheetChoiceError } from './read/xlsx.ts';

/**
 * The file is refused as a whole (header, mapping, sheet, or a CSV that cannot be read whole): nothing was written, no
 * reject report and no import record.
 */
export class ImportRefused extends Error {
  constructor(
    message: string,
    /** Set when the file is not well-formed CSV: what is wrong, and on which line. */
    readonly format?: CsvFormatError,
  ) {
    super(message);
  }
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A CSV that cannot be read whole is refused whole. */
function refusedCsv(error: CsvFormatError): ImportRefused {
  return new ImportRefused(`${error.message}. The file was refused as a whole: no row was imported and nothing was written.`, error);
}

/** The file's hash; a CSV is parsed through to its end on the way (the same parser that reads its rows). */
async function hashAndCheck(file: string, source: RecordSource): Promise<string> {
  const hash = createHash('sha256');
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      yield chunk as Buffer;
    }
  }
  const chunks = hashed();
  if (source.format === 'csv' && source.encoding) {
    const parser = new CsvParser();
    const records: string[][] = [];
    for await (const text of decodeChunks(chunks, source.encoding)) {
      parser.push(text, records);
      records.length = 0;
    }
    parser.end(records);
  } else {
    while (!(await chunks.next()).done);
  }
  return hash.digest('hex');
}

/** A file whose header was accepted: its rows, where each field's cells are, and the file's hash. */
export interface AcceptedFile {
  source: RecordSource;
  mapping: ColumnMapping;
  fileSha256: string;
  /** The file's header over a field's column (the field's name when the file has no such column). */
  headerOf(field: Field<unknown>): string;
  /** A field's cell in a row, trimmed ('' when the file has no such column). */
  textOf(cells: readonly string[], field: Field<unknown>): string;
}

export async function readHeader(
  fields: readonly Field<unknown>[],
  options: { file: string; format?: string; encoding?: TextEncoding; sheet?: string | number; mapping?: MappingFile },
): Promise<AcceptedFile> {
  const source = await openSource(options.file, { format: options.format, encoding: options.encoding, sheet: options.sheet }).catch((error: unknown) => {
    if (error instanceof CsvFormatError) throw refusedCsv(error);
    if (error instanceof SheetChoiceError) throw new ImportRefused(error.message);
    throw error;
  });
  let mapping: ColumnMapping;
  try {
    mapping = mapColumns(source.header, fields, options.mapping);
  } catch (error) {
    await source.close();
    throw new ImportRefused(error instanceof Error ? error.message : String(error));
  }
  if (mapping.missing.length > 0) {
    await source.close();
    const names = mapping.missing.map((f) => `${f.name} (${f.headers[0]})`).join(', ');
    throw new ImportRefused(
      `required columns missing: ${names}. Found: ${source.header.join(', ')}. Rename them, or map them with --mapping. No row was read.`,
    );
  }
  // Hashed (and a CSV checked) only once the header is accepted: a refused header is read no further.
  const fileSha256 = await hashAndCheck(options.file, source).catch(async (error: unknown) => {
    await source.close();
    throw error instanceof CsvFormatError ? refusedCsv(error) : error;
  });
  const { columns } = mapping;
  return {
    source,
    mapping,
    fileSha256,
    headerOf: (field) => {
      const at = columns.get(field);
      return at === undefined ? field.name : source.header[at]!;
    },
    textOf: (cells, field) => {
      const at = columns.get(field);
      return at === undefined ? '' : (cells[at] ?? '').trim();
    },
  };
}
