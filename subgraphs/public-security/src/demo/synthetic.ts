import { buildIdNumber } from '@hub/core';

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华';
const POPULATION = ['户籍', '户籍', '户籍', '流动', '境外', '未落户'] as const;

export const RESIDENT_HEADER = ['姓名', '公民身份号码', '性别', '出生日期', '联系电话', '人口类型', '户籍地址', '房屋编码', '网格编码', '户号', '与户主关系'];

/**
 * Synthetic register rows for tests and benchmarks (the kill test, bench/import.ts). The i-th resident as a CSV row,
 * all valid: a real ID number (unique per i up to 24,975,000), a grid and house of the test district's form.
 * Deterministic, so two files of the same size are identical.
 */
export function syntheticResident(i: number): string[] {
  const day = new Date(Date.UTC(1940, 0, 1) + (i % 25_000) * 86_400_000).toISOString().slice(0, 10);
  // Unique per i: 999 sequences per birth day, and 25,000 days before the sequence moves on.
  const sequence = 1 + (Math.floor(i / 25_000) % 999);
  const idNumber = buildIdNumber('320311', day, sequence);
  const community = 1 + (i % 9);
  const grid = `3203110010${String(community).padStart(2, '0')}${String(1 + (i % 7)).padStart(3, '0')}`;
  const building = `3203110010${String(community).padStart(2, '0')}${String(1 + (i % 40)).padStart(5, '0')}`;
  const house = `${building}-${String(1 + (i % 4)).padStart(2, '0')}-${String(101 + (i % 18)).padStart(4, '0')}`;
  const name = SURNAMES[i % SURNAMES.length]! + GIVEN[(i * 7) % GIVEN.length]! + (i % 3 === 0 ? GIVEN[(i * 13) % GIVEN.length]! : '');
  const phone = `13${String(100_000_000 + ((i * 7919) % 900_000_000)).padStart(9, '0')}`;
  return [
    name,
    idNumber,
    sequence % 2 === 1 ? '男' : '女',
    day,
    phone,
    POPULATION[i % POPULATION.length]!,
    `江苏省徐州市泉山区和平路${1 + (i % 300)}号`,
    house,
    grid,
    `HH${String(Math.floor(i / 3)).padStart(8, '0')}`,
    i % 3 === 0 ? '本人' : i % 3 === 1 ? '配偶' : '子女',
  ];
}

/** A CSV line, cells quoted only where they must be (none of the synthetic cells need it). */
export const csvLine = (cells: readonly string[]) => `${cells.join(',')}\r\n`;
