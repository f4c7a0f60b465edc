import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { postGraphQL } from '@hub/core/testing';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { grids, idOf } from './world.ts';

/** Every operation through the gateway leaves a record in the audit trail, and tampering with one is found. */
let hub: TestHub;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
});
afterAll(async () => {
  await hub?.close();
});

const keyPerson = grids.flatMap((g) => g.publicSecurity.keyPersons)[0]!;

interface AuditRow {
  seq: string;
  userId: string | null;
  role: string | null;
  purpose: string | null;
  eventType: string;
  operationName: string | null;
  variables: string;
  categories: string[];
  residentIds: string[];
  outcome: string;
  errorCodes: string[];
}

async function trail(userId: string): Promise<AuditRow[]> {
  const token = await hub.tokenFor('auditor');
  const response = await postGraphQL<{ auditRecords: { edges: { node: AuditRow }[] } }>(
    hub.gatewayUrl,
    `query ($u: String) { auditRecords(userId: $u, first: 100) { edges { node { seq userId role purpose eventType operationName variables categories residentIds outcome errorCodes } } } }`,
    { u: userId },
    // Reading the trail is itself purpose-bound (@policy purpose:audit).
    { authorization: `Bearer ${token}`, 'x-hub-purpose': 'audit' },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.auditRecords.edges.map((e) => e.node);
}

describe('the audit trail', () => {
  it('records each operation: who, why, what, the sensitive categories and residents it returned, and the outcome', async () => {
    const token = await hub.tokenFor('police-officer', { sub: 'officer-0042' });
    const headers = { authorization: `Bearer ${token}`, 'x-hub-purpose': 'public-safety' };
    const answer = await postGraphQL(
      hub.gatewayUrl,
      `query KeyPersonLookup($n: String!) { residentByIdNumber(idNumber: $n) { id idNumber keyPerson { category } homes { role } } }`,
      { n: keyPerson.idNumber },
      headers,
    );
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']); // homes needs housing:read
    const [record] = await trail('officer-0042');
    expect(record).toMatchObject({
      userId: 'officer-0042',
      role: 'police-officer',
      purpose: 'public-safety',
      eventType: 'OPERATION',
      operationName: 'KeyPersonLookup',
      categories: expect.arrayContaining(['identity', 'key-person']),
      residentIds: [idOf(keyPerson.idNumber)],
      outcome: 'PARTIAL',
      errorCodes: ['FORBIDDEN'],
    });
    // The ID number given as a variable is kept masked, never in clear.
    expect(record!.variables).not.toContain(keyPerson.idNumber);
    expect(record!.variables).toContain(keyPerson.idNumber.slice(0, 6));
  });

  it('records a refused token too', async () => {
    const expired = await hub.tokenFor('administrator', { sub: 'late-admin' }, { issuedAt: -7200, expiresIn: -3600 });
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${expired}` },
      body: JSON.stringify({ query: '{ district { name } }' }),
    });
    expect(response.status).toBe(401);
    // The expired token's subject is not verified, so it is recorded as a claim, not as the caller.
    const [record] = await trail('claimed:late-admin');
    expect(record).toMatchObject({ eventType: 'TOKEN_REFUSED', outcome: 'DENIED', errorCodes: ['TOKEN_EXPIRED'] });
  });

  it('is verified whole, and the verify command names the first record someone changed', async () => {
    const verify = () =>
      spawnSync('npm', ['run', '-s', 'audit:verify'], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: { ...process.env, AUDIT_DATABASE_URL: hub.auditUrl },
        encoding: 'utf8',
      });
    const intact = verify();
    expect(intact.status).toBe(0);
    const client = new pg.Client({ connectionString: hub.auditUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ seq: string }>("SELECT seq::text FROM audit_records WHERE user_id = 'officer-0042' LIMIT 1");
      const seq = rows[0]!.seq;
      await client.query('ALTER TABLE audit_records DISABLE TRIGGER audit_records_no_update_delete');
      await client.query("UPDATE audit_records SET outcome = 'SUCCESS' WHERE seq = $1", [seq]);
      await client.query('ALTER TABLE audit_records ENABLE TRIGGER audit_records_no_update_delete');
      const broken = verify();
      expect(broken.status).toBe(1);
      expect(`${broken.stdout}${broken.stderr}`).toContain(seq);
    } finally {
      await client.end();
    }
  });
});
