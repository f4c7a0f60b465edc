import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGateway, DEFAULT_MANIFEST, DEFAULT_SUPERGRAPH, demoTokenMinterFromEnv, documentHash, readManifest, readSupergraph } from '@hub/gateway';
import { postGraphQL } from '@hub/core/testing';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { busiestGrid, grids, idOf } from './world.ts';
import { ReportCaseDocument } from '../clients/__generated__/operations.ts';

/**
 * The explorer and the overview page in a real browser (Debian's Chromium, driven by playwright-core) with every
 * request to anything but this machine blocked: what a closed government network sees. Screenshots go to
 * `.data/test-artifacts/` (kept by CI, ignored by git).
 */
const manifest = readManifest(DEFAULT_MANIFEST);
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const ARTIFACTS = fileURLToPath(new URL('../.data/test-artifacts/', import.meta.url));
// CI installs Debian's chromium (.ci/run) and must run this test; a developer's machine without it skips it, saying so.
if (!CHROMIUM && process.env.CI) throw new Error('the explorer test needs Chromium: apt-get install chromium');
if (!CHROMIUM) console.warn('explorer.e2e.test.ts skipped: no Chromium (apt-get install chromium)');

describe('the demo token picker', () => {
  it('exists only outside production and while no identity provider is configured', () => {
    expect(demoTokenMinterFromEnv({})).toBeTypeOf('function');
    expect(demoTokenMinterFromEnv({ NODE_ENV: 'production' })).toBeUndefined();
    expect(demoTokenMinterFromEnv({ HUB_JWKS_URL: 'https://idp.example/jwks.json' })).toBeUndefined();
    expect(demoTokenMinterFromEnv({ HUB_JWKS_FILE: '/etc/hub/jwks.json' })).toBeUndefined();
  });

  it('is not served by a gateway given no minter, and the pages offer none', async () => {
    const hub = await bootTestHub(inject('hubTemplates'));
    const gateway = await createGateway({ supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH), ...hub.gatewayAccess, audit: { write: async () => {} } }).listen(0);
    try {
      const origin = new URL(gateway.url).origin;
      const minted = await fetch(`${origin}/explorer/token`, { method: 'POST', body: JSON.stringify({ role: 'administrator' }) });
      expect(minted.status).toBe(404);
      const page = await (await fetch(`${origin}/explorer`)).text();
      expect(page).toContain('"tokenPath":null');
      // Every script and style the page loads is the gateway's own.
      for (const [, src] of page.matchAll(/(?:src|href)="([^"]+)"/g)) expect(src!.startsWith('/'), src).toBe(true);
      const graphiql = await fetch(`${origin}/explorer/assets/graphiql.min.js`);
      expect(graphiql.status).toBe(200);
      expect((await fetch(`${origin}/explorer/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
    } finally {
      await gateway.close();
      await hub.close();
    }
  });
});

describe.skipIf(!CHROMIUM)('the explorer and the overview page, offline', () => {
  let hub: TestHub;
  let gateway: { url: string; close(): Promise<void> };
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  const leftTheMachine: string[] = [];
  const code = busiestGrid.grid.code;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    hub = await bootTestHub(inject('hubTemplates'));
    gateway = await createGateway({
      supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
      urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
      ...hub.gatewayAccess,
      audit: { write: async () => {} },
      // The picker mints tokens of the identity provider this gateway trusts (the test hub's).
      explorer: { mintToken: ({ role, grids }) => hub.tokenFor(role, { grids }) },
    }).listen(0);
    base = new URL(gateway.url).origin;
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.route('**/*', (route) => {
      const { hostname } = new URL(route.request().url());
      if (hostname === '127.0.0.1' || hostname === 'localhost') return route.continue();
      leftTheMachine.push(route.request().url());
      return route.abort('blockedbyclient');
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await hub?.close();
  });

  /** The whole answer in GraphiQL's result pane (CodeMirror draws only the lines in view). */
  const resultText = (page: Page) => page.evaluate<string>("document.querySelector('.result-window .CodeMirror')?.CodeMirror?.getValue() ?? ''");

  /** Opens the explorer as a role, runs the preselected operation and answers the status line and the result pane. */
  async function runInExplorer(page: Page, role: string, purpose: string): Promise<{ status: string; result: string }> {
    await page.goto(`${base}/explorer?role=${role}&grid=${code}&purpose=${purpose}&operation=GridOverview`);
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ timeout: 30_000 });
    // The tab of the chosen operation is the first one and active.
    await expect.poll(() => page.locator('.graphiql-query-editor').innerText(), { timeout: 15_000 }).toContain('query GridOverview');
    // The tab holds the trusted document itself: its text hashes to its id in the manifest.
    const queryText = await page.evaluate<string>("document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.getValue() ?? ''");
    expect(manifest.has(documentHash(queryText)), 'the tab is a trusted document').toBe(true);
    await run.click();
    await expect.poll(() => page.locator('#status').innerText(), { timeout: 30_000 }).toMatch(/answered in full|error/);
    await expect.poll(() => resultText(page), { timeout: 15_000 }).toContain('"grid"');
    await page.screenshot({ path: `${ARTIFACTS}explorer-${role}.png` });
    return { status: await page.locator('#status').innerText(), result: await resultText(page) };
  }

  it('runs the grid overview as a grid worker (welfare refused) and as an administrator (in full)', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    const gridWorker = await runInExplorer(page, 'grid-worker', 'grid-service');
    expect(gridWorker.status).toContain('refused to this role: grid.welfareCounts');
    expect(gridWorker.result).toContain('"welfareCounts": null');
    expect(gridWorker.result).toContain('FORBIDDEN');
    expect(gridWorker.result).toContain(`"total": ${busiestGrid.residents.length}`);

    const administrator = await runInExplorer(page, 'administrator', 'grid-service');
    expect(administrator.status).toBe('answered in full');
    expect(administrator.result).toMatch(/"welfareCounts": \{/);
    expect(administrator.result).not.toContain('FORBIDDEN');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("draws the overview page's charts from the graph's figures, of a grid and of a street", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/overview?role=district-analyst&purpose=statistics&grid=${code}`);
    await page.locator('svg.chart[data-chart="population"] rect').first().waitFor({ timeout: 30_000 });
    for (const chart of ['population', 'welfare', 'group-rentals', 'case-status', 'case-category', 'organizations']) {
      expect(await page.locator(`svg.chart[data-chart="${chart}"] rect`).count(), chart).toBeGreaterThan(0);
    }
    expect(await page.locator('.figure .total').first().innerText()).toBe(String(busiestGrid.residents.length));
    await page.screenshot({ path: `${ARTIFACTS}overview-grid.png`, fullPage: true });

    // A street: the sums of its grids.
    const street = `${code.slice(0, 9)}000`;
    await page.locator('#place-code').fill(street);
    await page.locator('#place button').click();
    const streetResidents = grids.filter((g) => g.grid.code.startsWith(street.slice(0, 9))).reduce((sum, g) => sum + g.residents.length, 0);
    await expect.poll(() => page.locator('.figure .total').first().innerText(), { timeout: 15_000 }).toBe(String(streetResidents));
    expect(await page.locator('svg.chart[data-chart="case-status"] rect').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}overview-street.png`, fullPage: true });
    await page.close();
  });

  /** Reports a case in the grid (as its worker) until `seen` holds, so a stream just opening cannot miss the one it waits for. */
  async function reportUntil(seen: (caseId: string) => Promise<boolean>): Promise<string> {
    const authorization = `Bearer ${await hub.tokenFor('grid-worker', { grids: [code] })}`;
    for (let i = 0; i < 40; i++) {
      const answer = await postGraphQL(hub.gatewayUrl, ReportCaseDocument, {
        input: { idempotencyKey: randomUUID(), category: 'NEIGHBOURS', source: 'GRID_WORKER_REPORT', gridCode: code, summary: '楼道堆物', parties: [{ role: 'APPLICANT', residentId: idOf(busiestGrid.residents[0]!.idNumber) }] },
      }, { authorization });
      const id = answer.data!.reportCase!.case.id;
      if (await seen(id).catch(() => false)) return id;
    }
    throw new Error('no report reached the page');
  }

  it('shows the case stream in a subscription tab, events appearing as they commit', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/explorer?role=grid-worker&grid=${code}&purpose=grid-service&operation=CaseEventStream`);
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.graphiql-query-editor').innerText(), { timeout: 15_000 }).toContain('subscription CaseEventStream');
    await run.click();
    await expect.poll(() => page.locator('#status').innerText(), { timeout: 15_000 }).toContain('subscribed');
    const caseId = await reportUntil(async (id) => {
      await expect.poll(() => resultText(page), { timeout: 2_000 }).toContain(id);
      return true;
    });
    expect(await page.locator('#status').innerText()).toMatch(/event\(s\) received, live/);
    expect(await resultText(page)).toContain(code);
    await page.screenshot({ path: `${ARTIFACTS}explorer-subscription.png` });
    expect(caseId).toMatch(/^TJ/);
    await page.close();
  });

  it("updates the overview page live when a case of the place changes", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/overview?role=grid-worker&purpose=grid-service&grid=${code}`);
    await page.locator('svg.chart[data-chart="case-status"] rect').first().waitFor({ timeout: 30_000 });
    const casesTotal = () => page.locator('.figure', { hasText: 'Cases by status' }).locator('.total').innerText();
    const before = Number(await casesTotal());
    await reportUntil(async () => {
      await expect.poll(() => page.locator('#figures').getAttribute('data-updates'), { timeout: 3_000 }).not.toBeNull();
      return true;
    });
    await expect.poll(async () => Number(await casesTotal()), { timeout: 15_000 }).toBeGreaterThan(before);
    await page.close();
  });

  it('asked nothing of any other machine', () => {
    expect(leftTheMachine).toEqual([]);
  });
});
