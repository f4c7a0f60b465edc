/**
 * What a rate-limit check costs the gateway, in memory (as built) and, for comparison, as a shared bucket in
 * PostgreSQL (one upsert per request, what keeping the state across replicas would take):
 *
 *   npm run bench:rate-limits -- [--requests 200000] [--keys 100000] [--pg-requests 5000] [--pg-clients 8]
 *
 * In memory: `TokenBuckets.take` for one hot caller, then for callers drawn from `--keys` (past the table's bound,
 * so eviction runs), and the client address read from X-Forwarded-For behind a trusted proxy. PostgreSQL: a throwaway
 * embedded server, `--pg-clients` connections each upserting buckets of random callers back to back. Prints the
 * figures and the machine; nothing is written.
 */
import type { IncomingMessage } from 'node:http';
import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@hub/core';
import { addressKey, clientAddress, proxyList, TokenBuckets } from '@hub/gateway';
import { machineLine } from './machine.ts';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} needs a whole number of at least 1`);
  return value;
}
const requests = option('--requests', 200_000);
const keys = option('--keys', 100_000);
const pgRequests = option('--pg-requests', 5_000);
const pgClients = option('--pg-clients', 8);

const budget = { perMinute: 60_000, burst: 60_000 };
const perOp = (ns: bigint, n: number) => `${(Number(ns) / n / 1000).toFixed(2)} µs`;

function timed(n: number, run: (i: number) => void): bigint {
  for (let i = 0; i < Math.min(n, 10_000); i++) run(i); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) run(i);
  return process.hrtime.bigint() - started;
}

console.log(`machine: ${machineLine()}`);
const hot = new TokenBuckets(100_000, () => performance.now());
console.log(`in memory, one caller: ${perOp(timed(requests, () => hot.take('caller', budget, 20)), requests)} per check`);
const names = Array.from({ length: keys }, (_, i) => `caller-${i}`);
const many = new TokenBuckets(Math.floor(keys / 2), () => performance.now());
console.log(`in memory, ${keys.toLocaleString('en')} callers into a table of ${Math.floor(keys / 2).toLocaleString('en')}: ${perOp(timed(requests, (i) => many.take(names[(i * 7919) % keys]!, budget, 20)), requests)} per check`);
const proxies = proxyList(['10.0.0.0/8']);
const req = { socket: { remoteAddress: '10.1.2.3' }, headers: { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' } } as unknown as IncomingMessage;
console.log(`client address behind a trusted proxy: ${perOp(timed(requests, () => addressKey(clientAddress(req, proxies))), requests)} per request`);

const dir = await mkdtemp(path.join(tmpdir(), 'hub-bench-rate-'));
await chmod(dir, 0o755);
const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), ephemeral: true });
const pool = new pg.Pool({ connectionString: server.url('postgres'), max: pgClients });
try {
  await pool.query('create table rate_buckets (key text primary key, units double precision not null, at timestamptz not null)');
  const upsert = {
    name: 'take',
    text: `insert into rate_buckets as b (key, units, at) values ($1, $2::float8 - $3::float8, now())
           on conflict (key) do update
             set units = least($2::float8, b.units + extract(epoch from now() - b.at)::float8 * $4::float8) - $3::float8, at = now()
           returning units`,
  };
  const take = (key: string) => pool.query({ ...upsert, values: [key, budget.burst, 20, budget.perMinute / 60] });
  for (let i = 0; i < 500; i++) await take(names[i % keys]!);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: pgClients }, async () => {
      while (next < pgRequests) await take(names[(next++ * 7919) % keys]!);
    }),
  );
  const elapsed = process.hrtime.bigint() - started;
  const one = process.hrtime.bigint();
  for (let i = 0; i < 500; i++) await take('caller');
  const serial = process.hrtime.bigint() - one;
  console.log(
    `PostgreSQL upsert (embedded, same machine): ${perOp(serial, 500)} per check one after another; ` +
      `${Math.round(pgRequests / (Number(elapsed) / 1e9)).toLocaleString('en')} checks/s over ${pgClients} connections`,
  );
} finally {
  await pool.end();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
