import type { HousingImportResolvers } from '../__generated__/resolvers-types.ts';

/** The import log keeps how foreign references were checked as 'graph' or 'format'; the graph answers a flag. */
export const HousingImport: HousingImportResolvers = {
  foreignReferencesThroughGraph: (run) => run.foreignReferences === 'graph',
};
