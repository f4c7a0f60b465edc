import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { department, dropDatabase, ensureDatabase, freePort, generateSigningKeyPair, publicPem, withDatabase } from '@hub/core';
import { startTestPostgres, uniqueDatabaseName, type TestPostgres } from '@hub/core/testing';
// The audit trail's own code, through the package specifiers of @hub/audit-trail: the database and its migrations, the
// writer the gateway runs, and the verifier the nightly audit-verify runs.
import { auditDatabase } from '@hub/audit-trail/db';
import { verifyAuditChain } from '@hub/audit-trail/verify';
import { createAuditWriter } from '@hub/audit-trail';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * deploy/sql/audit-roles.sql on a real server: AUDIT_DATABASE_URL's when it is set (CI's run on Debian's
 * PostgreSQL), else a throwaway embedded one. A database and three roles of this run's own (the script's role names
 * with a unique infix: roles belong to the whole server), dropped afterwards.
 */
const SCRIPT_FILE = fileURLToPath(new URL('../deploy/sql/audit-roles.sql', import.meta.url));
const ROLE = /\bhub_audit_(migrator|writer|reader|department_writer)\b/g;

type Role = 'migrator' | 'writer' | 'reader' | 'department_writer';
const infix = `t${process.pid}${randomBytes(3).toString('hex')}`;
const roleName = (role: Role) => `hub_audit_${infix}_${role}`;
const password = randomBytes(12).toString('hex');
const script = readFileSync(SCRIPT_FILE, 'utf8').replace(ROLE, (_match, role: Role) => roleName(role));

const ROLES = ['migrator', 'writer', 'reader', 'department_writer'] as const;

let server: TestPostgres | undefined;
/** The fresh database, as the server's superuser. */
let adminUrl = '';
const urlAs = (role: Role, databaseUrl = adminUrl) => {
  const url = new URL(databaseUrl);
  url.username = roleName(role);
  url.password = password;
  return url.toString();
};

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** The script as psql would run it: one simple-protocol query of every statement, as the superuser. */
async function applyScript(databaseUrl = adminUrl): Promise<string[]> {
  return withClient(databaseUrl, async (client) => {
    const notices: string[] = [];
    client.on('notice', (notice) => notices.push(notice.message ?? ''));
    await client.query(script);
    for (const role of ROLES) await client.query(`ALTER ROLE ${roleName(role)} PASSWORD '${password}'`);
    return notices;
  });
}

/** Runs `statement` as `role` and answers PostgreSQL's refusal (the test fails if it is accepted). */
async function refusal(role: Role, statement: string): Promise<string> {
  return withClient(urlAs(role), async (client) => {
    try {
      await client.query(statement);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    throw new Error(`${role} was allowed: ${statement}`);
  });
}

const record = (n: number) => ({
  userId: `user-${n}`,
  role: 'police-officer',
  department: 'public-security',
  purpose: 'public-safety',
  eventType: 'OPERATION' as const,
  operationName: 'ResidentProfile',
  document: `query ResidentProfile { resident(id: "${n}") { name } }`,
  variables: { n },
  categories: ['identity'],
  residentIds: [randomBytes(16).toString('hex')],
  outcome: 'SUCCESS' as const,
});

let notices: string[][] = [];

beforeAll(async () => {
  expect(new Set([...readFileSync(SCRIPT_FILE, 'utf8').matchAll(ROLE)].map((m) => m[1])), 'the script names the four roles').toEqual(new Set(ROLES));
  const name = uniqueDatabaseName('deploy_audit_roles');
  if (process.env.AUDIT_DATABASE_URL) {
    adminUrl = withDatabase(process.env.AUDIT_DATABASE_URL, name);
  } else {
    server = await startTestPostgres();
    adminUrl = server.urlFor(department('audit'), name);
  }
  await ensureDatabase(adminUrl);
  // The order of an install: the roles and the ownership, the audit subgraph's migrations as the migrator, then the
  // script again for the grants on the tables they created.
  notices.push(await applyScript());
  const migrator = auditDatabase.open(urlAs('migrator'), { max: 1 });
  try {
    await auditDatabase.migrate(migrator);
  } finally {
    await migrator.close();
  }
  notices.push(await applyScript());
  notices.push(await applyScript());
});

/** A second database, for the audit subgraph started as the manifests deploy it. */
let deployedUrl = '';

afterAll(async () => {
  if (deployedUrl) await dropDatabase(deployedUrl);
  if (adminUrl) {
    await dropDatabase(adminUrl);
    await withClient(withDatabase(adminUrl, 'postgres'), async (client) => {
      for (const role of ['writer', 'department_writer', 'reader', 'migrator'] as const) await client.query(`DROP ROLE IF EXISTS ${roleName(role)}`);
    });
  }
  await server?.stop();
});

describe('the audit database roles (deploy/sql/audit-roles.sql)', () => {
  it('runs before the first migration, after it, and again without change', async () => {
    expect(notices[0]!.join('\n')).toMatch(/audit_records does not exist yet/);
    expect(notices[1]).toEqual([]);
    expect(notices[2]).toEqual([]);
    const owners = await withClient(adminUrl, async (client) => {
      const { rows } = await client.query<{ what: string; owner: string }>(`
        SELECT 'database' AS what, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()
        UNION ALL SELECT 'schema ' || nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname IN ('public', 'drizzle')
        UNION ALL SELECT 'table ' || tablename, tableowner FROM pg_tables WHERE schemaname IN ('public', 'drizzle')
        ORDER BY 1`);
      return rows;
    });
    expect(owners.map((o) => o.what)).toEqual(expect.arrayContaining(['database', 'schema public', 'schema drizzle', 'table audit_records', 'table __drizzle_migrations']));
    for (const { what, owner } of owners) expect(owner, what).toBe(roleName('migrator'));
  });

  it('lets the gateway append records as the writer, and the chain verifies as the reader', async () => {
    const writer = createAuditWriter(urlAs('writer'));
    try {
      // Two in one tick share a transaction; the third extends the chain from the head the writer reads.
      const first = await Promise.all([writer.write(record(1)), writer.write(record(2))]);
      const third = await writer.write(record(3));
      expect([...first, third].map((a) => a.seq)).toEqual([1, 2, 3]);
    } finally {
      await writer.close();
    }
    // A second writer (another gateway replica) finds the head and goes on from it; it sends its batch as a parameter
    // under the lock, as a column page's large record goes, with the writer's grants alone.
    const other = createAuditWriter(urlAs('writer'), { inlineLimit: 0 });
    try {
      expect((await other.write(record(4))).seq).toBe(4);
    } finally {
      await other.close();
    }
    expect(await verifyAuditChain(urlAs('reader'))).toMatchObject({ ok: true, records: 4, headSeq: 4 });
  });

  it('lets a department append its own kinds of record, as another writer of the one chain, and nothing else', async () => {
    const department = createAuditWriter(urlAs('department_writer'));
    try {
      const refused = await department.write({ eventType: 'INTERNAL_TOKEN_REFUSED', outcome: 'DENIED', errorCodes: ['INTERNAL_TOKEN_REPLAYED'], details: { subgraph: 'housing', reason: 'replay' } });
      const notice = await department.write({ eventType: 'SYSTEM_WRITE', userId: 'system', outcome: 'SUCCESS', details: { caseId: 'c-1' } });
      expect([refused.seq, notice.seq]).toEqual([5, 6]);
      // A person's read or write is the gateway's to record: the row-level policy refuses it from a department.
      await expect(department.write(record(7))).rejects.toThrow(/row-level security/);
    } finally {
      await department.close();
    }
    for (const statement of [`UPDATE audit_records SET role = 'x'`, `DELETE FROM audit_records`, `TRUNCATE audit_records`, `SELECT user_id FROM audit_records`, `ALTER TABLE audit_records DISABLE ROW LEVEL SECURITY`, `DROP POLICY audit_records_department_append ON audit_records`]) {
      expect(await refusal('department_writer', statement), statement).toMatch(/permission denied|must be owner/);
    }
    // The gateway's writer goes on from the department's records.
    const gateway = createAuditWriter(urlAs('writer'));
    try {
      expect((await gateway.write(record(8))).seq).toBe(7);
    } finally {
      await gateway.close();
    }
    expect(await verifyAuditChain(urlAs('reader'))).toMatchObject({ ok: true, records: 7, headSeq: 7 });
  });

  it('does not let the writer change, remove or hide a record, nor read one', async () => {
    const denied = /permission denied|must be owner/;
    for (const statement of [
      `UPDATE audit_records SET role = 'x'`,
      `UPDATE audit_records SET role = 'x' WHERE false`,
      `DELETE FROM audit_records`,
      `TRUNCATE audit_records`,
      `ALTER TABLE audit_records DISABLE TRIGGER audit_records_no_update_delete`,
      `ALTER TABLE audit_records DISABLE TRIGGER ALL`,
      `DROP TRIGGER audit_records_no_truncate ON audit_records`,
      `DROP TABLE audit_records`,
      `ALTER TABLE audit_records RENAME TO audit_records_old`,
      // Replica mode skips ordinary triggers: only a superuser may set it.
      `SET session_replication_role = replica`,
      `SELECT user_id, resident_ids FROM audit_records`,
      `SELECT * FROM demo_seed`,
      `SELECT * FROM drizzle.__drizzle_migrations`,
    ]) {
      const message = await refusal('writer', statement);
      expect(message, statement).toMatch(denied);
      // Refused for want of the privilege, not by the trigger (that one says "append-only").
      expect(message, statement).not.toMatch(/append-only/);
    }
    expect(await verifyAuditChain(urlAs('reader'))).toMatchObject({ ok: true, records: 7 });
  });

  it('does not let the writer create anything', async () => {
    for (const statement of [
      `CREATE TABLE public.shadow (id int)`,
      `CREATE TABLE shadow (id int)`,
      `CREATE TEMPORARY TABLE shadow (id int)`,
      `CREATE SCHEMA shadow`,
      `CREATE FUNCTION public.shadow() RETURNS int LANGUAGE sql AS 'select 1'`,
      `CREATE VIEW public.shadow AS SELECT 1`,
      `CREATE TYPE public.shadow AS ENUM ('a')`,
      `CREATE INDEX shadow ON audit_records (seq)`,
    ]) {
      expect(await refusal('writer', statement), statement).toMatch(/permission denied|must be owner/);
    }
  });

  it('lets the reader read and nothing else', async () => {
    const count = await withClient(urlAs('reader'), async (client) => (await client.query<{ n: string }>('SELECT count(*) AS n FROM audit_records')).rows[0]!.n);
    expect(count).toBe('7');
    for (const statement of [
      `INSERT INTO audit_records (id, occurred_at, event_type, categories, resident_ids, outcome, error_codes, previous_hash, hash)
         VALUES (gen_random_uuid(), now(), 'OPERATION', '{}', '{}', 'SUCCESS', '{}', repeat('a', 64), repeat('b', 64))`,
      `UPDATE audit_records SET role = 'x'`,
      `DELETE FROM audit_records`,
      `TRUNCATE audit_records`,
      `ALTER TABLE audit_records DISABLE TRIGGER ALL`,
      `CREATE TABLE public.shadow (id int)`,
      `CREATE TEMPORARY TABLE shadow (id int)`,
    ]) {
      const message = await refusal('reader', statement);
      expect(message, statement).toMatch(/permission denied|must be owner/);
      expect(message, statement).not.toMatch(/append-only/);
    }
  });

  it('leaves the migrator, the owner, facing the triggers (it could disable them: no workload but the migration has it)', async () => {
    expect(await refusal('migrator', `UPDATE audit_records SET role = 'x'`)).toMatch(/append-only/);
    expect(await refusal('migrator', `DELETE FROM audit_records`)).toMatch(/append-only/);
    expect(await refusal('migrator', `TRUNCATE audit_records`)).toMatch(/append-only/);
  });
});

describe('an install from before the roles (one credential for everything)', () => {
  it('hands every object to the migrator, and the writer and reader work', async () => {
    const name = uniqueDatabaseName('deploy_audit_legacy');
    const legacyUrl = withDatabase(adminUrl, name);
    await ensureDatabase(legacyUrl);
    try {
      // Migrated by the superuser, as a single hub user would have.
      const legacy = auditDatabase.open(legacyUrl, { max: 1 });
      try {
        await auditDatabase.migrate(legacy);
      } finally {
        await legacy.close();
      }
      await withClient(legacyUrl, (client) => client.query(script));
      const owners = await withClient(legacyUrl, async (client) => {
        const { rows } = await client.query<{ owner: string }>(`
          SELECT pg_get_userbyid(relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname IN ('public', 'drizzle') AND c.relkind IN ('r', 'S', 'i')
          UNION SELECT pg_get_userbyid(typowner) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = 'public' AND t.typtype = 'e'
          UNION SELECT pg_get_userbyid(proowner) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
          UNION SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname IN ('public', 'drizzle')`);
        return rows.map((r) => r.owner);
      });
      expect(owners).toEqual([roleName('migrator')]);
      const asRole = (role: Role) => withDatabase(urlAs(role), name);
      const writer = createAuditWriter(asRole('writer'));
      try {
        expect((await writer.write(record(1))).seq).toBe(1);
      } finally {
        await writer.close();
      }
      expect(await verifyAuditChain(asRole('reader'))).toMatchObject({ ok: true, records: 1 });
      // The migrator can still migrate it (nothing pending: the lock and the bookkeeping table are its own).
      const migrator = auditDatabase.open(asRole('migrator'), { max: 1 });
      try {
        await auditDatabase.migrate(migrator);
      } finally {
        await migrator.close();
      }
    } finally {
      await dropDatabase(legacyUrl);
    }
  });
});

describe('the audit subgraph as base/audit.yaml deploys it', () => {
  /** Starts the audit subgraph's bundle (what its image runs) and answers how it ended or that /health said 200. */
  async function start(env: Record<string, string>): Promise<'healthy' | { exit: number | null; output: string }> {
    const port = await freePort();
    const child = spawn(process.execPath, [fileURLToPath(new URL('../subgraphs/audit/dist/index.js', import.meta.url))], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', AUDIT_PORT: String(port), HUB_INTERNAL_PUBLIC_KEY: publicPem(generateSigningKeyPair().publicKey), HUB_SECRET: randomBytes(32).toString('hex'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) return { exit: child.exitCode, output };
        if ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok) return 'healthy';
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the audit subgraph neither became healthy nor exited within 60 s:\n${output}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    }
  }

  it('migrates through AUDIT_MIGRATION_DATABASE_URL as the migrator and serves as the reader, which alone could not', async () => {
    deployedUrl = withDatabase(adminUrl, uniqueDatabaseName('deploy_audit_subgraph'));
    await ensureDatabase(deployedUrl);
    await applyScript(deployedUrl);
    // The reader alone cannot create the trail's tables: the service stops instead of serving an unmigrated database.
    const alone = await start({ AUDIT_DATABASE_URL: urlAs('reader', deployedUrl) });
    expect(alone).toMatchObject({ exit: 1 });
    expect(await start({ AUDIT_DATABASE_URL: urlAs('reader', deployedUrl), AUDIT_MIGRATION_DATABASE_URL: urlAs('migrator', deployedUrl) })).toBe('healthy');
    const owner = await withClient(deployedUrl, async (client) => (await client.query("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_records'")).rows[0]?.tableowner);
    expect(owner).toBe(roleName('migrator'));
    // The grants on the tables the migration made, as an install runs the script again; then the reader reads them.
    await applyScript(deployedUrl);
    expect(await withClient(urlAs('reader', deployedUrl), async (client) => Number((await client.query('SELECT count(*) FROM audit_records')).rows[0].count))).toBe(0);
  });
});
