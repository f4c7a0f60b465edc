import { describe, expect, it } from 'vitest';
import { generateDemoWorld, REFERENCE_DATE, type DemoCase } from '../src/index.ts';
import { TEST_DEMO } from '../src/testing.ts';

/**
 * The demo centre's cases: their parties, and the lawful endings besides a resolution (人民调解法): failed mediations terminated with the parties told
 * of other channels (art. 26), applications withdrawn and mediation refused (art. 23), in the shares the generator
 * promises (packages/demo/src/mediation.ts), on a district large enough for the shares to mean something.
 */
describe('case endings on 100,000 residents', () => {
  const cases: DemoCase[] = [];
  for (const g of generateDemoWorld({ residents: 100_000, seed: TEST_DEMO.seed }).gridContents()) cases.push(...g.mediation.cases);
  const share = (keep: (c: DemoCase) => boolean, of: (c: DemoCase) => boolean = () => true) => cases.filter((c) => of(c) && keep(c)).length / cases.filter(of).length;
  /** Cases whose handling came to an end, one way or another, after acceptance. */
  const settled = (c: DemoCase) => ['RESOLVED', 'CLOSED', 'ESCALATED', 'TERMINATED'].includes(c.status);

  it('terminates about one mediation in seven that ends, as mediation failed; about 9 % of all cases', () => {
    expect(cases.length).toBeGreaterThan(500);
    expect(Math.abs(share((c) => c.status === 'TERMINATED', settled) - 0.14)).toBeLessThan(0.04);
    expect(Math.abs(share((c) => c.status === 'TERMINATED') - 0.09)).toBeLessThan(0.03);
    // No failed mediation is left resolved: every one is terminated.
    expect(cases.filter((c) => c.outcome === 'MEDIATION_FAILED' && c.status !== 'TERMINATED')).toEqual([]);
  });

  it('tells the parties of a court nearly always, of arbitration or an agency sometimes', () => {
    const terminated = cases.filter((c) => c.status === 'TERMINATED');
    // 92 % of the channel table's weight names a court; within four standard errors of a share of this many cases.
    const tolerance = 4 * Math.sqrt((0.92 * 0.08) / terminated.length);
    expect(Math.abs(share((c) => c.informedChannels!.includes('JUDICIAL'), (c) => c.status === 'TERMINATED') - 0.92)).toBeLessThan(tolerance);
    expect(terminated.some((c) => c.informedChannels!.includes('ARBITRATION'))).toBe(true);
    expect(terminated.some((c) => c.informedChannels!.includes('ADMINISTRATIVE'))).toBe(true);
  });

  // The deck deals 5 %; police referrals, whose dates are fixed, cannot always take the card, so somewhat fewer.
  it('has about 4 % of cases withdrawn or refused, three in five by the applicant, three in ten before dispatch', () => {
    expect(Math.abs(share((c) => c.status === 'WITHDRAWN') - 0.04)).toBeLessThan(0.015);
    const withdrawn = (c: DemoCase) => c.status === 'WITHDRAWN';
    // A few dozen withdrawals: the two splits within two standard deviations of a binomial of that size.
    expect(Math.abs(share((c) => c.withdrawal!.by === 'APPLICANT', withdrawn) - 0.6)).toBeLessThan(0.2);
    expect(Math.abs(share((c) => c.withdrawal!.beforeDispatch, withdrawn) - 0.3)).toBeLessThan(0.2);
    expect(share((c) => c.outcome === 'PARTIES_REFUSED', withdrawn)).toBeCloseTo(share((c) => c.withdrawal!.by === 'RESPONDENT', withdrawn), 10);
  });
});

const REFERENCE_YEAR = REFERENCE_DATE.slice(0, 4);

describe('parties without a citizen ID on 100,000 residents', () => {
  const world = generateDemoWorld({ residents: 100_000, seed: TEST_DEMO.seed });
  let undocumentedAdults = 0;
  let adults = 0;
  let personParties = 0;
  const byDocument: { key: string; grid: string; keys: Set<string> }[] = [];
  for (const g of world.gridContents()) {
    const keys = new Set(g.residents.map((r) => r.idNumber));
    for (const r of g.residents) {
      if (Number(REFERENCE_YEAR) - Number(r.birthDate.slice(0, 4)) < 19) continue;
      adults++;
      if (r.document !== null) undocumentedAdults++;
    }
    for (const c of g.mediation.cases) {
      for (const p of c.parties) {
        if (p.idNumber === null) continue;
        personParties++;
        if (p.idNumber.includes(':')) byDocument.push({ key: p.idNumber, grid: g.grid.code, keys });
      }
    }
  }

  it('names overseas and unsettled people as parties by their document key, in part of their share of adults', () => {
    expect(byDocument.length).toBeGreaterThanOrEqual(3);
    const share = byDocument.length / personParties;
    const population = undocumentedAdults / adults;
    // Only the two sides of the disputes between neighbours, contracts, damages and the like are drawn from them
    // (referrals name whom the police or the rental names): under their share of adults, never none.
    // A handful of parties: the floor allows for their count's Poisson spread (four standard deviations).
    const floor = (personParties * population) / 6;
    expect(byDocument.length).toBeGreaterThan(floor - 4 * Math.sqrt(floor));
    expect(share).toBeLessThan(population);
    // Each is a resident of the case's grid, keyed as the register keys them (type:nationality:number).
    for (const { key, keys } of byDocument) {
      expect(key).toMatch(/^(PASSPORT|HK_MACAO_PERMIT|TAIWAN_PERMIT|FOREIGN_PERMANENT_RESIDENCE|NONE):[A-Z]{3}:.+$/);
      expect(keys.has(key)).toBe(true);
    }
  });
});
