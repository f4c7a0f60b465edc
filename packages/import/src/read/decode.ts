import { open } from 'node:fs/promises';
import iconv from 'iconv-lite';

/** The text encodings a CSV or NDJSON export may come in. GBK files decode as GB18030, its superset. */
export type TextEncoding = 'utf-8' | 'gb18030';

export function parseEncodingName(name: string): TextEncoding {
  const normalized = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (normalized === 'utf8') return 'utf-8';
  if (normalized === 'gbk' || normalized === 'gb2312' || normalized === 'gb18030' || normalized === 'cp936') return 'gb18030';
  throw new Error(`unknown encoding "${name}": use utf-8, gbk or gb18030`);
}

const SNIFF_BYTES = 256 * 1024;

/**
 * Guesses the encoding from the head of the file: a UTF-8 byte-order mark says UTF-8; otherwise a head that is
 * valid UTF-8 is taken as UTF-8 (GBK text of any length is almost never valid UTF-8), anything else as GB18030.
 */
export async function detectEncoding(file: string): Promise<TextEncoding> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
    return isUtf8Prefix(head, bytesRead === SNIFF_BYTES) ? 'utf-8' : 'gb18030';
  } finally {
    await handle.close();
  }
}

/** Valid UTF-8, allowing a sequence cut off at the end when the head is not the whole file. */
function isUtf8Prefix(bytes: Buffer, truncated: boolean): boolean {
  let end = bytes.length;
  if (truncated) {
    // Step back over an incomplete multi-byte sequence at the cut.
    let i = end - 1;
    while (i >= 0 && end - i <= 4 && (bytes[i]! & 0xc0) === 0x80) i--;
    if (i >= 0 && bytes[i]! >= 0xc0) end = i;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** Decodes a byte stream chunk by chunk, dropping a leading byte-order mark. */
export async function* decodeChunks(chunks: AsyncIterable<Buffer>, encoding: TextEncoding): AsyncGenerator<string> {
  const decoder = iconv.getDecoder(encoding, { stripBOM: true });
  for await (const chunk of chunks) {
    const text = decoder.write(chunk);
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}
