import type { DemoSize } from './databases.ts';

export const DEFAULT_DEMO_RESIDENTS = 50_000;
export const DEFAULT_DEMO_SEED = 20261126;
export const MAX_DEMO_RESIDENTS = 1_000_000;
/** The generator's bound: above it too few registered people are left to hold a district's registers. */
export const MAX_FLOATING_SHARE = 0.95;

export interface StartOptions {
  demo: DemoSize;
  reset: boolean;
}

/**
 * `--residents N` (or HUB_DEMO_RESIDENTS), `--seed N`, `--floating-share X` (or HUB_DEMO_FLOATING_SHARE; the
 * generator's own default, a Xuzhou urban district's 22 %, when unset), `--reset`.
 */
export function parseDemoOptions(argv: string[], env: NodeJS.ProcessEnv): StartOptions {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const integer = (name: string, raw: string | undefined, fallback: number, min: number, max: number) => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw.replaceAll('_', ''));
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const share = (name: string, raw: string | undefined) => {
    if (raw === undefined || raw === '') return undefined;
    const x = Number(raw.trim());
    if (!/^\d*\.?\d+$/.test(raw.trim()) || !(x >= 0 && x <= MAX_FLOATING_SHARE)) {
      throw new Error(`${name} must be a share from 0 to ${MAX_FLOATING_SHARE} (e.g. 0.7 for 70 %), got "${raw}"`);
    }
    return x;
  };
  for (const arg of argv) {
    if (arg.startsWith('--') && !['--residents', '--seed', '--floating-share', '--reset'].includes(arg)) {
      throw new Error(`unknown option ${arg}; known: --residents N, --seed N, --floating-share X, --reset`);
    }
  }
  const floatingShare = share('--floating-share', value('--floating-share') ?? env.HUB_DEMO_FLOATING_SHARE);
  return {
    demo: {
      residents: integer('--residents', value('--residents') ?? env.HUB_DEMO_RESIDENTS, DEFAULT_DEMO_RESIDENTS, 100, MAX_DEMO_RESIDENTS),
      seed: integer('--seed', value('--seed'), DEFAULT_DEMO_SEED, 0, 2 ** 31 - 1),
      ...(floatingShare === undefined ? {} : { floatingShare }),
    },
    reset: argv.includes('--reset'),
  };
}
