import { prepareDepartmentTemplate } from '@hub/demo/testing';
import type { TestProject } from 'vitest/node';
import { civilAffairsDatabase } from '../src/db/index.ts';
import { civilAffairsSeeder } from '../src/demo/seed.ts';

export default async function setup(project: TestProject) {
  const { templateUrl, teardown } = await prepareDepartmentTemplate(civilAffairsDatabase, civilAffairsSeeder);
  project.provide('templateUrl', templateUrl);
  return teardown;
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateUrl: string;
  }
}
