import { DEMO_HUB_SECRET, residentKey } from '@hub/core';
import { serveSubgraphForTests } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { civilAffairsDatabase } from '../src/db/index.ts';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const welfare = [...world.gridContents()].flatMap((c) => c.civilAffairs.welfare);

/**
 * A database as it stood before the care lists and the register (migration 0002): the demo clone with those tables
 * gone and the migrations from 0002 on unrecorded, then migrated again as a deployment would be.
 */
const harness = serveSubgraphForTests(subgraph, {
  async prepare(url) {
    const database = civilAffairsDatabase.open(url);
    try {
      await database.pool.query(`
        DROP TABLE care_records; DROP TABLE disability_records; DROP TYPE care_kind;
        DROP TABLE assistance_grants; DROP TYPE assistance_kind; DROP TYPE assistance_reason;
        DROP INDEX welfare_grid_kind_status_idx;
        DELETE FROM drizzle.__drizzle_migrations WHERE id NOT IN (SELECT id FROM drizzle.__drizzle_migrations ORDER BY id LIMIT 2);`);
      await civilAffairsDatabase.migrate(database);
    } finally {
      await database.close();
    }
  },
});

describe('migration 0002 on an existing database', () => {
  it('opens the disability register with the certificates allowances were paid on, one entry each', async () => {
    const certificates = new Map<string, { idNumber: string; gridCode: string; firstPaid: string }>();
    for (const w of welfare) {
      if (!w.disabilityCertificateNumber) continue;
      const seen = certificates.get(w.disabilityCertificateNumber);
      if (!seen || w.startsOn < seen.firstPaid) certificates.set(w.disabilityCertificateNumber, { idNumber: w.idNumber, gridCode: w.gridCode, firstPaid: w.startsOn });
    }
    expect(certificates.size).toBeGreaterThan(0);
    const { rows } = await harness.database.pool.query<{ id: string; resident_id: string; grid_code: string; certificate_number: string; category: number; grade: number; issued_on: string }>(
      "SELECT id, resident_id, grid_code, certificate_number, category, grade, to_char(issued_on, 'YYYY-MM-DD') issued_on FROM disability_records ORDER BY certificate_number",
    );
    expect(rows.map((r) => r.certificate_number)).toEqual([...certificates.keys()].sort());
    for (const row of rows) {
      const c = certificates.get(row.certificate_number)!;
      expect(row).toMatchObject({
        resident_id: residentKey(c.idNumber, DEMO_HUB_SECRET),
        grid_code: c.gridCode,
        category: Number(row.certificate_number[18]),
        grade: Number(row.certificate_number[19]),
        issued_on: c.firstPaid,
      });
      expect(row.id).toMatch(new RegExp(`^CJ${row.grid_code}\\d{4}$`));
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('answers the new fields at once: empty care lists and assistance ledgers (0005), the register through the graph', async () => {
    const holder = welfare.find((w) => w.disabilityCertificateNumber)!;
    const response = await harness.gql<{ _entities: { careRecords: unknown[]; disability: { grade: number } | null }[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { careRecords { id } disability { grade } temporaryAssistance { id } medicalAssistance { id } } } }`,
      { reps: [{ __typename: 'Resident', id: residentKey(holder.idNumber, DEMO_HUB_SECRET) }] },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities[0]).toEqual({
      careRecords: [],
      disability: { grade: Number(holder.disabilityCertificateNumber![19]) },
      temporaryAssistance: [],
      medicalAssistance: [],
    });
  });
});
