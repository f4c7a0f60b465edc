import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createAuditWriter } from '@hub/audit-trail';
import { auditDatabase } from '@hub/audit-trail/db';
import { operation } from '@hub/audit-trail/testing';
import { department, dropDatabase, ensureDatabase } from '@hub/core';
import { startTestPostgres, uniqueDatabaseName, type TestPostgres } from '@hub/core/testing';
import { builtEntry } from '@hub/hub/process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `npm run audit:verify` (and the nightly audit-verify image) over a trail of eight records, intact then altered. */
const COMMAND = builtEntry(fileURLToPath(new URL('../src/audit-verify.ts', import.meta.url)));
let server: TestPostgres;
let url = '';


beforeAll(async () => {
  server = await startTestPostgres();
  url = server.urlFor(department('audit'), uniqueDatabaseName('audit_verify_command'));
  await ensureDatabase(url);
  const database = auditDatabase.open(url, { max: 1 });
  try {
    await auditDatabase.migrate(database);
  } finally {
    await database.close();
  }
  const writer = createAuditWriter(url);
  try {
    for (let n = 1; n <= 8; n++) await writer.write(operation(n));
  } finally {
    await writer.close();
  }
});
afterAll(async () => {
  if (url) await dropDatabase(url);
  await server?.stop();
});

const run = () =>
  promisify(execFile)(process.execPath, [COMMAND], { env: { ...process.env, AUDIT_DATABASE_URL: url } }).then(
    ({ stdout }) => ({ code: 0, output: stdout }),
    (error: { code: number; stderr: string }) => ({ code: error.code, output: error.stderr }),
  );

describe('npm run audit:verify', () => {
  it('exits 0 on an intact chain and 1 naming the first broken record', async () => {
    expect(await run()).toMatchObject({ code: 0, output: expect.stringMatching(/intact, 8 records; head seq 8/) });
    // A superuser tampering with the trail: the append-only trigger off, one field changed, the trigger back on.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('ALTER TABLE audit_records DISABLE TRIGGER audit_records_no_update_delete');
      await client.query(`UPDATE audit_records SET purpose = 'statistics' WHERE seq = 3`);
      await client.query('ALTER TABLE audit_records ENABLE TRIGGER audit_records_no_update_delete');
    } finally {
      await client.end();
    }
    expect(await run()).toMatchObject({ code: 1, output: expect.stringMatching(/BROKEN at record seq 3: .*altered/) });
  });
});
