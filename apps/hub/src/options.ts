import type { DemoSize } from './databases.ts';

export const DEFAULT_DEMO_RESIDENTS = 50_000;
export const DEFAULT_DEMO_SEED = 20261126;
export const MAX_DEMO_RESIDENTS = 1_000_000;

export interface StartOptions {
  demo: DemoSize;
  reset: boolean;
}

/** `--residents N` (or HUB_DEMO_RESIDENTS), `--seed N`, `--reset`. */
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
  for (const arg of argv) {
    if (arg.startsWith('--') && !['--residents', '--seed', '--reset'].includes(arg)) {
      throw new Error(`unknown option ${arg}; known: --residents N, --seed N, --reset`);
    }
  }
  return {
    demo: {
      residents: integer('--residents', value('--residents') ?? env.HUB_DEMO_RESIDENTS, DEFAULT_DEMO_RESIDENTS, 100, MAX_DEMO_RESIDENTS),
      seed: integer('--seed', value('--seed'), DEFAULT_DEMO_SEED, 0, 2 ** 31 - 1),
    },
    reset: argv.includes('--reset'),
  };
}
