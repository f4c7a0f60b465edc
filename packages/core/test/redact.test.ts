import { describe, expect, it } from 'vitest';
import { importRunResolvers, maskIdNumber, redactNumbers, redactPersonalText, redactText } from '../src/index.ts';
import type { ImportRunRow } from '../src/db/meta-tables.ts';

/** A 16 to 19-digit card number with a valid Luhn check digit, built here so the test does not trust the code's own check. */
function cardWithCheckDigit(body: string): string {
  for (let check = 0; check <= 9; check++) {
    const digits = body + check;
    let sum = 0;
    [...digits].reverse().forEach((c, i) => {
      const d = Number(c) * (i % 2 === 1 ? 2 : 1);
      sum += d > 9 ? d - 9 : d;
    });
    if (sum % 10 === 0) return digits;
  }
  throw new Error('unreachable');
}
const CARD19 = cardWithCheckDigit('622202123456789012');
const CARD16 = cardWithCheckDigit('436742123456789');
const NOT_A_CARD = CARD19.slice(0, -1) + String((Number(CARD19.at(-1)) + 1) % 10);

describe('redactNumbers: what is masked, for every caller', () => {
  it.each([
    // ID numbers (GB 11643), published format, whole and glued.
    ['身份证号320311199001011234住', '身份证号320311********1234住'],
    ['公民身份号码：11010519491231002X。', '公民身份号码：110105********002X。'],
    ['id11010519491231002xok', 'id110105********002Xok'],
    ['ID32031119900101123x', 'ID320311********123X'],
    ['320311 19900101 1234', '320311********1234'],
    ['３２０３１１１９９００１０１１２３４', '320311********1234'],
    ['３２０３１１１９９００１０１１２３Ｘ号', '320311********123X号'],
    // Mobile numbers.
    ['联系电话13800138000', '联系电话138****8000'],
    ['１３８００１３８０００', '138****8000'],
    ['tel:138-0013-8000.', 'tel:138****8000.'],
    ['138 0013 8000', '138****8000'],
    ['138.0013.8000', '138****8000'],
    ['+86 138 0013 8000', '+86 138****8000'],
    ['008613800138000', '0086138****8000'],
    ['电话１３８－００１３－８０００', '电话138****8000'],
    // Landlines with their area code, and local numbers where the text says so.
    ['座机0516-83881234', '座机0516-****1234'],
    ['010-62345678转123', '010-****5678转123'],
    ['（０５１６）８３８８１２３４', '(0516)****1234'],
    ['0516 8388 1234', '0516 ****1234'],
    ['电话：83881234', '电话：****1234'],
    // Bank cards (Luhn-valid), whole or in groups of four, glued to Chinese.
    [`卡号${CARD19}转账`, `卡号${maskIdNumber(CARD19)}转账`],
    [`银行卡 ${CARD16.replace(/(\d{4})(?=\d)/g, '$1 ')}`, `银行卡 ${maskIdNumber(CARD16)}`],
  ])('%s', (text, expected) => {
    expect(redactNumbers(text)).toBe(expected);
  });

  it.each([
    // Dates and times, amounts, counts.
    '2026-01-15 09:30',
    '20260115',
    '2026年1月15日',
    '补偿款人民币12000元',
    '1,234,567.89元',
    '赔偿 3800.50 元',
    '面积 89.5 平方米, 12 人',
    // The hub's own record ids and codes: case, incident, key person, welfare, organization, grid, building, house.
    'TJ3203110010010010001',
    'JQ20261115320311001001001001',
    'ZD320311118011001001',
    'MZ3203110010010010012',
    'PB320311001001003',
    '网格320311001001001',
    '楼栋32031100100100012',
    '房屋32031100100100012-02-0301',
    // Document numbers with short sequences: 不动产权证, 调解文书, 租赁备案.
    '苏(2019)徐州市不动产权第0012345号',
    '（2026）苏0312民调字第12号',
    // A 16-digit run that fails the Luhn check, a 17-digit one, an 11-digit number not starting 13-19.
    NOT_A_CARD,
    '12345678901234567',
    '10012345678',
    // An 8-digit number the text does not say is a phone.
    '编号83881234',
  ])('leaves %s as it is', (text) => {
    expect(redactNumbers(text)).toBe(text);
  });

  it('masks every number of a long text and keeps the rest, full-width characters included', () => {
    const text = '申请人张三（身份证号320311199001011234，电话１３８００１３８０００）与被申请人于2026年3月5日签订协议，金额5000元。';
    expect(redactNumbers(text)).toBe('申请人张三（身份证号320311********1234，电话138****8000）与被申请人于2026年3月5日签订协议，金额5000元。');
  });

  it('masks the numbers of an import file name, as any department answers it', () => {
    expect(importRunResolvers.fileName({ fileName: '低保名单_张三_13800138000.xlsx' } as ImportRunRow)).toBe('低保名单_张三_138****8000.xlsx');
  });

  it('is what redactText does', () => {
    expect(redactText('lookup 11010519491231002X by 13800138000 failed')).toBe('lookup 110105********002X by 138****8000 failed');
  });
});

describe('redactPersonalText: names of the people a record is about', () => {
  it('masks each name given, longest first, and the numbers', () => {
    expect(redactPersonalText('张三与欧阳娜娜、张三丰因漏水争执，张三电话13800138000', ['张三', '欧阳娜娜', '张三丰'])).toBe(
      '张*与欧***、张**因漏水争执，张*电话138****8000',
    );
  });

  it('masks no name it is not given, and looks for no one-character name', () => {
    expect(redactPersonalText('李四与王五协商', ['王'])).toBe('李四与王五协商');
    expect(redactPersonalText('李四与王五协商')).toBe('李四与王五协商');
  });
});
