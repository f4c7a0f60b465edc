/**
 * What the audit trail's append costs, one record at a time as a dataset export's pages arrive (each its own batch),
 * two ways in one process, in turns, so the machine's load falls on both alike. Reports the writer's CPU (this
 * process), PostgreSQL's (its backends') per record, and what merging the resident index's pending list then costs
 * PostgreSQL per record (`gin_clean_pending_list`, autovacuum's work otherwise). Records of `--ids` resident ids
 * (a column page's record: 5,000) and of one id (an ordinary operation). A record's ids are its own slice of a
 * district of `--records × --ids` residents, the same slices every round: from the second round on, the index
 * already holds every id, as it does for a district exported again.
 *
 * - Without `--before`: the one-round-trip message with the batch written in as a quoted literal (`inlineLimit`
 *   unbounded) against the batch as a parameter under the lock (the default for a batch that large).
 * - With `--before <commit>`: that commit's `packages/audit-trail/src` (its writer and its migrations, into a
 *   database of its own) against this tree's, both with their defaults.
 *
 *   npm run bench:audit-append -- [--records 200] [--ids 5000] [--rounds 5] [--before <commit>]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { ensureDatabase, withDatabase, residentKey, DEMO_HUB_SECRET } from '@hub/core';
import { startTestPostgres } from '@hub/core/testing';
import { operation } from '@hub/audit-trail/testing';
import { machineLine } from './machine.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line: string) => process.stdout.write(`${line}\n`);
const arg = (flag: string, fallback: number) => {
  const i = process.argv.indexOf(flag);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a whole number, 1 or more`);
  return value;
};
const records = arg('--records', 200);
const idCount = arg('--ids', 5000);
const rounds = arg('--rounds', 5);
const beforeAt = process.argv.indexOf('--before');
const before = beforeAt >= 0 ? process.argv[beforeAt + 1] : undefined;
if (beforeAt >= 0 && !before) throw new Error('--before needs a commit');

type Writer = { write(record: unknown): Promise<unknown>; close(): Promise<void> };
type Trail = {
  prepareRecord(input: unknown): Record<string, unknown>;
  recordHash(record: unknown): string;
  auditDatabase: { open(url: string, options: { max: number }): { close(): Promise<void> }; migrate(database: unknown): Promise<void> };
  createAuditWriter(url: string, options?: { inlineLimit?: number }): Writer;
};

/** This tree's writer, or `commit`'s `packages/audit-trail/src` copied under .data (where `@hub/core` still resolves). */
async function trailAt(commit: string | null): Promise<Trail> {
  if (commit === null) {
    const [writer, db] = await Promise.all([import('@hub/audit-trail'), import('@hub/audit-trail/db')]);
    return {
      prepareRecord: writer.prepareRecord as unknown as Trail['prepareRecord'],
      recordHash: writer.recordHash as unknown as Trail['recordHash'],
      createAuditWriter: writer.createAuditWriter as Trail['createAuditWriter'],
      auditDatabase: db.auditDatabase as unknown as Trail['auditDatabase'],
    };
  }
  const sha = execFileSync('git', ['rev-parse', commit], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = path.join(ROOT, '.data', 'audit-before', sha);
  if (!existsSync(path.join(dir, 'packages/audit-trail/src/writer.ts'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${sha} packages/audit-trail/src | tar -x -C ${JSON.stringify(dir)}`], { cwd: ROOT });
  }
  const src = path.join(dir, 'packages/audit-trail/src');
  const [writer, db] = await Promise.all([import(pathToFileURL(path.join(src, 'writer.ts')).href), import(pathToFileURL(path.join(src, 'db/index.ts')).href)]);
  return { prepareRecord: writer.prepareRecord, recordHash: writer.recordHash, createAuditWriter: writer.createAuditWriter, auditDatabase: db.auditDatabase };
}

const district = Array.from({ length: records * idCount }, (_, n) => residentKey(`bench-resident-${n}`, DEMO_HUB_SECRET));
const idsOf = (n: number, count: number) => district.slice((n - 1) * idCount, (n - 1) * idCount + count);

const server = await startTestPostgres({});
const { departments } = await import('@hub/core');
const audit = departments.find((d) => d.name === 'audit')!;

interface Side {
  label: string;
  trail: Trail;
  url: string;
  options: { inlineLimit?: number };
  admin: pg.Client;
}

async function side(label: string, trail: Trail, options: Side['options']): Promise<Side> {
  const name = `bench_audit_append_${label}`;
  const url = server.urlFor(audit, name);
  await ensureDatabase(url);
  const migrated = trail.auditDatabase.open(url, { max: 1 });
  await trail.auditDatabase.migrate(migrated);
  await migrated.close();
  const admin = new pg.Client({ connectionString: withDatabase(url, name) });
  await admin.connect();
  return { label, trail, url, options, admin };
}

/** CPU seconds of every backend of this database so far but the admin's own (Linux: /proc/<pid>/stat's utime + stime). */
async function backendCpu(admin: pg.Client, self = false): Promise<number> {
  const { rows } = await admin.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = current_database() ${self ? '' : 'and pid <> pg_backend_pid()'}`,
  );
  let ticks = 0;
  for (const { pid } of rows) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks / 100;
}

async function ownCpu(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ pid: number }>('select pg_backend_pid() as pid');
  const stat = await readFile(`/proc/${rows[0]!.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function run(s: Side, count: number) {
  const writer = s.trail.createAuditWriter(s.url, s.options);
  await writer.write(operation(0)); // connections open and the head read before the clock starts
  const pgBefore = await backendCpu(s.admin);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let n = 1; n <= records; n++) await writer.write(operation(n, { residentIds: idsOf(n, count) }));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  const pgCpu = (await backendCpu(s.admin)) - pgBefore;
  await writer.close();
  const mergeBefore = await ownCpu(s.admin);
  await s.admin.query(`select gin_clean_pending_list('audit_records_resident_ids_idx'::regclass)`);
  const mergeCpu = (await ownCpu(s.admin)) - mergeBefore;
  return { wallMs, nodeMs: (cpu.user + cpu.system) / 1000, pgMs: pgCpu * 1000, mergeMs: mergeCpu * 1000 };
}

const sides = before
  ? [await side('before', await trailAt(before), {}), await side('after', await trailAt(null), {})]
  : [await side('literal', await trailAt(null), { inlineLimit: Number.POSITIVE_INFINITY }), await side('parameter', await trailAt(null), { inlineLimit: 0 })];
const [a, b] = sides as [Side, Side];

try {
  for (const [label, count] of [[`${idCount} resident ids`, idCount], ['1 resident id', 1]] as const) {
    type Totals = { wallMs: number; nodeMs: number; pgMs: number; mergeMs: number };
    const totals = new Map<Side, Totals>(sides.map((s) => [s, { wallMs: 0, nodeMs: 0, pgMs: 0, mergeMs: 0 }]));
    for (let round = 0; round < rounds; round++) {
      for (const s of round % 2 === 0 ? [a, b] : [b, a]) {
        const r = await run(s, count);
        const t = totals.get(s)!;
        t.wallMs += r.wallMs;
        t.nodeMs += r.nodeMs;
        t.pgMs += r.pgMs;
        t.mergeMs += r.mergeMs;
      }
    }
    const per = (s: Side, key: keyof Totals) => totals.get(s)![key] / (rounds * records);
    say(`\nrecords of ${label}: ${rounds} rounds of ${records} records each way, in turns`);
    say('| way | wall ms a record | writer CPU ms a record | PostgreSQL CPU ms a record | index merge, PostgreSQL CPU ms a record |');
    say('|---|---:|---:|---:|---:|');
    for (const s of sides) say(`| ${s.label} | ${per(s, 'wallMs').toFixed(2)} | ${per(s, 'nodeMs').toFixed(2)} | ${per(s, 'pgMs').toFixed(2)} | ${per(s, 'mergeMs').toFixed(2)} |`);
    const ratio = (key: keyof Totals) => (per(b, key) / per(a, key)).toFixed(2);
    say(`${b.label} ÷ ${a.label}: wall ${ratio('wallMs')}, writer CPU ${ratio('nodeMs')}, PostgreSQL CPU ${ratio('pgMs')}, merge ${ratio('mergeMs')}`);
  }
  // The writer's own work on a record, without the database: checking and redacting it (`prepareRecord`) and hashing
  // it (`recordHash`), in a loop, the least CPU of ten runs of each, in turns.
  say('\nthe writer\'s work on a record in a loop (prepareRecord + recordHash), least of 10 runs each, in turns');
  say('| record | ' + sides.map((s) => `${s.label} µs`).join(' | ') + ` | ${b.label} ÷ ${a.label} |`);
  say('|---|---:|---:|---:|');
  for (const [label, count, loops] of [[`${idCount} resident ids`, idCount, 20], ['1 resident id', 1, 2000]] as const) {
    const input = operation(1, { residentIds: idsOf(1, count).reverse() });
    const best = new Map<Side, number>(sides.map((s) => [s, Infinity]));
    for (let run = 0; run < 10; run++) {
      for (const s of run % 2 === 0 ? [a, b] : [b, a]) {
        const cpu = process.cpuUsage();
        for (let i = 0; i < loops; i++) s.trail.recordHash({ ...s.trail.prepareRecord(input), seq: i + 1, previousHash: '0'.repeat(64) });
        const used = process.cpuUsage(cpu);
        best.set(s, Math.min(best.get(s)!, (used.user + used.system) / loops));
      }
    }
    say(`| ${label} | ${sides.map((s) => best.get(s)!.toFixed(1)).join(' | ')} | ${(best.get(b)! / best.get(a)!).toFixed(2)} |`);
  }
  say(`\nMachine: ${machineLine()}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  for (const s of sides) await s.admin.end();
  await server.stop();
}
