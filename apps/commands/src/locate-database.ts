import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { databaseUrlFromEnv, department, ensureDatabase, parsePort, startEmbeddedPostgres, type PostgresServer } from '@hub/core';
import { departmentRuntimes } from '@hub/hub/departments';

export interface OpenedDepartment {
  pool: pg.Pool;
  close(): Promise<void>;
}

/** Opens a department's database and applies its migrations. */
export async function openDepartmentDatabase(name: string, url: string): Promise<OpenedDepartment> {
  const runtime = departmentRuntimes.find((r) => r.name === name);
  if (!runtime || (await runtime.importEntities()).length === 0) throw new Error(`no importable entities for department ${name}`);
  // An import may meet a database older than this code (the import-record table came later): bring it up to date.
  return runtime.connect(url, { max: 4, applicationName: 'hub-import' });
}

const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../.data/postgres', import.meta.url));

/**
 * Where a department's database is: `<DEPT>_DATABASE_URL` when set; otherwise the embedded server `npm start`
 * runs (HUB_POSTGRES_PORT, 54329 by default), started here on its data folder when the hub is not running.
 */
export async function locateDatabase(departmentName: string, env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; server: PostgresServer | null }> {
  const dept = department(departmentName);
  const given = databaseUrlFromEnv(dept, env);
  if (given) return { url: given, server: null };
  const port = parsePort('HUB_POSTGRES_PORT', env.HUB_POSTGRES_PORT, 54329);
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/${dept.database}`;
  if (await reachable(url)) return { url, server: null };
  const server = await startEmbeddedPostgres({ dataDir: path.resolve(env.HUB_DATA_DIR || DEFAULT_DATA_DIR), port });
  try {
    await ensureDatabase(server.url(dept.database));
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: server.url(dept.database), server };
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: new URL('/postgres', url).toString(), connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}
