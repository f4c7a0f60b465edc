import { prepareDepartmentTemplate } from '@hub/demo/testing';
import type { TestProject } from 'vitest/node';
import { housingDatabase } from '../src/db/index.ts';
import { housingSeeder } from '../src/demo/seed.ts';

export default async function setup(project: TestProject) {
  const { templateUrl, teardown } = await prepareDepartmentTemplate(housingDatabase, housingSeeder);
  project.provide('templateUrl', templateUrl);
  return teardown;
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateUrl: string;
  }
}
