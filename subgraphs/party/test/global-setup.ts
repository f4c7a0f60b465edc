import { prepareDepartmentTemplate } from '@hub/demo/testing';
import type { TestProject } from 'vitest/node';
import { partyDatabase } from '../src/db/index.ts';
import { partySeeder } from '../src/demo/seed.ts';

export default async function setup(project: TestProject) {
  const { templateUrl, teardown } = await prepareDepartmentTemplate(partyDatabase, partySeeder);
  project.provide('templateUrl', templateUrl);
  return teardown;
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateUrl: string;
  }
}
