import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Field } from './fields.ts';

/** Header text compared loosely: case, width (full-width ＩＤ), spaces, underscores, hyphens, brackets and a required-mark `*`. */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-*()（）[\]【】:：]/g, '');
}

/** A mapping file: `{ "columns": { "<header in the file>": "<field name>" | null } }`; null ignores a column. */
export interface MappingFile {
  columns: Record<string, string | null>;
}

export async function readMappingFile(file: string): Promise<MappingFile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new MappingError(`mapping file ${path.basename(file)} is not readable JSON: ${error instanceof Error ? error.message : error}`);
  }
  const columns = typeof parsed === 'object' && parsed !== null ? (parsed as { columns?: unknown }).columns : undefined;
  if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) {
    throw new MappingError(`mapping file ${path.basename(file)} needs an object "columns": { "<file header>": "<field>" }`);
  }
  for (const [header, target] of Object.entries(columns)) {
    if (target !== null && typeof target !== 'string') throw new MappingError(`mapping of "${header}" must be a field name or null`);
  }
  return { columns: columns as Record<string, string | null> };
}

export class MappingError extends Error {}

export interface ColumnMapping {
  /** Column index per field found in the file. */
  columns: Map<Field<unknown>, number>;
  /** Headers that map to no field; their cells are ignored. */
  unknown: string[];
  /** Required fields no column maps to: the file is refused before any row is read. */
  missing: Field<unknown>[];
}

/** Maps a file's header onto an entity's fields: the mapping file first, then each field's usual names. */
export function mapColumns(header: readonly string[], fields: readonly Field<unknown>[], mapping?: MappingFile): ColumnMapping {
  const byName = new Map<string, Field<unknown>>();
  for (const field of fields) {
    byName.set(normalizeHeader(field.name), field);
    for (const alias of field.headers) byName.set(normalizeHeader(alias), field);
  }
  const explicit = new Map<string, string | null>();
  for (const [from, to] of Object.entries(mapping?.columns ?? {})) {
    if (to !== null && !fields.some((f) => f.name === to)) {
      throw new MappingError(`mapping file maps "${from}" to "${to}", which is not a field; fields: ${fields.map((f) => f.name).join(', ')}`);
    }
    explicit.set(normalizeHeader(from), to);
  }
  const columns = new Map<Field<unknown>, number>();
  const unknown: string[] = [];
  header.forEach((text, index) => {
    const key = normalizeHeader(text);
    const target = explicit.has(key) ? explicit.get(key) : byName.get(key)?.name;
    const field = target ? fields.find((f) => f.name === target) : undefined;
    if (!field) {
      if (text.trim() !== '' || index < header.length - 1) unknown.push(text);
      return;
    }
    if (columns.has(field)) {
      throw new MappingError(`columns "${header[columns.get(field)!]}" and "${text}" both map to ${field.name}; keep one or map one to null`);
    }
    columns.set(field, index);
  });
  const missing = fields.filter((f) => f.required && !columns.has(f));
  return { columns, unknown, missing };
}
