import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { postGraphQL } from '@hub/core/testing';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createGateway, DEFAULT_MANIFEST, DEFAULT_SUPERGRAPH, readManifest, readSupergraph } from '@hub/gateway';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { buildSchema, NoDeprecatedCustomRule, parse, validate, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as kit from '../clients/__generated__/operations.ts';
import { describeGrid, gridOverview } from '../clients/example/grid-overview.ts';
import { createHubClient, documentId, HubRequestError, manifestText } from '../clients/example/hub-client.ts';
import { createClient as createSseClient } from 'graphql-sse';
import { busiestGrid, grids, idOf, world } from './world.ts';

/**
 * The client kit (clients/): every departmental app's operations are in the trusted-documents manifest under the id
 * the example client computes, and the example client runs the grid worker's dashboard against a gateway that runs
 * trusted documents only, as production does.
 */
const APPS = ['grid-worker', 'mediator', 'police', 'housing', 'civil-affairs', 'party-affairs'];
const CLIENTS = fileURLToPath(new URL('../clients/', import.meta.url));
const manifest = readManifest(DEFAULT_MANIFEST);

let hub: TestHub;
let enforcing: { url: string; close(): Promise<void> };
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
  enforcing = await createGateway({
    supergraphSdl: readSupergraph(DEFAULT_SUPERGRAPH),
    urls: Object.fromEntries(Object.entries(hub.subgraphs).map(([name, s]) => [name, s.url])),
    ...hub.gatewayAccess,
    audit: { write: async () => {} },
    trustedDocuments: { mode: 'enforce', manifest },
  }).listen(0);
});
afterAll(async () => {
  await enforcing?.close();
  await hub?.close();
});

const isDocument = (value: unknown): value is DocumentNode => typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Document';

describe('the client kit', () => {
  it('has operations for each departmental app', () => {
    for (const app of APPS) {
      const files = readdirSync(`${CLIENTS}${app}`).filter((f) => f.endsWith('.graphql'));
      expect(files.length, `clients/${app}/*.graphql`).toBeGreaterThan(0);
    }
  });

  // A deprecated field, argument or enum value is on its way out of the graph: an app must not start (or keep) reading it.
  it('no document reads a deprecated field, argument or enum value', () => {
    const api = buildSchema(readFileSync(fileURLToPath(new URL('../schema/api.graphql', import.meta.url)), 'utf8'));
    const found: string[] = [];
    for (const app of readdirSync(CLIENTS, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('_'))) {
      for (const file of readdirSync(`${CLIENTS}${app.name}`).filter((f) => f.endsWith('.graphql'))) {
        const document = parse(readFileSync(`${CLIENTS}${app.name}/${file}`, 'utf8'));
        for (const error of validate(api, document, [NoDeprecatedCustomRule])) found.push(`clients/${app.name}/${file}: ${error.message}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('every typed document is in the trusted-documents manifest under the id the client computes', async () => {
    const documents = Object.entries(kit).filter(([name, value]) => name.endsWith('Document') && isDocument(value));
    expect(documents.length).toBeGreaterThanOrEqual(APPS.length);
    for (const [name, document] of documents) {
      const id = await documentId(document as DocumentNode);
      expect(manifest.has(id), `${name} (${id}) in schema/persisted-documents.json`).toBe(true);
    }
  });
});

describe('the example client', () => {
  const code = busiestGrid.grid.code;
  const gridWorker = (grid: string) => hub.tokenFor('grid-worker', { grids: [grid] });

  it("runs the grid worker's dashboard by document id where only trusted documents run", async () => {
    const client = createHubClient({ url: enforcing.url, token: await gridWorker(code), purpose: 'grid-service' });
    const { grid, refused } = await gridOverview(client, code);
    expect(grid).not.toBeNull();
    // A grid worker holds no welfare:read: that part is refused, the rest answered.
    expect(refused).toEqual(['grid.welfareCounts']);
    expect(grid!.welfareCounts).toBeNull();
    expect(grid!.code).toBe(code);
    expect(grid!.name).toBe(busiestGrid.grid.name);
    expect(grid!.community.name).toBe(world.communities.find((c) => c.code === busiestGrid.grid.communityCode)!.name);
    expect(grid!.population?.total).toBe(busiestGrid.residents.length);
    expect(grid!.partyMembers?.totalCount).toBe(busiestGrid.party.members.length);
    expect(grid!.housingCounts?.buildings).toBe(busiestGrid.buildings.length);
    expect(describeGrid(grid!)[1]).toBe(
      `residents ${busiestGrid.residents.length}: registered ${busiestGrid.residents.filter((r) => r.populationType === 'REGISTERED').length}, floating ${busiestGrid.residents.filter((r) => r.populationType === 'FLOATING').length}, overseas ${busiestGrid.residents.filter((r) => r.populationType === 'OVERSEAS').length}, unsettled ${busiestGrid.residents.filter((r) => r.populationType === 'UNSETTLED').length}`,
    );
  });

  it("sees nothing of another grid's figures with a grid worker's token of one grid", async () => {
    const other = grids.find((g) => g.grid.code !== code && g.residents.length > 0)!;
    const client = createHubClient({ url: enforcing.url, token: await gridWorker(other.grid.code), purpose: 'grid-service' });
    const { grid } = await gridOverview(client, code);
    expect(grid === null || grid.population?.total === 0, JSON.stringify(grid)).toBe(true);
  });

  it('reports a refused request as a whole with the gateway’s code', async () => {
    const client = createHubClient({ url: enforcing.url, token: 'not-a-token' });
    const refusal = await gridOverview(client, code).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(HubRequestError);
    expect((refusal as HubRequestError).status).toBe(401);
    // Refused before GraphQL, in the GraphQL error body every refusal has: the kit reads its code.
    expect((refusal as HubRequestError).errors.map((e) => e.extensions?.code)).toEqual(['TOKEN_INVALID']);
  });

  it('runs as a command, as docs/client-kit.md shows', async () => {
    const script = fileURLToPath(new URL('../clients/example/grid-overview.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, '--url', enforcing.url, '--token', await gridWorker(code), '--grid', code], {
      timeout: 30_000,
    });
    expect(stdout).toContain(`${busiestGrid.grid.name} (${code})`);
    expect(stdout).toContain(`residents ${busiestGrid.residents.length}:`);
    expect(stdout).toContain('welfare recipients: not visible to your role');
  });
});

describe('subscriptions of the client kit', () => {
  it('a grid worker follows their grid\'s cases with the typed subscription where only trusted documents run; an ad-hoc one is refused', async () => {
    const code = busiestGrid.grid.code;
    const token = await hub.tokenFor('grid-worker', { grids: [code] });
    const streamUrl = enforcing.url.replace(/\/graphql$/, '/graphql/stream');
    const adHoc = await fetch(streamUrl, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'subscription { caseEvents { cursor } }' }),
    });
    expect(adHoc.status).toBe(400);
    expect(((await adHoc.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PERSISTED_DOCUMENT_REQUIRED');

    // A case reported in the grid after the stream opened reaches it; the ones before it are not replayed.
    const client = createSseClient({ url: streamUrl, retryAttempts: 0, headers: { authorization: `Bearer ${token}` } });
    const events: kit.CaseEventStreamSubscription['caseEvents'][] = [];
    const stop = client.subscribe<kit.CaseEventStreamSubscription>(
      { query: manifestText(kit.CaseEventStreamDocument), variables: {} },
      { next: ({ data }) => void (data && events.push(data.caseEvents)), error: () => {}, complete: () => {} },
    );
    const reported: string[] = [];
    for (let i = 0; i < 40 && !events.some((e) => reported.includes(e.node.case.id)); i++) {
      const answer = await postGraphQL(hub.gatewayUrl, kit.ReportCaseDocument, {
        input: {
          idempotencyKey: randomUUID(),
          category: 'NEIGHBOURS',
          source: 'GRID_WORKER_REPORT',
          gridCode: code,
          summary: '噪音扰民',
          parties: [{ role: 'APPLICANT', residentId: idOf(busiestGrid.residents[0]!.idNumber) }],
        },
      }, { authorization: `Bearer ${token}` });
      reported.push(answer.data!.reportCase!.case.id);
      await new Promise((r) => setTimeout(r, 250));
    }
    stop();
    client.dispose();
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.node.case.grid.code === code && reported.includes(e.node.case.id))).toBe(true);
    expect(new Set(events.map((e) => e.cursor)).size).toBe(events.length);
  });
});
