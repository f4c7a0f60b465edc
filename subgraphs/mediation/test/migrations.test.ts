import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dropDatabase, ensureDatabase, migrateDatabase, withDatabase } from '@hub/core';
import { uniqueDatabaseName } from '@hub/core/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { mediationDatabase } from '../src/db/index.ts';

const MIGRATIONS = new URL('../src/db/migrations/', import.meta.url);
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.allSettled(drops.map((drop) => drop()));
});

/** An empty database migrated with the migrations before `tag` only, as a deployment of that time had it. */
async function databaseBefore(tag: string) {
  const url = withDatabase(inject('templateUrl'), uniqueDatabaseName('mediation_upgrade'));
  await ensureDatabase(url);
  drops.push(() => dropDatabase(url));
  const before = await mkdtemp(path.join(tmpdir(), 'mediation-migrations-'));
  drops.push(() => rm(before, { recursive: true, force: true }));
  await cp(fileURLToPath(MIGRATIONS), before, { recursive: true });
  const journalFile = path.join(before, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.tag < tag);
  await writeFile(journalFile, JSON.stringify(journal));
  const database = mediationDatabase.open(url, { max: 1 });
  drops.unshift(() => database.close());
  await migrateDatabase(database.db, pathToFileURL(`${before}/`));
  return database;
}

describe('migration 0004 (lawful endings)', () => {
  it("turns departments' agreements into administrative mediation and keeps committees' agreements, performed or not", async () => {
    const database = await databaseBefore('0004');
    const q = (text: string, values: unknown[] = []) => database.pool.query(text, values);
    await q(`insert into mediation_committees (organization_id, type, community_code) values ('MC320311001001001', 'COMMUNITY', '320311001001')`);
    const grid = '320311001001001';
    const insertCase = (id: string, department: string | null, note: string | null) =>
      q(
        `insert into cases (id, category, source, grid_code, community_code, street_code, committee_id, status, outcome, summary, received_at,
           accepted_at, resolved_at, due_on, assigned_department, resolution_note)
         values ($1, 'NEIGHBOURS', 'PARTY_APPLICATION', $2, '320311001001', '320311001000', 'MC320311001001001', 'RESOLVED', 'AGREEMENT_REACHED',
           '楼上漏水', now(), now(), now(), '2026-12-01', $3, $4)`,
        [id, grid, department, note],
      );
    const insertAgreement = (caseId: string, terms: string, performed: boolean) =>
      q(`insert into agreements (case_id, reached_on, terms, perform_by, performed) values ($1, '2026-11-01', $2, '2026-11-30', $3)`, [caseId, terms, performed]);
    await insertCase(`TJ${grid}0001`, 'HOUSING', null);
    await insertAgreement(`TJ${grid}0001`, '物业三日内维修', true);
    await insertCase(`TJ${grid}0002`, 'PUBLIC_SECURITY', '双方当场和解');
    await insertAgreement(`TJ${grid}0002`, '赔偿修车费800元', false);
    await insertCase(`TJ${grid}0003`, 'MEDIATION', null);
    await insertAgreement(`TJ${grid}0003`, '互谅互让', true);
    await insertCase(`TJ${grid}0004`, 'MEDIATION', null);
    await insertAgreement(`TJ${grid}0004`, '分期还款', false);
    // Imported from a committee's files: never dispatched, the committee's own agreement.
    await insertCase(`TJ${grid}0005`, null, null);
    await insertAgreement(`TJ${grid}0005`, '退还押金', false);

    await mediationDatabase.migrate(database);

    const cases = await q(`select id, outcome, resolution_note from cases order by id`);
    expect(cases.rows).toEqual([
      { id: `TJ${grid}0001`, outcome: 'ADMINISTRATIVE_MEDIATION', resolution_note: '行政调解达成一致：物业三日内维修' },
      { id: `TJ${grid}0002`, outcome: 'ADMINISTRATIVE_MEDIATION', resolution_note: '双方当场和解；行政调解达成一致：赔偿修车费800元' },
      { id: `TJ${grid}0003`, outcome: 'AGREEMENT_REACHED', resolution_note: null },
      { id: `TJ${grid}0004`, outcome: 'AGREEMENT_REACHED', resolution_note: null },
      { id: `TJ${grid}0005`, outcome: 'AGREEMENT_REACHED', resolution_note: null },
    ]);
    const agreements = await q(`select case_id, form, terms, performance, facts, confirmation_applied_on from agreements order by case_id`);
    expect(agreements.rows).toEqual([
      { case_id: `TJ${grid}0003`, form: 'WRITTEN', terms: '互谅互让', performance: 'PERFORMED', facts: null, confirmation_applied_on: null },
      { case_id: `TJ${grid}0004`, form: 'WRITTEN', terms: '分期还款', performance: 'PENDING', facts: null, confirmation_applied_on: null },
      { case_id: `TJ${grid}0005`, form: 'WRITTEN', terms: '退还押金', performance: 'PENDING', facts: null, confirmation_applied_on: null },
    ]);
    // The new statuses are usable once migrated.
    await q(`update cases set status = 'TERMINATED', outcome = 'MEDIATION_FAILED', informed_channels = '{JUDICIAL,ARBITRATION}' where id = $1`, [`TJ${grid}0004`]);
    expect((await q(`select informed_channels::text from cases where id = $1`, [`TJ${grid}0004`])).rows[0]).toEqual({ informed_channels: '{JUDICIAL,ARBITRATION}' });
  });
});

describe('migration 0006 (satisfaction levels)', () => {
  it('maps satisfied visits to 满意 and the others to 不满意, leaving channel and party unknown', async () => {
    const database = await databaseBefore('0006');
    const q = (text: string, values: unknown[] = []) => database.pool.query(text, values);
    await q(`insert into mediation_committees (organization_id, type, community_code) values ('MC320311001001001', 'COMMUNITY', '320311001001')`);
    const id = 'TJ3203110010010010001';
    await q(
      `insert into cases (id, category, source, grid_code, community_code, street_code, committee_id, status, outcome, summary, received_at, due_on)
       values ($1, 'NEIGHBOURS', 'PARTY_APPLICATION', '320311001001001', '320311001001', '320311001000', 'MC320311001001001', 'RESOLVED', 'HANDLED_BY_DEPARTMENT', '噪音', now(), '2026-12-01')`,
      [id],
    );
    await q(`insert into follow_ups (case_id, position, visited_on, satisfied, note) values ($1, 1, '2026-11-02', false, '不满意'), ($1, 2, '2026-11-09', true, '满意')`, [id]);
    await mediationDatabase.migrate(database);
    const { rows } = await q(`select position, level, channel, asked_party, visited_by from follow_ups order by position`);
    expect(rows).toEqual([
      { position: 1, level: 'DISSATISFIED', channel: null, asked_party: null, visited_by: null },
      { position: 2, level: 'SATISFIED', channel: null, asked_party: null, visited_by: null },
    ]);
  });
});

describe('migration 0008 (supervision notices addressed to units, parts ended with their dispatch)', () => {
  it('addresses each notice to the lead unit of the dispatch it was issued in, else the department it named, else the centre; ends parts a case left open', async () => {
    const database = await databaseBefore('0008');
    const q = (text: string, values: unknown[] = []) => database.pool.query(text, values);
    await q(`insert into mediation_committees (organization_id, type, community_code) values ('MC320311001001001', 'COMMUNITY', '320311001001')`);
    const ids = ['TJ3203110010010010001', 'TJ3203110010010010002', 'TJ3203110010010010003'] as const;
    for (const id of ids) {
      await q(
        `insert into cases (id, category, source, grid_code, community_code, street_code, committee_id, status, summary, received_at, due_on)
         values ($1, 'NEIGHBOURS', 'PARTY_APPLICATION', '320311001001001', '320311001001', '320311001000', 'MC320311001001001', 'IN_PROGRESS', '噪音', '2026-11-01T02:00:00Z', '2026-11-20')`,
        [id],
      );
    }
    // 1: led by a station outside the hub (its notice had no department); 3: a notice before its dispatch, one during.
    await q(
      `insert into case_parts (case_id, round, unit_code, role, status, due_on, dispatched_at) values
         ($1, 1, 'URBAN_MANAGEMENT', 'LEAD', 'ACKNOWLEDGED', '2026-11-20', '2026-11-02T02:00:00Z'),
         ($2, 1, 'HOUSING', 'LEAD', 'ACKNOWLEDGED', '2026-11-20', '2026-11-05T02:00:00Z')`,
      [ids[0], ids[2]],
    );
    const notice = (caseId: string, kind: string, department: string | null, issuedAt: string) =>
      q(`insert into supervision_notices (case_id, kind, issuer, department, due_on, reason, issued_at) values ($1, $2, 'SYSTEM', $3, '2026-11-20', '督办', $4)`, [caseId, kind, department, issuedAt]);
    // 2: terminated while its dispatch was open, before endings ended the parts: its part is left open.
    await q(`update cases set status = 'TERMINATED', closed_at = '2026-11-25T02:00:00Z', dispatch_round = 1 where id = $1`, [ids[1]]);
    await q(`update cases set dispatch_round = 1 where id in ($1, $2)`, [ids[0], ids[2]]);
    await q(`insert into case_parts (case_id, round, unit_code, role, status, due_on, dispatched_at) values ($1, 1, 'PARTY', 'LEAD', 'ACKNOWLEDGED', '2026-11-20', '2026-11-22T02:00:00Z')`, [ids[1]]);
    await notice(ids[0], 'YELLOW', null, '2026-11-21T02:00:00Z');
    await notice(ids[1], 'YELLOW', 'HOUSING', '2026-11-21T02:00:00Z');
    await notice(ids[2], 'WARNING', null, '2026-11-03T02:00:00Z');
    await notice(ids[2], 'YELLOW', 'HOUSING', '2026-11-21T02:00:00Z');
    await mediationDatabase.migrate(database);
    const { rows } = await q(`select case_id, kind, unit_code from supervision_notices order by case_id, kind`);
    expect(rows).toEqual([
      { case_id: ids[0], kind: 'YELLOW', unit_code: 'URBAN_MANAGEMENT' },
      { case_id: ids[1], kind: 'YELLOW', unit_code: 'HOUSING' },
      { case_id: ids[2], kind: 'WARNING', unit_code: null },
      { case_id: ids[2], kind: 'YELLOW', unit_code: 'HOUSING' },
    ]);
    const parts = await q(`select case_id, status, ended_at from case_parts order by case_id`);
    expect(parts.rows).toEqual([
      { case_id: ids[0], status: 'ACKNOWLEDGED', ended_at: null },
      { case_id: ids[1], status: 'SUPERSEDED', ended_at: new Date('2026-11-25T02:00:00Z') },
      { case_id: ids[2], status: 'ACKNOWLEDGED', ended_at: null },
    ]);
  });
});
