import { prepareDepartmentTemplate } from '@hub/demo/testing';
import type { TestProject } from 'vitest/node';
import { auditDatabase } from '@hub/audit-trail/db';
import { auditSeeder } from '../src/demo/seed.ts';

export default async function setup(project: TestProject) {
  const { templateUrl, teardown } = await prepareDepartmentTemplate(auditDatabase, auditSeeder);
  project.provide('templateUrl', templateUrl);
  return teardown;
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateUrl: string;
  }
}
