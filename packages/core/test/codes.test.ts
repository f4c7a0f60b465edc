import { describe, expect, it } from 'vitest';
import {
  ageOn,
  buildCreditCode,
  buildIdNumber,
  communityCodeOfGrid,
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
