import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { Limits } from './config.ts';
import { LimitCode, limitError } from './errors.ts';
import { countAliases, countRootFields, countTokens, estimateCost, measureDepth } from './measure.ts';

export interface OperationMeasures {
  rootFields: number;
  aliases: number;
  depth: number;
  cost: number;
}

export interface OperationRequest {
  operationName?: string | null;
  variables?: Readonly<Record<string, unknown>> | null;
}

type OperationLimits = Pick<Limits, 'maxRootFields' | 'maxAliases' | 'maxDepth' | 'maxCost' | 'assumedListSize' | 'defaultPageSize' | 'maxPageSize'>;

/** Every measure of one operation of a parsed document, against the API schema. */
export function measureOperation(schema: GraphQLSchema, document: DocumentNode, request: OperationRequest, limits: OperationLimits): OperationMeasures {
  const { operationName } = request;
  return {
    rootFields: countRootFields(document, operationName),
    aliases: countAliases(document, operationName),
    depth: measureDepth(document, operationName),
    cost: estimateCost(schema, document, {
      operationName,
      variables: request.variables,
      assumedListSize: limits.assumedListSize,
      defaultPageSize: limits.defaultPageSize,
      maxPageSize: limits.maxPageSize,
    }),
  };
}

/** The first limit a parsed operation exceeds, as the error to refuse it with; undefined when it may run. */
export function checkOperation(schema: GraphQLSchema, document: DocumentNode, request: OperationRequest, limits: OperationLimits): GraphQLError | undefined {
  return checkMeasures(measureOperation(schema, document, request, limits), limits);
}

/** The first limit the measures of an operation exceed, as the error to refuse it with; undefined when it may run. */
export function checkMeasures(m: OperationMeasures, limits: OperationLimits): GraphQLError | undefined {
  if (m.rootFields > limits.maxRootFields) {
    return limitError(
      LimitCode.TOO_MANY_ROOT_FIELDS,
      `The operation selects ${m.rootFields} top-level fields; at most ${limits.maxRootFields} are allowed`,
      'HUB_MAX_ROOT_FIELDS',
      limits.maxRootFields,
      m.rootFields,
    );
  }
  if (m.aliases > limits.maxAliases) {
    return limitError(
      LimitCode.TOO_MANY_ALIASES,
      `The operation uses ${m.aliases} aliases; at most ${limits.maxAliases} are allowed`,
      'HUB_MAX_ALIASES',
      limits.maxAliases,
      m.aliases,
    );
  }
  if (m.depth > limits.maxDepth) {
    return limitError(
      LimitCode.QUERY_TOO_DEEP,
      `The operation is ${m.depth} levels deep; at most ${limits.maxDepth} are allowed`,
      'HUB_MAX_DEPTH',
      limits.maxDepth,
      m.depth,
    );
  }
  if (m.cost > limits.maxCost) {
    return limitError(
      LimitCode.QUERY_TOO_COSTLY,
      `The operation could return about ${m.cost} objects (list sizes multiplied through); at most ${limits.maxCost} are allowed. Ask for smaller pages.`,
      'HUB_MAX_COST',
      limits.maxCost,
      m.cost,
    );
  }
  return undefined;
}

/**
 * TOO_MANY_TOKENS when a document's source has more lexer tokens than allowed. Lexing is linear and the body size
 * is capped, so the whole document is counted to report the measured value.
 */
export function checkTokens(source: string, limits: Pick<Limits, 'maxTokens'>): GraphQLError | undefined {
  const tokens = countTokens(source);
  if (tokens <= limits.maxTokens) return undefined;
  return limitError(
    LimitCode.TOO_MANY_TOKENS,
    `The document has ${tokens} tokens; at most ${limits.maxTokens} are allowed`,
    'HUB_MAX_TOKENS',
    limits.maxTokens,
    tokens,
  );
}
