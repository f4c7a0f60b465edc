import { DEMO_HUB_SECRET, department, dropDatabase, ensureDatabase } from '@hub/core';
import { startTestPostgres, uniqueDatabaseName } from '@hub/core/testing';
import { civilAffairsDatabase } from '@hub/civil-affairs/db';
import { civilAffairsSeeder } from '@hub/civil-affairs/seed';
import { generateDemoWorld, seedDepartments } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { housingDatabase } from '@hub/housing/db';
import { housingSeeder } from '@hub/housing/seed';
import { mediationDatabase } from '@hub/mediation/db';
import { mediationSeeder } from '@hub/mediation/seed';
import { partyDatabase } from '@hub/party/db';
import { partySeeder } from '@hub/party/seed';
import { publicSecurityDatabase } from '@hub/public-security/db';
import { publicSecuritySeeder } from '@hub/public-security/seed';
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
  const publicSecurity = publicSecurityDatabase.open(templates['public-security']);
  const civilAffairs = civilAffairsDatabase.open(templates['civil-affairs']);
  const party = partyDatabase.open(templates.party);
  const housing = housingDatabase.open(templates.housing);
  const mediation = mediationDatabase.open(templates.mediation);
  const empty = publicSecurityDatabase.open(templates.emptyPublicSecurity);
  try {
    await publicSecurityDatabase.migrate(publicSecurity);
    await civilAffairsDatabase.migrate(civilAffairs);
    await partyDatabase.migrate(party);
    await housingDatabase.migrate(housing);
    await mediationDatabase.migrate(mediation);
    await publicSecurityDatabase.migrate(empty);
    await seedDepartments(generateDemoWorld(TEST_DEMO), [
      publicSecuritySeeder(publicSecurity, DEMO_HUB_SECRET),
      civilAffairsSeeder(civilAffairs, DEMO_HUB_SECRET),
      partySeeder(party, DEMO_HUB_SECRET),
      housingSeeder(housing, DEMO_HUB_SECRET),
      mediationSeeder(mediation, DEMO_HUB_SECRET),
    ]);
  } finally {
    await Promise.all([publicSecurity, civilAffairs, party, housing, mediation, empty].map((d) => d.close()));
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
