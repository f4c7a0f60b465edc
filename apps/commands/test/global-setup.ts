import { DEMO_HUB_SECRET, department, dropDatabase, ensureDatabase } from '@hub/core';
import { startTestPostgres, uniqueDatabaseName } from '@hub/core/testing';
import { generateDemoWorld, seedDepartments } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { departmentRuntimes } from '@hub/hub/departments';
import type { TestProject } from 'vitest/node';

/**
 * Template databases the import tests clone: the five importing departments seeded with the test district
 * (exactly as `npm start` seeds them), and an empty, migrated public-security register to load residents into.
 */
export default async function setup(project: TestProject) {
  const server = await startTestPostgres();
  const url = (name: string) => server.urlFor(department(name), uniqueDatabaseName(`tpl_imp_${department(name).database}`));
  const templates = {
    'public-security': url('public-security'),
    'civil-affairs': url('civil-affairs'),
    party: url('party'),
    housing: url('housing'),
    mediation: url('mediation'),
    emptyPublicSecurity: url('public-security'),
  };
  for (const target of Object.values(templates)) await ensureDatabase(target);
  const connect = (name: string, target: string) => departmentRuntimes.find((r) => r.name === name)!.connect(target);
  const seeded = [];
  for (const name of ['public-security', 'civil-affairs', 'party', 'housing', 'mediation'] as const) seeded.push(await connect(name, templates[name]));
  const empty = await connect('public-security', templates.emptyPublicSecurity);
  try {
    await seedDepartments(generateDemoWorld(TEST_DEMO), await Promise.all(seeded.map((d) => d.seeder(DEMO_HUB_SECRET))));
  } finally {
    await Promise.all([...seeded, empty].map((d) => d.close()));
  }
  project.provide('importTemplates', templates);
  return async () => {
    await Promise.allSettled(Object.values(templates).map((t) => dropDatabase(t)));
    await server.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    importTemplates: Record<'public-security' | 'civil-affairs' | 'party' | 'housing' | 'mediation' | 'emptyPublicSecurity', string>;
  }
}
