import { prepareDepartmentTemplate } from '@hub/demo/testing';
import type { TestProject } from 'vitest/node';
import { mediationDatabase } from '../src/db/index.ts';
import { mediationSeeder } from '../src/demo/seed.ts';

export default async function setup(project: TestProject) {
  const { templateUrl, teardown } = await prepareDepartmentTemplate(mediationDatabase, mediationSeeder);
  project.provide('templateUrl', templateUrl);
  return teardown;
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateUrl: string;
  }
}
