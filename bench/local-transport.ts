/**
 * What the loopback TCP costs against a Unix socket, for the two local hops the hub makes on one machine: the
 * gateway's HTTP request to a subgraph, and a department's query to PostgreSQL. In turns in one run, so the machine's
 * load falls on both alike.
 *
 *   npm run bench:local-transport -- [--rounds 6] [--exchanges 4000] [--queries 4000] [--connections 4]
 *
 * 1. HTTP: a node:http server (as the departments serve) in a child process listens on 127.0.0.1 and on a Unix
 *    socket; this process sends it keep-alive HTTP/1.1 POSTs the way the gateway's client does (one write of head and
 *    body, the answer read by its content-length), a 1.8 KB request (a fetch's document, variables and caller token)
 *    and answers of 0.5, 4 and 32 KiB, `--connections` at once. CPU per exchange: this process's and the server's own
 *    (`process.cpuUsage`), each transport in turn, the order swapped every round.
 * 2. PostgreSQL: a throwaway embedded server; one node-postgres client over its socket and one over TCP run the same
 *    named statements in turn (a one-row lookup and a 50-row read). CPU per query: this process's, and the backend's
 *    from /proc (Linux only; clock ticks, so enough queries per turn to make them count).
 *
 * Everything shares the machine: read the Unix ÷ TCP ratios of one run, not the absolute figures.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from '@hub/core';
import { machineLine } from './machine.ts';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? Number(argv[at + 1]) : fallback;
};

/** The child: one node:http server on both transports, answering each POST with as many bytes as it asks for. */
async function serve(socketPath: string): Promise<void> {
  const bodies = new Map<number, Buffer>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const size = Number(req.headers['x-answer-bytes']);
      let body = bodies.get(size);
      if (!body) bodies.set(size, (body = Buffer.from(JSON.stringify({ data: { x: 'y'.repeat(Math.max(0, size - 20)) } }))));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  const unix = net.createServer((socket) => server.emit('connection', socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => unix.listen(socketPath, resolve));
  // The benchmark gone, the server goes too.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: string) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpu: user + system });
    }
  });
  process.send!({ port: (server.address() as net.AddressInfo).port });
}

/** A keep-alive exchange as the gateway's client makes it: one write, the answer read to its content-length. */
function exchange(socket: net.Socket, message: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    let need = -1;
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (need < 0) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = /content-length: (\d+)/i.exec(buffered.toString('latin1', 0, end));
        need = end + 4 + Number(length?.[1] ?? 0);
      }
      if (buffered.length >= need) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve();
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.write(message);
  });
}

async function connectAll(count: number, options: net.NetConnectOpts): Promise<net.Socket[]> {
  return Promise.all(
    Array.from({ length: count }, () => new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ ...options, noDelay: true } as net.NetConnectOpts, () => resolve(socket));
      socket.once('error', reject);
    })),
  );
}

const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function main(): Promise<void> {
  const rounds = flag('rounds', 6);
  const exchanges = flag('exchanges', 4000);
  const queries = flag('queries', 4000);
  const connections = flag('connections', 4);
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-transport-'));
  await chmod(dir, 0o755);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`# Local transports: loopback TCP against a Unix socket`);
  say(`${machineLine()}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${rounds} rounds`);

  // --- HTTP ---
  const socketPath = path.join(dir, 'http.sock');
  const child = fork(fileURLToPath(import.meta.url), ['--serve', socketPath], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const serverCpu = () => new Promise<number>((resolve) => {
    child.once('message', (m: { cpu: number }) => resolve(m.cpu));
    child.send('cpu');
  });
  const tcp = await connectAll(connections, { host: '127.0.0.1', port });
  const unix = await connectAll(connections, { path: socketPath });
  const request = (answerBytes: number) => {
    const body = JSON.stringify({ query: `query($representations:[_Any!]!){_entities(representations:$representations){...on Resident{id name grid{id}}}}`.padEnd(1100, ' '), variables: { representations: [{ __typename: 'Resident', id: 'R'.repeat(20) }] } });
    const head = `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-hub-caller: ${'t'.repeat(480)}\r\nx-answer-bytes: ${answerBytes}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n`;
    return Buffer.from(head + body);
  };
  say('');
  say('| answer | transport | exchanges/s | client µs CPU/exchange | server µs CPU/exchange | total µs | Unix ÷ TCP (total CPU) |');
  say('|---:|---|---:|---:|---:|---:|---:|');
  for (const answer of [512, 4096, 32768]) {
    const message = request(answer);
    const totals = { tcp: { client: 0, server: 0, wall: 0, n: 0 }, unix: { client: 0, server: 0, wall: 0, n: 0 } };
    const run = async (sockets: net.Socket[], n: number) => {
      const perSocket = Math.ceil(n / sockets.length);
      await Promise.all(sockets.map(async (socket) => {
        for (let i = 0; i < perSocket; i++) await exchange(socket, message);
      }));
      return perSocket * sockets.length;
    };
    await run(tcp, 400);
    await run(unix, 400);
    for (let round = 0; round < rounds; round++) {
      for (const kind of round % 2 === 0 ? (['tcp', 'unix'] as const) : (['unix', 'tcp'] as const)) {
        const serverBefore = await serverCpu();
        const clientBefore = cpuNow();
        const started = process.hrtime.bigint();
        const n = await run(kind === 'tcp' ? tcp : unix, exchanges);
        const wall = Number(process.hrtime.bigint() - started) / 1e9;
        const client = cpuNow() - clientBefore;
        const server = (await serverCpu()) - serverBefore;
        const total = totals[kind];
        total.client += client;
        total.server += server;
        total.wall += wall;
        total.n += n;
      }
    }
    const per = (t: typeof totals.tcp) => ({ client: t.client / t.n, server: t.server / t.n, rate: t.n / t.wall });
    const a = per(totals.tcp);
    const b = per(totals.unix);
    for (const [kind, m] of [['TCP', a], ['Unix', b]] as const) {
      const ratio = kind === 'Unix' ? ((b.client + b.server) / (a.client + a.server)).toFixed(2) : '';
      say(`| ${answer / 1024} KiB | ${kind} | ${m.rate.toFixed(0)} | ${m.client.toFixed(1)} | ${m.server.toFixed(1)} | ${(m.client + m.server).toFixed(1)} | ${ratio} |`);
    }
  }
  for (const socket of [...tcp, ...unix]) socket.destroy();
  child.kill('SIGTERM');

  // --- PostgreSQL ---
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), ephemeral: true });
  try {
    const clients = { tcp: new pg.Client({ connectionString: server.tcpUrl('postgres') }), unix: new pg.Client({ connectionString: server.url('postgres') }) };
    const backends = { tcp: 0, unix: 0 };
    for (const kind of ['tcp', 'unix'] as const) {
      await clients[kind].connect();
      backends[kind] = (await clients[kind].query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    }
    await clients.tcp.query('create table rows_50 as select g as id, md5(g::text) as name, g % 7 as grid from generate_series(1, 5000) g');
    await clients.tcp.query('create index on rows_50 (grid, id)');
    const ticks = 100;
    const backendCpu = (pid: number) => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12])) / ticks) * 1e6;
    };
    const statements = [
      { label: 'one-row lookup', config: { name: 'one', text: 'select id, name from rows_50 where id = $1', values: [42] } },
      { label: '50-row read', config: { name: 'fifty', text: 'select id, name, grid from rows_50 where grid = $1 order by id limit 50', values: [3] } },
    ];
    say('');
    say('| query | transport | queries/s | client µs CPU/query | backend µs CPU/query | total µs | Unix ÷ TCP (total CPU) |');
    say('|---|---|---:|---:|---:|---:|---:|');
    for (const { label, config } of statements) {
      const totals = { tcp: { client: 0, backend: 0, wall: 0, n: 0 }, unix: { client: 0, backend: 0, wall: 0, n: 0 } };
      for (const kind of ['tcp', 'unix'] as const) for (let i = 0; i < 200; i++) await clients[kind].query(config);
      for (let round = 0; round < rounds; round++) {
        for (const kind of round % 2 === 0 ? (['tcp', 'unix'] as const) : (['unix', 'tcp'] as const)) {
          const backendBefore = backendCpu(backends[kind]);
          const clientBefore = cpuNow();
          const started = process.hrtime.bigint();
          for (let i = 0; i < queries; i++) await clients[kind].query(config);
          const total = totals[kind];
          total.wall += Number(process.hrtime.bigint() - started) / 1e9;
          total.client += cpuNow() - clientBefore;
          total.backend += backendCpu(backends[kind]) - backendBefore;
          total.n += queries;
        }
      }
      const per = (t: typeof totals.tcp) => ({ client: t.client / t.n, backend: t.backend / t.n, rate: t.n / t.wall });
      const a = per(totals.tcp);
      const b = per(totals.unix);
      for (const [kind, m] of [['TCP', a], ['Unix', b]] as const) {
        const ratio = kind === 'Unix' ? ((b.client + b.backend) / (a.client + a.backend)).toFixed(2) : '';
        say(`| ${label} | ${kind} | ${m.rate.toFixed(0)} | ${m.client.toFixed(1)} | ${m.backend.toFixed(1)} | ${(m.client + m.backend).toFixed(1)} | ${ratio} |`);
      }
    }
    for (const client of Object.values(clients)) await client.end();
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (argv[0] === '--serve') await serve(argv[1]!);
else await main();
