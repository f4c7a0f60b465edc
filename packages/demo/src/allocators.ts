/**
 * Allocators of identifiers that must be unique across the whole district: ID numbers, phone numbers and residence
 * permit numbers. Grids are generated one after another, so counters give uniqueness and stay deterministic.
 * A fresh set is made for every pass over the grids.
 */
import { buildIdNumber } from '@hub/core';
import type { Sex } from './types.ts';
import { REF_DAY, isoOf, yearOf } from './dates.ts';
import { Rng, WeightedTable, mix32 } from './random.ts';

/** Multipliers coprime to the ranges they permute (500, 499 and 10^8), so counters map to distinct numbers. */
const SEQ_STEP = 173;
const PHONE_STEP = 37_329_241;

export class IdNumberAllocator {
  /** counts[(code * REF_DAY + day) * 2 + sexBit]: about 4 MB for 40 codes, instead of a map of strings. */
  private readonly counts: Uint16Array;

  constructor(private readonly codes: readonly string[]) {
    this.counts = new Uint16Array(codes.length * REF_DAY * 2);
  }

  /**
   * A new ID number. The 3-digit sequence is odd for men (001-999, 500 numbers) and even for women (002-998, 499);
   * the n-th person of a code, day and sex gets a scrambled but distinct sequence. If all are taken (never at
   * realistic sizes) the birth date moves by a day, which is why the day actually used is returned.
   */
  allocate(codeIndex: number, birthDay: number, sex: Sex): { idNumber: string; birthDay: number } {
    const code = this.codes[codeIndex];
    if (code === undefined) throw new RangeError(`no address code #${codeIndex}`);
    const range = sex === 'MALE' ? 500 : 499;
    for (let shift = 0; shift < 3650; shift++) {
      const day = shift % 2 === 0 ? birthDay - shift / 2 : birthDay + (shift + 1) / 2;
      if (day < 0 || day >= REF_DAY) continue;
      const slot = (codeIndex * REF_DAY + day) * 2 + (sex === 'MALE' ? 0 : 1);
      const n = this.counts[slot] as number;
      if (n >= range) continue;
      this.counts[slot] = n + 1;
      const p = (n * SEQ_STEP + (mix32(slot) % range)) % range;
      const sequence = sex === 'MALE' ? 2 * p + 1 : 2 * p + 2;
      return { idNumber: buildIdNumber(code, isoOf(day), sequence), birthDay: day };
    }
    throw new RangeError(`ID numbers exhausted around ${code} ${isoOf(birthDay)}`);
  }
}

const PHONE_PREFIXES = new WeightedTable<string>([
  ['138', 9], ['139', 9], ['137', 5], ['136', 4], ['135', 5], ['134', 3], ['150', 6], ['151', 6], ['152', 5],
  ['157', 3], ['158', 5], ['159', 5], ['182', 4], ['183', 3], ['187', 5], ['188', 4], ['198', 2], ['130', 4],
  ['131', 3], ['132', 3], ['155', 3], ['156', 3], ['185', 3], ['186', 5], ['176', 2], ['166', 1], ['133', 3],
  ['153', 2], ['177', 3], ['180', 3], ['181', 3], ['189', 4], ['173', 1], ['199', 3], ['191', 1],
]);

/** Mobile numbers `1[3-9]` + 9 digits with real prefixes; within a prefix a counter is scrambled into 8 digits. */
export class PhoneAllocator {
  private readonly counts = new Map<string, number>();

  next(rng: Rng): string {
    const prefix = PHONE_PREFIXES.pick(rng);
    const n = this.counts.get(prefix) ?? 0;
    this.counts.set(prefix, n + 1);
    const offset = mix32(Number(prefix)) % 100_000_000;
    // n * step stays below 2^53 (exact) for any n under 240 million.
    const suffix = (((n * PHONE_STEP) % 100_000_000) + offset) % 100_000_000;
    return prefix + String(suffix).padStart(8, '0');
  }
}

/** Residence permit numbers: the district code, the year of issue and a 7-digit serial, e.g. 32031120230001234. */
export class PermitAllocator {
  private readonly counts = new Map<number, number>();

  constructor(private readonly districtCode: string) {}

  next(issuedDay: number): string {
    const year = yearOf(issuedDay);
    const n = (this.counts.get(year) ?? 0) + 1;
    this.counts.set(year, n);
    return `${this.districtCode}${year}${String(n).padStart(7, '0')}`;
  }
}

/** Serial numbers that restart every year: certificate and filing numbers carry the year and a serial. */
export class YearSerial {
  private readonly counts = new Map<number, number>();

  next(year: number): number {
    const n = (this.counts.get(year) ?? 0) + 1;
    this.counts.set(year, n);
    return n;
  }
}
