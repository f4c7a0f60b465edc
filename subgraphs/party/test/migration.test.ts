import { DEMO_HUB_SECRET, residentKey } from '@hub/core';
import { serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { partyDatabase } from '../src/db/index.ts';
import { subgraph } from '../src/server.ts';

const grids = [...generateDemoWorld(TEST_DEMO).gridContents()];
const idOf = (idNumber: string) => residentKey(idNumber, DEMO_HUB_SECRET);
const reportIns = grids.flatMap((g) => g.party.reportIns);
const retired = grids.flatMap((g) => g.party.members);

/**
 * The members as the demo placed them before report-ins (before migration 0002): every in-service and floating
 * member in a branch of the grid they live in, with a membership number. A district that migrated to 0003 kept them
 * there; it imported report-ins for some of them (here every other one) and none for the rest.
 */
const oldPlacement = reportIns
  .filter((b) => grids.some((g) => g.party.organizations.some((o) => o.level === 'BRANCH' && o.servesGridCode === b.gridCode)))
  .map((b, k) => {
    const branches = grids.flatMap((g) => g.party.organizations).filter((o) => o.level === 'BRANCH' && o.servesGridCode === b.gridCode);
    return {
      reportIn: b,
      keepsReportIn: k % 2 === 0,
      residentId: idOf(b.idNumber),
      memberNumber: `DY0000${String(k + 1).padStart(6, '0')}`,
      organizationId: branches[k % branches.length]!.organizationId,
      status: b.kind === 'IN_SERVICE' ? 'EMPLOYED' : 'FLOATING',
      fullMemberOn: k % 3 === 0 ? null : b.joinedOn.replace(/^(\d{4})/, (y) => String(Number(y) + 1)),
    };
  });

const harness = serveSubgraphForTests(subgraph, {
  async prepare(url) {
    const database = partyDatabase.open(url);
    try {
      await database.pool.query(`
        ALTER TABLE party_members DROP COLUMN placement_review; DROP TABLE membership_transfers; DROP TYPE member_placement_review;
        DROP INDEX party_members_grid_status_idx;
        DELETE FROM drizzle.__drizzle_migrations WHERE id NOT IN (SELECT id FROM drizzle.__drizzle_migrations ORDER BY id LIMIT 4);`);
      for (const m of oldPlacement) {
        await database.pool.query(
          `INSERT INTO party_members (resident_id, member_number, organization_id, grid_code, status, joined_on, full_member_on) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [m.residentId, m.memberNumber, m.organizationId, m.reportIn.gridCode, m.status, m.reportIn.joinedOn, m.fullMemberOn],
        );
        if (!m.keepsReportIn) await database.pool.query('DELETE FROM party_report_ins WHERE id = $1', [m.reportIn.id]);
      }
      await partyDatabase.migrate(database);
    } finally {
      await database.close();
    }
  },
});

describe('migration 0004 on a database that kept in-service and floating members in residential branches', () => {
  it('has both cases to carry over', () => {
    expect(oldPlacement.filter((m) => m.keepsReportIn).length).toBeGreaterThan(5);
    expect(oldPlacement.filter((m) => !m.keepsReportIn && m.status === 'EMPLOYED').length).toBeGreaterThan(5);
    expect(oldPlacement.filter((m) => !m.keepsReportIn && m.status === 'FLOATING').length).toBeGreaterThan(0);
  });

  it('moves out those whose report-in names their organization, keeping what the branch row said as a transfer', async () => {
    const moved = oldPlacement.filter((m) => m.keepsReportIn);
    const { rows: left } = await harness.database.pool.query<{ resident_id: string }>('SELECT resident_id FROM party_members WHERE resident_id = ANY($1)', [moved.map((m) => m.residentId)]);
    expect(left).toEqual([]);
    const { rows: transfers } = await harness.database.pool.query(
      `SELECT member_number, resident_id, from_organization_id, to_organization, status, to_char(joined_on, 'YYYY-MM-DD') joined_on,
              to_char(full_member_on, 'YYYY-MM-DD') full_member_on, transferred_on = current_date AS today
       FROM membership_transfers ORDER BY member_number`,
    );
    expect(transfers).toEqual(
      moved.map((m) => ({
        member_number: m.memberNumber,
        resident_id: m.residentId,
        from_organization_id: m.organizationId,
        to_organization: m.reportIn.membershipOrganization,
        status: m.status,
        joined_on: m.reportIn.joinedOn,
        full_member_on: m.fullMemberOn,
        today: true,
      })),
    );
    // Their report-ins are untouched.
    const { rows: kept } = await harness.database.pool.query<{ id: string }>('SELECT id FROM party_report_ins WHERE id = ANY($1) ORDER BY id', [moved.map((m) => m.reportIn.id)]);
    expect(kept.map((r) => r.id)).toEqual(moved.map((m) => m.reportIn.id).sort());
  });

  it('leaves the others in their branch, marked for review with what is unknown, and the retired unmarked', async () => {
    const stayed = oldPlacement.filter((m) => !m.keepsReportIn);
    const { rows } = await harness.database.pool.query<{ resident_id: string; organization_id: string; placement_review: string | null }>(
      'SELECT resident_id, organization_id, placement_review FROM party_members ORDER BY resident_id',
    );
    const expected = [
      ...stayed.map((m) => ({ resident_id: m.residentId, organization_id: m.organizationId, placement_review: m.status === 'EMPLOYED' ? 'WORK_UNIT_UNKNOWN' : 'ORIGIN_UNKNOWN' })),
      ...retired.map((m) => ({ resident_id: idOf(m.idNumber), organization_id: m.organizationId, placement_review: null })),
    ].sort((a, b) => a.resident_id.localeCompare(b.resident_id));
    expect(rows).toEqual(expected);
  });

  it('answers the review through the graph', async () => {
    const employed = oldPlacement.find((m) => !m.keepsReportIn && m.status === 'EMPLOYED')!;
    const response = await harness.gql<{ a: { status: string; placementReview: string | null }; b: { placementReview: string | null } }>(
      'query ($a: ID!, $b: ID!) { a: partyMember(residentId: $a) { status placementReview } b: partyMember(residentId: $b) { placementReview } }',
      { a: employed.residentId, b: idOf(retired[0]!.idNumber) },
      testCaller('administrator'),
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ a: { status: 'EMPLOYED', placementReview: 'WORK_UNIT_UNKNOWN' }, b: { placementReview: null } });
  });
});
