import { databaseUrlFromEnv, department, parsePort } from '@hub/core';
import { verifyAuditChain } from '@hub/audit-trail/verify';

/**
 * `npm run audit:verify`: verifies the audit chain of `AUDIT_DATABASE_URL`, or of the hub's embedded server when
 * that is unset (the demo started by `npm start`). Exit 0: intact; 1: broken, naming the first broken record;
 * 2: the database could not be read.
 */
const env = process.env;
const given = databaseUrlFromEnv(department('audit'), env);
const url =
  given ??
  `postgres://postgres:postgres@127.0.0.1:${parsePort('HUB_POSTGRES_PORT', env.HUB_POSTGRES_PORT, 54329)}/${department('audit').database}`;
const where = new URL(url);
const name = `${where.hostname}:${where.port || 5432}${where.pathname}`;

try {
  const verdict = await verifyAuditChain(url);
  if (verdict.ok) {
    console.log(
      verdict.records === 0
        ? `audit chain of ${name}: intact, no records yet`
        : `audit chain of ${name}: intact, ${verdict.records} records; head seq ${verdict.headSeq}, hash ${verdict.headHash}`,
    );
  } else {
    console.error(
      `audit chain of ${name}: BROKEN at record seq ${verdict.firstBrokenSeq}: ${verdict.reason} (${verdict.records} records before it intact)`,
    );
    process.exitCode = 1;
  }
} catch (error) {
  const hint = given ? '' : ' (is the hub running under `npm start`? otherwise set AUDIT_DATABASE_URL)';
  console.error(`audit chain of ${name}: could not be read: ${error instanceof Error ? error.message : String(error)}${hint}`);
  process.exitCode = 2;
}
