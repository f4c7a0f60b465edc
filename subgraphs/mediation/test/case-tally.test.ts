import { rowScope } from '@hub/core';
import { cloneDatabase, testCaller } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mediationDatabase, type MediationDatabase } from '../src/db/index.ts';
import { createLoaders } from '../src/loaders.ts';
import { addDays, DEADLINE_STATUSES, isOverdue } from '../src/workflow/deadlines.ts';

/**
 * A grid's case tally is one prepared statement per shape of the caller's scope, run for every request after the
 * first: the date that decides which cases are overdue must be a value of each execution, not the first request's
 * date written into the statement.
 */
let database: MediationDatabase;
let dropClone: () => Promise<void>;

const world = [...generateDemoWorld(TEST_DEMO).gridContents()];
const open = (g: (typeof world)[number]) => g.mediation.cases.filter((c) => (DEADLINE_STATUSES as readonly string[]).includes(c.status));
const busiest = world.reduce((a, b) => (open(b).length > open(a).length ? b : a));

beforeAll(async () => {
  const clone = await cloneDatabase(inject('templateUrl'));
  dropClone = clone.drop;
  database = mediationDatabase.open(clone.url);
});

afterAll(async () => {
  await database?.close();
  await dropClone?.();
});

describe("a grid's case tally", () => {
  it("counts the cases overdue on each request's own date, one statement serving every date", async () => {
    const scope = { grids: rowScope(testCaller('administrator')), unit: null, cases: undefined, events: undefined };
    const overdueOn = async (today: string) => {
      // A request's loaders, as each request builds them.
      const tally = await createLoaders(database.db, scope, today, 30).caseTallyByGrid.load(busiest.grid.code);
      return tally.cells.reduce((sum, cell) => sum + cell.overdue, 0);
    };
    // Dates around the grid's deadlines: before the first, between them, after the last.
    const dues = open(busiest).map((c) => c.dueOn).sort();
    expect(dues.length).toBeGreaterThan(1);
    const days = [addDays(dues[0]!, -1), dues[Math.floor(dues.length / 2)]!, addDays(dues[dues.length - 1]!, 1)];
    const expected = days.map((today) => busiest.mediation.cases.filter((c) => isOverdue(c, today)).length);
    // The counts differ between the dates, so a date kept from the first request would show.
    expect(new Set(expected).size).toBeGreaterThan(1);
    const counted: number[] = [];
    for (const today of days) counted.push(await overdueOn(today));
    expect(counted).toEqual(expected);
  });
});
