/**
 * The supervision check (督办) over the demo district: a first run on a day when many of its open cases are near or
 * past their time limits (it issues every warning and card they have earned, each a versioned case change with its
 * event under the feed lock), and a second run on the same day, which finds nothing left to issue (the cost of every
 * later tick of the service's timer).
 *
 *   npm run bench:supervision -- [--residents 50000] [--day 2026-11-25]
 *
 * The district is generated as on 2026-11-01 and kept under .data/bench-supervision-<N>, seeded on first use; each
 * run works on a fresh copy of the mediation database, so runs compare.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_HUB_SECRET, isIsoDate } from '@hub/core';
import { cloneDatabase } from '@hub/core/testing';
import { prepareDatabases } from '@hub/hub';
import { DEFAULT_DEMO_SEED } from '@hub/hub/options';
import { DEFAULT_RED_CARD_GRACE_DAYS, DEFAULT_WARNING_DAYS, mediationDatabase, runSupervisionCheck } from '@hub/mediation';
import { machineLine } from './machine.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

function parseArgs(argv: string[]) {
  const known = ['--residents', '--day'];
  for (const arg of argv) if (arg.startsWith('--') && !known.includes(arg)) throw new Error(`unknown option ${arg}; known: ${known.join(', ')}`);
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const residents = Number(value('--residents') ?? '50000');
  const day = value('--day') ?? '2026-11-25';
  if (!Number.isInteger(residents) || residents < 100) throw new Error('--residents must be a whole number, 100 or more');
  if (!isIsoDate(day)) throw new Error('--day must be a date, YYYY-MM-DD');
  return { residents, day };
}

const { residents, day } = parseArgs(process.argv.slice(2));
const dataDir = path.join(ROOT, '.data', `bench-supervision-${residents}`);
say(`preparing the demo district of ${residents.toLocaleString('en')} residents in ${path.relative(ROOT, dataDir)}…`);
const databases = await prepareDatabases({ demo: { residents, seed: DEFAULT_DEMO_SEED }, secret: DEMO_HUB_SECRET, dataDir, port: 0, env: {}, log: say, progress: true });
const copy = await cloneDatabase(databases.urls.mediation!);
const database = mediationDatabase.open(copy.url);
try {
  // 10:00 in Beijing on the day checked.
  const clock = () => new Date(`${day}T02:00:00Z`);
  const check = { db: database.db, clock, redCardGraceDays: DEFAULT_RED_CARD_GRACE_DAYS, warningDays: DEFAULT_WARNING_DAYS };
  const timed = async () => {
    const started = process.hrtime.bigint();
    const run = await runSupervisionCheck(check);
    return { run, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  };
  const first = await timed();
  const second = await timed();
  const kinds = (run: typeof first.run) => ['WARNING', 'YELLOW', 'RED'].map((k) => `${run.issued.filter((n) => n.kind === k).length} ${k.toLowerCase()}`).join(', ');
  say('');
  say(`Machine: ${machineLine()}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  say(`Day checked: ${day} (district generated as on 2026-11-01), ${residents.toLocaleString('en')} residents`);
  say('');
  say('| run | notices issued | left to the next run | time |');
  say('|---|---:|---:|---:|');
  say(`| first | ${first.run.issued.length} (${kinds(first.run)}) | ${first.run.deferred} | ${first.ms.toFixed(0)} ms |`);
  say(`| second (nothing new) | ${second.run.issued.length} | ${second.run.deferred} | ${second.ms.toFixed(0)} ms |`);
} finally {
  await database.close();
  await copy.drop();
  await databases.server?.stop();
}
