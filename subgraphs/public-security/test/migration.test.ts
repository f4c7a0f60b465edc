/**
 * The people migration (0002) carries a register kept before it: residents get their 人户分离 status, the household
 * column becomes household records, tenants a tenure, key persons their first special group and officer.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dropDatabase, ensureDatabase, migrateDatabase, withDatabase } from '@hub/core';
import { uniqueDatabaseName } from '@hub/core/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { publicSecurityDatabase, type PublicSecurityDatabase } from '../src/db/index.ts';

const migrations = new URL('../src/db/migrations/', import.meta.url);
let url: string;
let database: PublicSecurityDatabase;
let before: string;

beforeAll(async () => {
  url = withDatabase(inject('templateUrl'), uniqueDatabaseName('ps_migration'));
  await ensureDatabase(url);
  database = publicSecurityDatabase.open(url);
  // The migrations as they stood before the people migration: the first two of the journal.
  before = await mkdtemp(path.join(tmpdir(), 'ps-migrations-'));
  await cp(fileURLToPath(migrations), before, { recursive: true });
  const journal = JSON.parse(await readFile(path.join(before, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.tag === '0000_init' || e.tag === '0001_import_runs');
  expect(journal.entries).toHaveLength(2);
  await writeFile(path.join(before, 'meta/_journal.json'), JSON.stringify(journal));
});

afterAll(async () => {
  await database?.close();
  if (url) await dropDatabase(url);
  if (before) await rm(before, { recursive: true, force: true });
});

describe('the people migration on an existing register', () => {
  it('gives old rows sensible values and loses none', async () => {
    await migrateDatabase(database.db, pathToFileURL(`${before}/`));
    const q = (sql: string, params: unknown[] = []) => database.pool.query(sql, params);
    await q(`INSERT INTO residents (id, id_number, name, sex, birth_date, phone, population_type, registered_address, house_code, grid_code, household_id, relation_to_head) VALUES
      ('a0000000000000000000000000000001', '11010519491231002X', '张三', 'FEMALE', '1949-12-31', '13800138000', 'REGISTERED', '江苏省徐州市泉山区和平路1号', '32031100100100001-01-0101', '320311001001001', 'H1', 'SELF'),
      ('a0000000000000000000000000000002', '110105200001010018', '张小', 'MALE', '2000-01-01', NULL, 'REGISTERED', '江苏省徐州市泉山区和平路1号', '32031100100100001-01-0101', '320311001001001', 'H1', 'CHILD'),
      ('a0000000000000000000000000000003', '341322199001010012', '李四', 'MALE', '1990-01-01', NULL, 'FLOATING', '安徽省宿州市萧县', '32031100100100001-01-0102', '320311001001001', 'H2', 'SELF'),
      ('a0000000000000000000000000000004', '341322199201010010', '王五', 'MALE', '1992-01-01', NULL, 'FLOATING', '安徽省宿州市萧县', '32031100100100001-01-0102', '320311001001001', 'H2', 'TENANT'),
      ('a0000000000000000000000000000005', '320311201501010011', '赵六', 'MALE', '2015-01-01', NULL, 'UNSETTLED', NULL, '32031100100100001-01-0101', '320311001001001', NULL, 'SELF')`);
    await q(`INSERT INTO key_persons (id, resident_id, grid_code, category, risk_level, officer_name, officer_badge, plan, since) VALUES
      ('ZD320311001001001001', 'a0000000000000000000000000000003', '320311001001001', 'DRUG_USER', 'LOW', '陈警官', '012345', '每月见面', '2024-01-01')`);

    await publicSecurityDatabase.migrate(database);

    const residents = await q('SELECT id, id_number, document_type, nationality, residence_status, tenure, relation_to_head FROM residents ORDER BY id');
    expect(residents.rows).toEqual([
      { id: 'a0000000000000000000000000000001', id_number: '11010519491231002X', document_type: 'ID_CARD', nationality: 'CHN', residence_status: 'RESIDENT_AND_REGISTERED', tenure: null, relation_to_head: 'SELF' },
      { id: 'a0000000000000000000000000000002', id_number: '110105200001010018', document_type: 'ID_CARD', nationality: 'CHN', residence_status: 'RESIDENT_AND_REGISTERED', tenure: null, relation_to_head: 'CHILD' },
      { id: 'a0000000000000000000000000000003', id_number: '341322199001010012', document_type: 'ID_CARD', nationality: 'CHN', residence_status: 'RESIDENT_NOT_REGISTERED', tenure: null, relation_to_head: 'SELF' },
      { id: 'a0000000000000000000000000000004', id_number: '341322199201010010', document_type: 'ID_CARD', nationality: 'CHN', residence_status: 'RESIDENT_NOT_REGISTERED', tenure: 'RENTED', relation_to_head: 'TENANT' },
      { id: 'a0000000000000000000000000000005', id_number: '320311201501010011', document_type: 'ID_CARD', nationality: 'CHN', residence_status: null, tenure: null, relation_to_head: 'SELF' },
    ]);
    const households = await q('SELECT id, kind, basis, head_resident_id, grid_code, house_code FROM households ORDER BY id');
    expect(households.rows).toEqual([
      { id: 'H1', kind: 'FAMILY', basis: 'RESIDENCE', head_resident_id: 'a0000000000000000000000000000001', grid_code: '320311001001001', house_code: '32031100100100001-01-0101' },
      { id: 'H2', kind: 'FAMILY', basis: 'RESIDENCE', head_resident_id: 'a0000000000000000000000000000003', grid_code: '320311001001001', house_code: '32031100100100001-01-0102' },
    ]);
    expect((await q('SELECT key_person_id, category, owning_unit, since::text FROM key_person_categories')).rows).toEqual([
      { key_person_id: 'ZD320311001001001001', category: 'DRUG_USER', owning_unit: 'NARCOTICS_CONTROL', since: '2024-01-01' },
    ]);
    expect((await q('SELECT key_person_id, position, name, unit, badge FROM key_person_officers')).rows).toEqual([
      { key_person_id: 'ZD320311001001001001', position: 0, name: '陈警官', unit: 'POLICE_STATION', badge: '012345' },
    ]);
    // A citizen without an ID number, or one with a document number as well, is refused from now on.
    await expect(q(`UPDATE residents SET id_number = NULL WHERE id = 'a0000000000000000000000000000001'`)).rejects.toThrow(/residents_identity_check/);
  });
});
