// One implementation of the measures, in @hub/core: the subgraphs apply the same ones at their own edge.
export { countAliases, countRootFields, countTokens, estimateCost, measureDepth, type CostOptions } from '@hub/core';
