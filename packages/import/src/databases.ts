import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  databaseUrlFromEnv,
  department,
  ensureDatabase,
  parsePort,
  startEmbeddedPostgres,
  type DepartmentDatabase,
  type OpenDatabaseOptions,
  type PostgresServer,
} from '@hub/core';
import { civilAffairsDatabase } from '@hub/civil-affairs/db';
import { housingDatabase } from '@hub/housing/db';
import { mediationDatabase } from '@hub/mediation/db';
import { partyDatabase } from '@hub/party/db';
import { publicSecurityDatabase } from '@hub/public-security/db';

interface DefinedDatabase<TSchema extends Record<string, unknown>> {
  open(url: string, options?: OpenDatabaseOptions): DepartmentDatabase<TSchema>;
  migrate(database: DepartmentDatabase<TSchema>): Promise<void>;
}

export interface OpenedDepartment {
  pool: pg.Pool;
  close(): Promise<void>;
}

async function openAndMigrate<TSchema extends Record<string, unknown>>(definition: DefinedDatabase<TSchema>, url: string): Promise<OpenedDepartment> {
  const database = definition.open(url, { max: 4, applicationName: 'hub-import' });
  try {
    // An import may meet a database older than this code (the import-record table came later): bring it up to date.
    await definition.migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/** Opens a department's database and applies its migrations. */
export function openDepartmentDatabase(name: string, url: string): Promise<OpenedDepartment> {
  switch (name) {
    case 'public-security':
      return openAndMigrate(publicSecurityDatabase, url);
    case 'civil-affairs':
      return openAndMigrate(civilAffairsDatabase, url);
    case 'party':
      return openAndMigrate(partyDatabase, url);
    case 'housing':
      return openAndMigrate(housingDatabase, url);
    case 'mediation':
      return openAndMigrate(mediationDatabase, url);
    default:
      throw new Error(`no importable entities for department ${name}`);
  }
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
