import { describe, expect, it } from 'vitest';
import {
  ageOn,
  buildCreditCode,
  buildIdNumber,
  communityCodeOfGrid,
  creditCodeProblem,
  isDivisionCode,
  normalizePhone,
  isCommunityCode,
  isGridCode,
  isResidentKey,
  isMobilePhone,
  isStreetCode,
  isValidCreditCode,
  maskIdNumber,
  maskName,
  maskPhone,
  parseIdNumber,
  redactText,
  RESIDENT_KEY,
  residentKey,
  residentKeyer,
  streetCodeOfCommunity,
  townshipKind,
} from '../src/index.ts';

describe('citizen ID numbers (GB 11643-1999)', () => {
  it('accepts the standard example and reads birth date and sex from it', () => {
    expect(parseIdNumber('11010519491231002X')).toEqual({
      idNumber: '11010519491231002X',
      addressCode: '110105',
      birthDate: '1949-12-31',
      sequence: 2,
      sex: 'FEMALE',
    });
    expect(parseIdNumber('11010519491231002x')).toMatchObject({ idNumber: '11010519491231002X' });
  });

  it('names what is wrong', () => {
    expect(parseIdNumber('110105194912310021')).toEqual({ problem: 'check-digit' });
    expect(parseIdNumber('11010519491331002X')).toEqual({ problem: 'birth-date' });
    expect(parseIdNumber('110105194902300029')).toEqual({ problem: 'birth-date' });
    expect(parseIdNumber('1101051949123100')).toEqual({ problem: 'format' });
    expect(parseIdNumber('01010519491231002X')).toEqual({ problem: 'address' });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(parseIdNumber(buildIdNumber('320311', tomorrow, 11))).toEqual({ problem: 'birth-date' });
  });

  it('builds numbers whose check character, birth date and sex parity hold', () => {
    const male = buildIdNumber('320311', '1988-02-29', 123);
    expect(parseIdNumber(male)).toMatchObject({ birthDate: '1988-02-29', sex: 'MALE' });
    expect(parseIdNumber(buildIdNumber('320311', '2001-07-15', 124))).toMatchObject({ sex: 'FEMALE' });
  });
});

describe('unified social credit codes (GB 32100-2015)', () => {
  it('accepts a valid code and refuses a changed character', () => {
    const code = buildCreditCode('91320311MA1XYW123');
    expect(code).toHaveLength(18);
    expect(isValidCreditCode(code)).toBe(true);
    const changed = code.slice(0, 10) + (code[10] === 'A' ? 'B' : 'A') + code.slice(11);
    expect(isValidCreditCode(changed)).toBe(false);
    expect(isValidCreditCode('91320311MA1XYW12I3')).toBe(false); // I is not in the alphabet
  });

  it('accepts published codes of each registration authority', () => {
    // The example of GB 32100-2015 itself, then enterprises as printed on their business licences: 腾讯 (深圳),
    // 华为 (深圳), 阿里巴巴(中国) (杭州), 百度在线 (北京); then a 民政 foundation, a 机构编制 body and a 司法行政 law firm
    // registered by national or Beijing offices.
    for (const code of ['91350100M000100Y43', '9144030071526726XG', '914403001922038216', '91330100716105852F', '91110000802100433B', '53100000500021676K', '11100000000013127D', '31110000400834282L']) {
      expect(creditCodeProblem(code), code).toBeNull();
    }
  });

  it('refuses an authority (position 1) or a kind (position 2) the standard does not assign, with a right check character', () => {
    expect(creditCodeProblem(buildCreditCode('B1320311MA1XYW123'))).toBe('authority'); // no authority B
    expect(creditCodeProblem(buildCreditCode('94320311MA1XYW123'))).toBe('authority'); // 工商 registers kinds 1-3 only
    expect(creditCodeProblem(buildCreditCode('56320311MJ5604312'))).toBe('authority'); // 民政 has no kind 6
    expect(creditCodeProblem(buildCreditCode('J2320311MJ5604312'))).toBe('authority'); // 住建 registers 业主大会 only
    expect(creditCodeProblem(buildCreditCode('55320311MJ5604312'))).toBeNull(); // 居民委员会
    expect(creditCodeProblem(buildCreditCode('J1320311MJ5604312'))).toBeNull(); // 业主大会
    expect(creditCodeProblem(buildCreditCode('92320311MA1XYW123'))).toBeNull(); // 个体工商户
    expect(creditCodeProblem(buildCreditCode('N2320311MF1234567'))).toBeNull(); // 村级集体经济组织
  });

  it('refuses a registering office whose division code (positions 3-8) names no province', () => {
    expect(creditCodeProblem(buildCreditCode('91990100MA1XYW123'))).toBe('division');
    expect(creditCodeProblem(buildCreditCode('91000000MA1XYW123'))).toBe('division');
    expect(creditCodeProblem(buildCreditCode('9132031AMA1XYW123'))).toBe('division');
    expect(creditCodeProblem(buildCreditCode('91100000MA1XYW123'))).toBeNull(); // a national office
    expect(creditCodeProblem(buildCreditCode('91441900MA1XYW123'))).toBeNull(); // 东莞, a city without counties
  });

  it('names a wrong check character', () => {
    expect(creditCodeProblem('91350100M000100Y44')).toBe('check-char');
    expect(creditCodeProblem('9135010M000100Y43')).toBe('format');
  });
});

describe('division codes (GB/T 2260)', () => {
  it('accepts counties, development-zone counties and cities without counties', () => {
    for (const code of ['110105', '320311', '320371', '441900', '442000', '460400', '620200']) expect(isDivisionCode(code), code).toBe(true);
  });

  it('refuses cities with counties, provinces, and codes of no province', () => {
    for (const code of ['320300', '320000', '441800', '990101', '000000', '12345']) expect(isDivisionCode(code), code).toBe(false);
  });

  it('takes township numbers 400-599 as bodies like townships (development zones)', () => {
    expect(townshipKind('320371400000')).toBe('ZONE');
    expect(townshipKind('320311599000')).toBe('ZONE');
    expect(isStreetCode('320371400000')).toBe(true);
    expect(isStreetCode('441900003000')).toBe(true); // 东莞 东城街道, directly under the city
    expect(isCommunityCode('441900003001')).toBe(true);
    expect(isStreetCode('320311600000')).toBe(false);
  });
});

describe('place codes', () => {
  it('checks streets, communities and grids structurally', () => {
    expect(isStreetCode('320311001000')).toBe(true);
    expect(townshipKind('320311101000')).toBe('TOWN');
    expect(isStreetCode('320311001001')).toBe(false);
    expect(isCommunityCode('320311001003')).toBe(true);
    expect(isCommunityCode('320311001000')).toBe(false);
    expect(isGridCode('320311001003002')).toBe(true);
    expect(isGridCode('32031100100300')).toBe(false);
    expect(isGridCode('320311001003000')).toBe(false);
    expect(communityCodeOfGrid('320311001003002')).toBe('320311001003');
    expect(streetCodeOfCommunity('320311001003')).toBe('320311001000');
  });

  it('checks mobile numbers', () => {
    expect(isMobilePhone('13800138000')).toBe(true);
    expect(isMobilePhone('12800138000')).toBe(false);
    expect(isMobilePhone('1380013800')).toBe(false);
  });

  it('keeps mobiles and landlines with their area code as the register writes them', () => {
    expect(normalizePhone('+86 138 0013 8000')).toBe('13800138000');
    expect(normalizePhone('0516-83801234')).toBe('0516-83801234'); // 徐州
    expect(normalizePhone('(0516) 8380 1234')).toBe('0516-83801234');
    expect(normalizePhone('+86 516 8380 1234')).toBe('0516-83801234');
    expect(normalizePhone('010-62751234')).toBe('010-62751234'); // 北京, 3-digit area code
    expect(normalizePhone('02164036000')).toBe('021-64036000'); // 上海
    expect(normalizePhone('0516-8380123')).toBe('0516-8380123'); // a 7-digit local number
  });

  it('refuses what is neither', () => {
    for (const phone of ['83801234', '0516-03801234', '010-8380123', '0516-838012345', '12800138000', '051683', '0016-83801234']) {
      expect(normalizePhone(phone), phone).toBeNull();
    }
  });
});

describe('pseudonymous resident key', () => {
  it('is the same for the same number under the same secret, different under another', () => {
    const a = residentKey('11010519491231002X', 'secret-one-abcdefgh');
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(residentKey('11010519491231002x', 'secret-one-abcdefgh')).toBe(a);
    expect(residentKey('11010519491231002X', 'secret-two-abcdefgh')).not.toBe(a);
  });

  it('is recognised by isResidentKey exactly as RESIDENT_KEY recognises it', () => {
    const key = residentKey('11010519491231002X', 'secret-one-abcdefgh');
    const candidates: unknown[] = [key, key.toUpperCase(), key.slice(1), `${key}0`, `${key.slice(0, 31)}g`, `${key.slice(0, 31)}/`, `${key.slice(0, 31)}:`, '', 42, null, undefined];
    for (const candidate of candidates) expect(isResidentKey(candidate)).toBe(typeof candidate === 'string' && RESIDENT_KEY.test(candidate));
  });

  it('residentKeyer gives residentKey\'s key for every input and secret, the long and non-ASCII ones included', () => {
    const inputs = [
      '11010519491231002X',
      ' 11010519491231002x ',
      'PASSPORT:USA:E12345678',
      '',
      'a'.repeat(54),
      'a'.repeat(55),
      'a'.repeat(56),
      'b'.repeat(64),
      'c'.repeat(120),
      '外国人永久居留身份证:CAN:ABC123',
      ...Array.from({ length: 500 }, (_, i) => `3203${String(i * 7919).padStart(14, '0')}`),
    ];
    for (const secret of ['secret-one-abcdefgh', '', 'k', 'x'.repeat(64), 'y'.repeat(65), '密钥-secret']) {
      const keyOf = residentKeyer(secret);
      for (const input of inputs) expect(keyOf(input), `${secret} ${input}`).toBe(residentKey(input, secret));
    }
  });
});

describe('age on a date', () => {
  it('counts whole years, the birthday itself included', () => {
    const on = (day: string) => new Date(`${day}T12:00:00Z`);
    expect(ageOn('2000-03-15', on('2026-03-14'))).toBe(25);
    expect(ageOn('2000-03-15', on('2026-03-15'))).toBe(26);
    expect(ageOn('2000-12-31', on('2026-01-01'))).toBe(25);
    expect(ageOn('2008-02-29', on('2026-02-28'))).toBe(17);
    expect(ageOn('2008-02-29', on('2026-03-01'))).toBe(18);
    expect(ageOn('2026-11-26', on('2026-11-26'))).toBe(0);
  });
});

describe('masking', () => {
  it('masks as displayed in common use', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
  });

  it('redacts ID and phone numbers inside free text', () => {
    expect(redactText('lookup 11010519491231002X by 13800138000 failed')).toBe(
      'lookup 110105********002X by 138****8000 failed',
    );
  });
});

describe('shared entity keys', () => {
  it('accepts well-formed keys and refuses malformed ones', async () => {
    const { isOrganizationId, isHouseCode, isBuildingCode, isCaseId, isIncidentId } = await import('../src/index.ts');
    expect(isOrganizationId('PB320311001001003')).toBe(true);
    expect(isOrganizationId('XX320311001001003')).toBe(false);
    expect(isOrganizationId('PB320311001000003')).toBe(false); // a street code, not a community's
    expect(isBuildingCode('32031100100100012')).toBe(true);
    expect(isBuildingCode('32031100100100000')).toBe(false);
    expect(isHouseCode('32031100100100012-02-0301')).toBe(true);
    expect(isHouseCode('32031100100100012-2-0301')).toBe(false);
    expect(isCaseId('TJ3203110010010010001')).toBe(true);
    expect(isCaseId('TJ320311001001000001')).toBe(false);
    expect(isIncidentId('JQ20260315320311001001001007')).toBe(true);
    expect(isIncidentId('JQ20260230320311001001001007')).toBe(false); // 30 February
  });
});
