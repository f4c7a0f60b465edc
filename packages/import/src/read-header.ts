/**
 * Read, the first step of an import: open the file and map its header onto the entity's fields. A header that
 * lacks a required field, or a mapping that does not fit it, refuses the file as a whole, read no further than its
 * header; an accepted file is hashed for the import record and its rows follow lazily.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Field } from './fields.ts';
import { mapColumns, type ColumnMapping, type MappingFile } from './mapping.ts';
import { openSource, type RecordSource } from './read/source.ts';
import type { TextEncoding } from './read/decode.ts';

/** The file is refused as a whole (header, mapping): nothing was read past the header and nothing was written. */
export class ImportRefused extends Error {}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
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
  options: { file: string; format?: string; encoding?: TextEncoding; mapping?: MappingFile },
): Promise<AcceptedFile> {
  const source = await openSource(options.file, { format: options.format, encoding: options.encoding });
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
  // Hashed only once the header is accepted: a refused file is read no further than its header.
  const fileSha256 = await sha256OfFile(options.file).catch(async (error: unknown) => {
    await source.close();
    throw error;
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
