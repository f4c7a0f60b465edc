import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_UNITS, unitDirectory, workflowLimitsFromEnv } from '../src/workflow/units.ts';

const station = { code: 'WATER_AUTHORITY', name: '水务站', kind: 'ADMINISTRATIVE_STATION', department: null, maxDeadlineDays: 20 };

describe('the unit directory', () => {
  it('holds the built-in units, and a configuration adds units and changes built-in ones', () => {
    expect(unitDirectory().units).toEqual(BUILT_IN_UNITS);
    const directory = unitDirectory({ units: [station, { code: 'URBAN_MANAGEMENT', name: '综合行政执法队', kind: 'ADMINISTRATIVE_STATION', maxDeadlineDays: 10 }] });
    expect(directory.get('WATER_AUTHORITY')).toEqual(station);
    expect(directory.get('URBAN_MANAGEMENT')).toMatchObject({ name: '综合行政执法队', maxDeadlineDays: 10, department: null });
    expect(directory.units.at(-1)?.code).toBe('WATER_AUTHORITY');
    expect(directory.units).toHaveLength(BUILT_IN_UNITS.length + 1);
  });

  it('refuses a bad entry, naming it and what is wrong', () => {
    const bad: [unknown, RegExp][] = [
      ['units', /expected a JSON array/],
      [[{ ...station, code: 'water' }], /units\[0\]: code must be/],
      [[{ ...station, name: '' }], /WATER_AUTHORITY\): name must be/],
      [[{ ...station, kind: 'BUREAU' }], /kind must be one of/],
      [[{ ...station, department: 'treasury' }], /department must be null .* or one of public-security/],
      [[{ ...station, maxDeadlineDays: 0 }], /maxDeadlineDays must be a whole number of days from 1 to 365/],
      [[{ ...station, maxDeadlineDays: 1.5 }], /maxDeadlineDays/],
      [[{ ...station, colour: 'red' }], /unknown field colour/],
      [[station, station], /units\[1\]: code WATER_AUTHORITY appears twice/],
      [[{ code: 'HOUSING', name: '住建', kind: 'ADMINISTRATIVE_STATION', department: null, maxDeadlineDays: 30 }], /HOUSING is the housing department's own unit/],
    ];
    for (const [config, message] of bad) expect(() => unitDirectory(config), JSON.stringify(config)).toThrow(message);
  });

  it('reads MEDIATION_UNITS_FILE and the day limits from the environment, refusing what it cannot use', () => {
    const folder = mkdtempSync(join(tmpdir(), 'units-'));
    const file = join(folder, 'units.json');
    writeFileSync(file, JSON.stringify([station]));
    const limits = workflowLimitsFromEnv({ MEDIATION_UNITS_FILE: file, MEDIATION_ACCEPTANCE_DAYS: '5', MEDIATION_ESCALATION_DAYS: '10' });
    expect(limits.units.get('WATER_AUTHORITY')?.name).toBe('水务站');
    expect([limits.acceptanceDays, limits.escalationDays]).toEqual([5, 10]);
    expect(workflowLimitsFromEnv({})).toMatchObject({ acceptanceDays: 3, escalationDays: 15 });
    writeFileSync(file, '{ not json');
    expect(() => workflowLimitsFromEnv({ MEDIATION_UNITS_FILE: file })).toThrow(/MEDIATION_UNITS_FILE: .* is not JSON/);
    expect(() => workflowLimitsFromEnv({ MEDIATION_UNITS_FILE: join(folder, 'missing.json') })).toThrow(/MEDIATION_UNITS_FILE: cannot read/);
    expect(() => workflowLimitsFromEnv({ MEDIATION_ACCEPTANCE_DAYS: '0' })).toThrow(/MEDIATION_ACCEPTANCE_DAYS must be a whole number of days from 1 to 60/);
    expect(() => workflowLimitsFromEnv({ MEDIATION_ESCALATION_DAYS: 'soon' })).toThrow(/MEDIATION_ESCALATION_DAYS/);
  });
});
