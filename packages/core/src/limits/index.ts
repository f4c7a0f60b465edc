export { LimitCode, limitError } from './errors.ts';
export { countAliases, countRootFields, countTokens, estimateCost, measureDepth, type CostOptions } from './measure.ts';
export { createSubgraphLimitsPlugin, SUBGRAPH_LIMITS, textNestingRefusal, type SubgraphLimits } from './subgraph.ts';
