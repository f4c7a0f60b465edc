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

  it('takes --floating-share or HUB_DEMO_FLOATING_SHARE, the flag first, and leaves the generator its default otherwise', () => {
    expect(parseDemoOptions(['--floating-share', '0.7'], {}).demo.floatingShare).toBe(0.7);
    expect(parseDemoOptions([], { HUB_DEMO_FLOATING_SHARE: '0.35' }).demo.floatingShare).toBe(0.35);
    expect(parseDemoOptions(['--floating-share', '0'], { HUB_DEMO_FLOATING_SHARE: '0.35' }).demo.floatingShare).toBe(0);
    expect(parseDemoOptions([], {}).demo).not.toHaveProperty('floatingShare');
  });

  it('refuses a floating share that is not a share from 0 to 0.95', () => {
    for (const bad of ['70', '0.96', '-0.1', 'most', '70%', '1e-1', '.']) {
      expect(() => parseDemoOptions(['--floating-share', bad], {}), bad).toThrow(`--floating-share must be a share from 0 to 0.95 (e.g. 0.7 for 70 %), got "${bad}"`);
    }
    expect(() => parseDemoOptions([], { HUB_DEMO_FLOATING_SHARE: '1.5' })).toThrow(/--floating-share must be a share/);
  });

  it('refuses values out of range and unknown options, saying what is accepted', () => {
    expect(() => parseDemoOptions(['--residents', '2000001'], {})).toThrow(/--residents must be a whole number from 100 to 1000000/);
    expect(() => parseDemoOptions(['--residents', 'many'], {})).toThrow(/--residents/);
    expect(() => parseDemoOptions(['--resident', '10'], {})).toThrow(/unknown option --resident; known: --residents N, --seed N, --floating-share X, --reset/);
  });
});
