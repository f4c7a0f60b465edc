export { apolloServerOptions, DEFAULT_LIMITS, LIMIT_VARIABLES, limitsFromEnv, type Limits } from './config.ts';
export { checkMeasures, checkOperation, checkTokens, measureOperation, type OperationMeasures, type OperationRequest } from './check.ts';
export { LimitCode, limitError, timeoutError } from './errors.ts';
export { countAliases, countRootFields, countTokens, estimateCost, measureDepth, type CostOptions } from './measure.ts';
export { createLimitsPlugin, measuredOperation, type MeasuredOperation } from './plugin.ts';
export { AbortableRemoteGraphQLDataSource, raceAbort, requestSignal } from './timeout.ts';
