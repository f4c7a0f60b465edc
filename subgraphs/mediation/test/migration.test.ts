import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dropDatabase, ensureDatabase, migrateDatabase, withDatabase } from '@hub/core';
import { uniqueDatabaseName } from '@hub/core/testing';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { mediationDatabase } from '../src/db/index.ts';

/**
 * The units-and-levels migration on a database of cases written before handling units existed: dispatched cases get a lead part for
 * their department's unit, standing where the case stands; escalated cases a supervision time limit.
 */
const MIGRATIONS = new URL('../src/db/migrations/', import.meta.url);
const folder = mkdtempSync(join(tmpdir(), 'mediation-migrations-'));
const url = withDatabase(inject('templateUrl'), uniqueDatabaseName('mediation_migrate'));
let database: ReturnType<typeof mediationDatabase.open> | undefined;

afterAll(async () => {
  await database?.close();
  await dropDatabase(url);
  rmSync(folder, { recursive: true, force: true });
});

/** The migrations folder as it stood before the named one (found by name, whatever its number): the journal cut before it. */
function migrationsBefore(tag: string): URL {
  cpSync(fileURLToPath(MIGRATIONS), folder, { recursive: true });
  const journalFile = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.endsWith(tag));
  expect(at).toBeGreaterThan(0);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  return pathToFileURL(`${folder}/`);
}

describe('the migration of handling units, levels and time limits', () => {
  it('carries existing cases over: a lead part per dispatched case, unit on the feed, a level, escalated time limits', async () => {
    await ensureDatabase(url);
    database = mediationDatabase.open(url);
    await migrateDatabase(database.db, migrationsBefore('_units_levels_time_limits'));
    const db = database.db;
    await db.execute(sql`insert into mediation_committees (organization_id, type, community_code) values ('MC320311001001001', 'COMMUNITY', '320311001001')`);
    const base = sql`'NEIGHBOURS', 'PARTY_APPLICATION', '320311001001001', '320311001001', '320311001000', 'MC320311001001001', '邻里纠纷', '2026-10-01T02:00:00Z'`;
    await db.execute(sql`insert into cases (id, category, source, grid_code, community_code, street_code, committee_id, summary, received_at,
        status, due_on, assigned_department, dispatched_at, acknowledged_at, resolved_at, escalated_at, version) values
      ('TJ3203110010010010001', ${base}, 'ACCEPTED', '2026-11-01', null, null, null, null, null, 2),
      ('TJ3203110010010010002', ${base}, 'DISPATCHED', '2026-10-20', 'HOUSING', '2026-10-02T02:00:00Z', null, null, null, 3),
      ('TJ3203110010010010003', ${base}, 'IN_PROGRESS', '2026-10-20', 'PUBLIC_SECURITY', '2026-10-02T02:00:00Z', '2026-10-03T02:00:00Z', null, null, 4),
      ('TJ3203110010010010004', ${base}, 'ESCALATED', '2026-10-20', 'MEDIATION', '2026-10-02T02:00:00Z', '2026-10-03T02:00:00Z', '2026-10-10T02:00:00Z', '2026-10-20T17:00:00Z', 7)`);
    await db.execute(sql`insert into case_events (case_id, case_version, action, from_status, to_status, at, actor_user_id, actor_role, grid_code, department, details) values
      ('TJ3203110010010010002', 3, 'DISPATCH', 'ACCEPTED', 'DISPATCHED', '2026-10-02T02:00:00Z', 'u', 'dispatcher', '320311001001001', 'HOUSING', '{}'),
      ('TJ3203110010010010002', 2, 'ACCEPT', 'REPORTED', 'ACCEPTED', '2026-10-01T03:00:00Z', 'u', 'dispatcher', '320311001001001', null, '{}')`);

    await migrateDatabase(db, MIGRATIONS);

    const { rows: caseRows } = await db.execute<{ id: string; lead_unit: string | null; dispatch_round: number; level: string; due_on: string }>(
      sql`select id, lead_unit, dispatch_round, level, due_on::text from cases order by id`,
    );
    expect(caseRows.map((r) => [r.id.slice(-1), r.lead_unit, r.dispatch_round, r.level, r.due_on])).toEqual([
      ['1', null, 0, 'COMMUNITY', '2026-11-01'],
      ['2', 'HOUSING', 1, 'COMMUNITY', '2026-10-20'],
      ['3', 'PUBLIC_SECURITY', 1, 'COMMUNITY', '2026-10-20'],
      // Escalated at 01:00 on 21 October in Beijing: its supervision limit is 15 days on, 5 November.
      ['4', 'MEDIATION', 1, 'COMMUNITY', '2026-11-05'],
    ]);
    const { rows: parts } = await db.execute<{ case_id: string; unit_code: string; role: string; status: string; round: number; ended: boolean }>(
      sql`select case_id, unit_code, role, status, round, ended_at is not null as ended from case_parts order by case_id`,
    );
    expect(parts.map((p) => [p.case_id.slice(-1), p.unit_code, p.role, p.status, p.round, p.ended])).toEqual([
      ['2', 'HOUSING', 'LEAD', 'DISPATCHED', 1, false],
      ['3', 'PUBLIC_SECURITY', 'LEAD', 'ACKNOWLEDGED', 1, false],
      ['4', 'MEDIATION', 'LEAD', 'FINISHED', 1, true],
    ]);
    const { rows: events } = await db.execute<{ action: string; unit_code: string | null }>(sql`select action, unit_code from case_events order by case_version`);
    expect(events).toEqual([
      { action: 'ACCEPT', unit_code: null },
      { action: 'DISPATCH', unit_code: 'HOUSING' },
    ]);
  });
});
