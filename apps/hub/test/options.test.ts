import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_RESIDENTS, DEFAULT_DEMO_SEED, parseDemoOptions } from '../src/options.ts';

describe('npm start options', () => {
  it('defaults, and takes --residents, HUB_DEMO_RESIDENTS, --seed and --reset', () => {
    expect(parseDemoOptions([], {})).toEqual({ demo: { residents: DEFAULT_DEMO_RESIDENTS, seed: DEFAULT_DEMO_SEED }, reset: false });
    expect(parseDemoOptions(['--residents', '1_000_000', '--seed', '7', '--reset'], {})).toEqual({
      demo: { residents: 1_000_000, seed: 7 },
      reset: true,
    });
    expect(parseDemoOptions([], { HUB_DEMO_RESIDENTS: '5000' }).demo.residents).toBe(5000);
  });

  it('refuses values out of range and unknown options, saying what is accepted', () => {
    expect(() => parseDemoOptions(['--residents', '2000001'], {})).toThrow(/--residents must be a whole number from 100 to 1000000/);
    expect(() => parseDemoOptions(['--residents', 'many'], {})).toThrow(/--residents/);
    expect(() => parseDemoOptions(['--resident', '10'], {})).toThrow(/unknown option --resident/);
  });
});
