import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { csvRecord, csvText, maskIdNumber, maskName, maskPhone, redactText } from '@hub/core';
import type { Personal } from './fields.ts';
import type { Problem } from './problems.ts';

/** Masks a personal value as the graph would show it; other values pass through, with any ID number or phone in them masked. */
export function maskValue(value: string, personal: Personal | undefined): string {
  switch (personal) {
    case 'id-number':
      return maskIdNumber(value);
    case 'phone':
      return maskPhone(value);
    case 'name':
      return maskName(value);
    case 'address':
    case 'text':
      // An address names where someone lives (free text may name people): its first characters for the clerk to recognise, nothing more.
      return value === '' ? '' : `${[...value].slice(0, 3).join('')}***`;
    default:
      return redactText(value);
  }
}

export const REJECT_REPORT_HEADER = ['行号 row', '列 column', '值 value (masked)', '代码 code', '原因', 'reason'] as const;

/**
 * The reject report: a CSV in UTF-8 with a byte-order mark (so Excel opens the Chinese correctly), one line per
 * problem found (a row refused for two reasons has two lines), values masked where personal. The values come from
 * files supplied from outside and are opened in Excel: @hub/core's writer defangs any that would run as a formula.
 */
export class RejectReport {
  private readonly out: WriteStream;
  lines = 0;

  constructor(readonly file: string) {
    this.out = createWriteStream(file);
    this.out.write(csvText([REJECT_REPORT_HEADER], { bom: true }));
  }

  async add(row: number, column: string, value: string, personal: Personal | undefined, p: Problem): Promise<void> {
    this.lines++;
    const line = csvRecord([row, column, maskValue(value, personal), p.code, p.zh, p.en]);
    if (!this.out.write(line)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}
