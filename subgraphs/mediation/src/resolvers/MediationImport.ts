import type { MediationImportResolvers } from '../__generated__/resolvers-types.ts';

/** The import log keeps how foreign references were checked as 'graph' or 'format'; the graph answers a flag. */
export const MediationImport: MediationImportResolvers = {
  foreignReferencesThroughGraph: (run) => run.foreignReferences === 'graph',
};
