import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postGraphQL } from '@hub/core/testing';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph, subgraphsOf, subgraphUrls } from '@hub/gateway';
import { bootTestHub, type TestHub } from '@hub/hub/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

let hub: TestHub;
beforeAll(async () => {
  hub = await bootTestHub(inject('hubTemplates'));
});
afterAll(async () => {
  await hub?.close();
});

const healthUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/health');
const readyUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/ready');

describe('the gateway', () => {
  it('turns off @apollo/gateway\'s usage reporting, so nothing leaves the network', () => {
    // Set by createGateway before the ApolloGateway is built, whatever the environment said.
    expect(process.env.APOLLO_TELEMETRY_DISABLED).toBe('true');
  });

  it('serves another supergraph file with the subgraph URLs that file names', async () => {
    let sdl = readSupergraph(DEFAULT_SUPERGRAPH);
    for (const { name, url } of subgraphsOf(sdl)) sdl = sdl.replace(`url: "${url}"`, `url: "${hub.subgraphs[name]!.url}"`);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'hub-supergraph-')), 'other.graphql');
    await writeFile(file, sdl);
    const urls = subgraphUrls(readSupergraph(file), {});
    expect(urls).toEqual(Object.fromEntries(Object.entries(hub.subgraphs).map(([n, s]) => [n, s.url])));
    const other = await createGateway({ supergraphSdl: readSupergraph(file), urls, ...hub.gatewayAccess }).listen(0);
    try {
      const response = await postGraphQL<{ district: { name: string } }>(other.url, '{ district { name } }', undefined, hub.headers);
      expect(response.errors).toBeUndefined();
      expect(response.data?.district.name).toBeTruthy();
    } finally {
      await other.close();
    }
  });

  it('takes a subgraph URL override from <NAME>_URL and refuses a malformed one', () => {
    const sdl = readSupergraph(DEFAULT_SUPERGRAPH);
    expect(subgraphUrls(sdl, { CIVIL_AFFAIRS_URL: 'http://10.0.0.9:4102/graphql' })['civil-affairs']).toBe('http://10.0.0.9:4102/graphql');
    expect(() => subgraphUrls(sdl, { PUBLIC_SECURITY_URL: 'not a url' })).toThrow(/PUBLIC_SECURITY_URL is not a URL/);
  });

  it('reports readiness: ok with every subgraph up, degraded (503) naming the one that is down; liveness stays ok', async () => {
    const healthy = await fetch(readyUrl(hub.gatewayUrl));
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({ status: 'ok', subgraphs: expect.arrayContaining([expect.objectContaining({ name: 'civil-affairs', ok: true })]) });
    const subgraphHealth = await fetch(healthUrl(hub.subgraphs['public-security']!.url));
    expect(await subgraphHealth.json()).toEqual({ status: 'ok', service: 'public-security' });

    await hub.stopSubgraph('civil-affairs');
    expect((await fetch(healthUrl(hub.gatewayUrl))).status).toBe(200);
    const degraded = await fetch(readyUrl(hub.gatewayUrl));
    expect(degraded.status).toBe(503);
    const body = (await degraded.json()) as { status: string; subgraphs: { name: string; ok: boolean }[] };
    expect(body.status).toBe('degraded');
    expect(body.subgraphs.find((s) => s.name === 'civil-affairs')?.ok).toBe(false);
    expect(body.subgraphs.find((s) => s.name === 'public-security')?.ok).toBe(true);
  });

  it('answers 404 off its routes and 400 for a body that is not JSON', async () => {
    expect((await fetch(hub.gatewayUrl.replace('/graphql', '/nowhere'))).status).toBe(404);
    const bad = await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...hub.headers }, body: '{not json' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: [{ extensions: { code: 'BODY_NOT_JSON' } }] });
  });
});
