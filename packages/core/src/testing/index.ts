import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databaseUrlFromEnv } from '../config.ts';
import { departments, type Department } from '../departments.ts';
import { dropDatabase, ensureDatabase, startEmbeddedPostgres, withDatabase, databaseName } from '../postgres/embedded.ts';

export interface TestPostgres {
  /** URL of a database named `name` on the server the department's tests use. */
  urlFor(dept: Department, name: string): string;
  stop(): Promise<void>;
}

/**
 * The server tests run against: a throwaway embedded PostgreSQL in a temporary folder, or, when a department's
 * `<DEPT>_DATABASE_URL` is set (CI's second run, on Debian's server), that URL's server. Tests only ever create
 * databases of their own there, with names unique to the run, and drop them afterwards.
 */
export async function startTestPostgres(env: NodeJS.ProcessEnv = process.env): Promise<TestPostgres> {
  const external = new Map<string, string | undefined>(departments.map((d) => [d.name, databaseUrlFromEnv(d, env)]));
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | null = null;
  let dataDir: string | null = null;
  if ([...external.values()].some((u) => !u)) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hub-test-pg-'));
    // The server may run as another user (`postgres`, when tests run as root): let it reach its data folder.
    await chmod(dataDir, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'data'), ephemeral: true });
  }
  return {
    urlFor: (dept, name) => withDatabase(external.get(dept.name) ?? embedded!.url('postgres'), name),
    stop: async () => {
      await embedded?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A unique, valid database name for this run. */
export function uniqueDatabaseName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
}

/**
 * A fresh database copied from a template: each test file gets its own in a fraction of a second, and writes in one
 * file never leak into another.
 */
export async function cloneDatabase(templateUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const url = withDatabase(templateUrl, uniqueDatabaseName(databaseName(templateUrl).slice(0, 30)));
  for (let attempt = 0; ; attempt++) {
    try {
      await ensureDatabase(url, databaseName(templateUrl));
      break;
    } catch (error) {
      // Two clones of one template started at the same instant can see each other as "other users" of it.
      if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((r) => setTimeout(r, 50 + attempt * 50));
    }
  }
  return { url, drop: () => dropDatabase(url) };
}
export * from './graphql.ts';
export * from './access.ts';
export * from './tracing.ts';
export * from './subgraph.ts';
