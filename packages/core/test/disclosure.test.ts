import { describe, expect, it } from 'vitest';
import { disclosure, inScope, maskAddress, masksFor, rowScope, scopeFilter } from '../src/access/disclosure.ts';
import { testCaller } from '../src/testing/access.ts';

describe('disclosure', () => {
  it('needs the scope and a disclosing purpose for each sensitive category', () => {
    expect(disclosure(testCaller('police-officer'))).toEqual({ identity: false, address: false, health: false, keyPerson: false, keyPersonCategory: false, housingRegister: false, names: 'clear', minors: false });
    expect(disclosure(testCaller('police-officer', { purpose: 'public-safety' }))).toEqual({ identity: true, address: true, health: true, keyPerson: true, keyPersonCategory: true, housingRegister: false, names: 'clear', minors: true });
    expect(disclosure(testCaller('housing-officer', { purpose: 'housing-management' }))).toEqual({ identity: false, address: true, health: false, keyPerson: false, keyPersonCategory: false, housingRegister: true, names: 'clear', minors: true });
    expect(disclosure(testCaller('mediator', { purpose: 'case-handling' }))).toMatchObject({ identity: true, address: false });
  });
  it('never discloses for statistics or audit, and masks names for namesMasked roles', () => {
    expect(disclosure(testCaller('administrator', { purpose: 'statistics' }))).toMatchObject({ identity: false, address: false, health: false });
    expect(disclosure(testCaller('district-analyst', { purpose: 'statistics' }))).toEqual({ identity: false, address: false, health: false, keyPerson: false, keyPersonCategory: false, housingRegister: false, names: 'masked', minors: false });
  });
});

describe('a key person\'s category and the housing registers', () => {
  it('discloses the category and the plan only with keyperson:read and public-safety', () => {
    expect(disclosure(testCaller('police-officer', { purpose: 'case-handling' })).keyPersonCategory).toBe(false);
    expect(disclosure(testCaller('police-officer', { purpose: 'case-handling' })).keyPerson).toBe(false);
    expect(disclosure(testCaller('administrator', { purpose: 'case-handling' })).keyPerson).toBe(false);
    expect(disclosure(testCaller('administrator', { purpose: 'public-safety' })).keyPerson).toBe(true);
    expect(disclosure(testCaller('administrator', { purpose: 'public-safety' })).keyPersonCategory).toBe(true);
    expect(disclosure(testCaller('administrator', { purpose: 'grid-service' })).keyPersonCategory).toBe(false);
    expect(disclosure(testCaller('administrator', { purpose: 'statistics' })).keyPersonCategory).toBe(false);
    expect(disclosure(testCaller('grid-worker', { purpose: 'grid-service' })).keyPersonCategory).toBe(false);
  });
  it('discloses title and filing numbers only with housing:read and housing-management', () => {
    const housing = masksFor(testCaller('housing-officer', { purpose: 'housing-management' }));
    expect(housing.documentNumber('苏(2019)徐州市不动产权第0012345号')).toBe('苏(2019)徐州市不动产权第0012345号');
    const worker = masksFor(testCaller('grid-worker', { purpose: 'grid-service' }));
    expect(worker.documentNumber('苏(2019)徐州市不动产权第0012345号')).toBe('苏(2019)徐州市不动产权第*****45号');
    expect(worker.documentNumber('泉房租备(2026)第001234号')).toBe('泉房租备(2026)第****34号');
    expect(worker.documentNumber(null)).toBeNull();
  });
});

describe('free text', () => {
  it('masks numbers for every caller, purpose or not', () => {
    const admin = masksFor(testCaller('administrator', { purpose: 'case-handling' }));
    expect(admin.text('张三电话13800138000', ['张三'])).toBe('张三电话138****8000');
    expect(admin.text('张三电话13800138000')).toBe('张三电话138****8000');
  });
  it('masks the names given for names-masked roles, and withholds text whose names the department cannot tell', () => {
    const analyst = masksFor(testCaller('district-analyst', { purpose: 'statistics' }));
    expect(analyst.text('张三电话13800138000', ['张三'])).toBe('张*电话138****8000');
    expect(analyst.text('张三电话13800138000')).toBe('***');
    expect(analyst.text(null)).toBeNull();
  });
});

describe('masks', () => {
  it('masks what the caller may not see, keeps null as null', () => {
    const masked = masksFor(testCaller('district-analyst'));
    expect(masked.idNumber('110105194912310021')).toBe('110105********0021');
    expect(masked.phone('13812348000')).toBe('138****8000');
    expect(masked.name('欧阳娜娜')).toBe('欧***');
    expect(masked.phone(null)).toBeNull();
    expect(masked.certificate('11010519491231002142')).toBe('110105********002142');
    expect(masked.keyPersonText('plan')).toBe('***');
    const clear = masksFor(testCaller('administrator', { purpose: 'case-handling' }));
    expect(clear.idNumber('110105194912310021')).toBe('110105194912310021');
    expect(clear.address('云龙区彭城街道和平社区解放路12号')).toBe('云龙区彭城街道和平社区解放路12号');
    expect(clear.name('张三')).toBe('张三');
  });
  it('keeps an address down to its community', () => {
    expect(maskAddress('云龙区彭城街道和平社区解放路12号3单元301室')).toBe('云龙区彭城街道和平社区***');
    expect(maskAddress('铜山区大许镇张庄村3组12号')).toBe('铜山区大许镇张庄村***');
    expect(maskAddress('解放路12号')).toBe('***');
  });
});

describe('row scope', () => {
  it('limits grid workers to their grids and their communities’ grids', () => {
    const scope = rowScope(testCaller('grid-worker', { grids: ['320311001001001'], communities: ['320311001002'] }));
    expect(inScope(scope, '320311001001001')).toBe(true);
    expect(inScope(scope, '320311001001002')).toBe(false);
    expect(inScope(scope, '320311001002007')).toBe(true);
    expect(inScope(scope, null)).toBe(false);
    expect(scopeFilter(scope)).toEqual({ grids: ['320311001001001'], communityPrefixes: ['320311001002'] });
    expect(rowScope(testCaller('police-officer'))).toEqual({ allGrids: true });
    expect(inScope(rowScope(testCaller()), null)).toBe(true);
  });
});

describe('masks and scopes kept per caller', () => {
  const frozen = (caller: ReturnType<typeof testCaller>) => {
    for (const value of Object.values(caller)) if (Array.isArray(value)) Object.freeze(value);
    return Object.freeze(caller);
  };
  it('makes them once for a frozen caller (the verifier hands out one per known token part), and cannot change them', () => {
    const caller = frozen(testCaller('grid-worker', { purpose: 'grid-service', grids: ['320311001001001'], communities: [] }));
    const masks = masksFor(caller);
    expect(masksFor(caller)).toBe(masks);
    expect(rowScope(caller)).toBe(rowScope(caller));
    expect(Object.isFrozen(masks) && Object.isFrozen(masks.disclosure)).toBe(true);
    expect(() => {
      (masks as { name: unknown }).name = (value: string) => value;
    }).toThrow(TypeError);
  });
  it('makes them again for a caller that could still change, so a change is seen', () => {
    const caller = testCaller('police-officer', { purpose: 'public-safety', ownGridsOnly: true, grids: ['320311001001001'], communities: [] });
    const masks = masksFor(caller);
    expect(masks.idNumber('320311199001011234')).toBe('320311199001011234');
    expect(masksFor(caller)).not.toBe(masks);
    caller.scopes = [];
    expect(masksFor(caller).idNumber('320311199001011234')).not.toBe('320311199001011234');
    const scope = rowScope(caller);
    caller.grids = ['320311001001002'];
    expect(inScope(rowScope(caller), '320311001001002')).toBe(true);
    expect(inScope(scope, '320311001001002')).toBe(false);
  });
});
