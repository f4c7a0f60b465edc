import { DEMO_HUB_SECRET, department, dropDatabase, type RunningService, type StatementCounter } from '@hub/core';
import { cloneDatabase, startTestPostgres, uniqueDatabaseName } from '@hub/core/testing';
import { TEST_DEMO } from '@hub/demo/testing';
import { createGateway, DEFAULT_SUPERGRAPH, readSupergraph } from '@hub/gateway';
import { prepareDatabases } from './databases.ts';
import { departmentRuntimes } from './departments.ts';

/**
 * For the end-to-end tests' globalSetup: one template database per department on the test server, migrated and
 * seeded with the test district exactly as `npm start` would seed it. Test files clone them.
 */
export async function prepareHubTemplates(): Promise<{ templates: Record<string, string>; teardown(): Promise<void> }> {
  const server = await startTestPostgres();
  const env: NodeJS.ProcessEnv = {};
  for (const runtime of departmentRuntimes) {
    const dept = department(runtime.name);
    env[`${dept.envPrefix}_DATABASE_URL`] = server.urlFor(dept, uniqueDatabaseName(`tpl_${dept.database}`));
  }
  const prepared = await prepareDatabases({ env, demo: TEST_DEMO, secret: DEMO_HUB_SECRET });
  return {
    templates: prepared.urls,
    teardown: async () => {
      await Promise.allSettled(Object.values(prepared.urls).map((url) => dropDatabase(url)));
      await server.stop();
    },
  };
}

export interface TestHub {
  gatewayUrl: string;
  subgraphs: Record<string, { url: string; statements: StatementCounter; service: RunningService }>;
  /** Stops one subgraph (to see how the gateway copes without it). */
  stopSubgraph(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Every subgraph and the gateway, in this process on free ports, over fresh clones of the templates. */
export async function bootTestHub(templates: Record<string, string>, supergraphSdl = readSupergraph(DEFAULT_SUPERGRAPH)): Promise<TestHub> {
  const subgraphs: TestHub['subgraphs'] = {};
  const drops: (() => Promise<void>)[] = [];
  const stopped = new Set<string>();
  for (const runtime of departmentRuntimes) {
    const clone = await cloneDatabase(templates[runtime.name]!);
    drops.push(clone.drop);
    const connected = await runtime.connect(clone.url);
    const service = await connected.serve(0, DEMO_HUB_SECRET);
    subgraphs[runtime.name] = { url: service.url, statements: connected.statements, service };
  }
  const gateway = await createGateway({
    supergraphSdl,
    urls: Object.fromEntries(Object.entries(subgraphs).map(([name, s]) => [name, s.url])),
  }).listen(0);
  return {
    gatewayUrl: gateway.url,
    subgraphs,
    stopSubgraph: async (name) => {
      stopped.add(name);
      await subgraphs[name]!.service.close();
    },
    close: async () => {
      await gateway.close();
      for (const [name, s] of Object.entries(subgraphs)) if (!stopped.has(name)) await s.service.close();
      await Promise.allSettled(drops.map((drop) => drop()));
    },
  };
}

/** A database name unique to this run, for tests that need one of their own. */
export { uniqueDatabaseName };
