/**
 * The audit trail's append of a column page's record (5,000 resident ids, as a dataset export writes one per page),
 * both ways in one process, in turns, so the machine's load falls on both alike: written into the one-round-trip
 * message as a quoted literal (`inlineLimit` unbounded) and sent as a parameter under the lock (the default for a
 * batch that large). Reports the writer's CPU (this process) and PostgreSQL's (its backends') per record, and the
 * ratio; small records (one id, the ordinary operation) are run the same way to show they keep the one round trip.
 *
 *   npm run bench:audit-append -- [--records 200] [--ids 5000] [--rounds 5]
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { ensureDatabase, withDatabase } from '@hub/core';
import { startTestPostgres } from '@hub/core/testing';
import { auditDatabase } from '@hub/audit-trail/db';
import { createAuditWriter } from '@hub/audit-trail';
import { operation, residentOf } from '@hub/audit-trail/testing';
import { machineLine } from './machine.ts';

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

const ids = Array.from({ length: idCount }, (_, n) => residentOf(n));
const server = await startTestPostgres({});
const { departments } = await import('@hub/core');
const audit = departments.find((d) => d.name === 'audit')!;
const url = server.urlFor(audit, 'bench_audit_append');
await ensureDatabase(url);
const migrated = auditDatabase.open(url, { max: 1 });
await auditDatabase.migrate(migrated);
await migrated.close();

/** CPU seconds of every backend of this database so far (Linux: /proc/<pid>/stat's utime + stime). */
async function backendCpu(admin: pg.Client): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const { rows } = await admin.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
  let ticks = 0;
  for (const { pid } of rows) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks / 100;
}

const admin = new pg.Client({ connectionString: withDatabase(url, 'bench_audit_append') });
await admin.connect();

type Way = 'literal' | 'parameter';
async function run(way: Way, residentIds: string[]) {
  const writer = createAuditWriter(url, { inlineLimit: way === 'literal' ? Number.POSITIVE_INFINITY : 0 });
  await writer.write(operation(0)); // connections open and the head read before the clock starts
  const pgBefore = await backendCpu(admin);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  // One at a time, as an export's pages arrive: each its own batch.
  for (let n = 1; n <= records; n++) await writer.write(operation(n, { residentIds }));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  const pgCpu = (await backendCpu(admin)) - pgBefore;
  await writer.close();
  return { wallMs, nodeMs: (cpu.user + cpu.system) / 1000, pgMs: pgCpu * 1000 };
}

try {
  for (const [label, residentIds] of [[`${idCount} resident ids`, ids], ['1 resident id', ids.slice(0, 1)]] as const) {
    const totals: Record<Way, { wallMs: number; nodeMs: number; pgMs: number }> = {
      literal: { wallMs: 0, nodeMs: 0, pgMs: 0 },
      parameter: { wallMs: 0, nodeMs: 0, pgMs: 0 },
    };
    for (let round = 0; round < rounds; round++) {
      for (const way of (round % 2 === 0 ? ['literal', 'parameter'] : ['parameter', 'literal']) as Way[]) {
        const r = await run(way, [...residentIds]);
        totals[way].wallMs += r.wallMs;
        totals[way].nodeMs += r.nodeMs;
        totals[way].pgMs += r.pgMs;
      }
    }
    const per = (way: Way, key: 'wallMs' | 'nodeMs' | 'pgMs') => totals[way][key] / (rounds * records);
    say(`\nrecords of ${label}: ${rounds} rounds of ${records} records each way, in turns`);
    say('| way | wall ms a record | writer CPU ms a record | PostgreSQL CPU ms a record |');
    say('|---|---:|---:|---:|');
    for (const way of ['literal', 'parameter'] as Way[]) say(`| ${way} | ${per(way, 'wallMs').toFixed(2)} | ${per(way, 'nodeMs').toFixed(2)} | ${per(way, 'pgMs').toFixed(2)} |`);
    say(`parameter ÷ literal: wall ${(per('parameter', 'wallMs') / per('literal', 'wallMs')).toFixed(2)}, writer CPU ${(per('parameter', 'nodeMs') / per('literal', 'nodeMs')).toFixed(2)}, PostgreSQL CPU ${(per('parameter', 'pgMs') / per('literal', 'pgMs')).toFixed(2)}`);
  }
  say(`\nMachine: ${machineLine()}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  await admin.end();
  await server.stop();
}
