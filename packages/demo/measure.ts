/**
 * Measures generating the demo district: `node --expose-gc --max-old-space-size=400 --import tsx measure.ts 1000000`.
 * Peak heap is sampled after every grid; with --expose-gc the live heap is also measured after a collection.
 */
import { generateDemoWorld } from './src/index.ts';

const residents = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
const started = performance.now();
const world = generateDemoWorld({ residents });
let count = 0;
let houses = 0;
let peakHeap = 0;
let peakLive = 0;
let grid = 0;
let records = 0;
for (const contents of world.gridContents()) {
  count += contents.residents.length;
  const { publicSecurity: ps, civilAffairs: ca, housing: h, party: p, mediation: m } = contents;
  records +=
    contents.organizations.length + ps.keyPersons.length + ps.incidents.length + ca.welfare.length +
    ca.socialOrganizations.length + h.ownerships.length + h.tenancies.length + h.groupRentals.length +
    h.propertyCompanies.length + h.ownersCommittees.length + p.organizations.length + p.members.length +
    p.activities.length + p.points.length + m.committees.length + m.mediators.length + m.cases.length;
  houses += contents.houses.length;
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  if (gc && ++grid % 100 === 0) {
    const paused = performance.now();
    gc();
    peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
    // Collection time is measurement overhead, not generation time.
    (globalThis as { gcMs?: number }).gcMs = ((globalThis as { gcMs?: number }).gcMs ?? 0) + performance.now() - paused;
  }
}
const seconds = (performance.now() - started - ((globalThis as { gcMs?: number }).gcMs ?? 0)) / 1000;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
console.log(
  `${count} residents, ${houses} houses, ${world.grids.length} grids, ${world.communities.length} communities, ` +
    `${world.streets.length} streets, ${records} department records in ${seconds.toFixed(2)} s; peak heap ${mb(peakHeap)}` +
    (gc ? `, peak live heap ${mb(peakLive)}` : '') +
    `, rss ${mb(process.memoryUsage().rss)}`,
);
