import { prepareHubTemplates } from '@hub/hub/testing';
import type { TestProject } from 'vitest/node';

export default async function setup(project: TestProject) {
  const { templates, teardown } = await prepareHubTemplates();
  project.provide('hubTemplates', templates);
  return teardown;
}

declare module 'vitest' {
  export interface ProvidedContext {
    hubTemplates: Record<string, string>;
  }
}
