import { isProduction } from '@hub/core';

/**
 * What the gateway refuses before an operation runs, and how long it lets one run. Every value is a positive whole
 * number; `limitsFromEnv` reads them from the environment and refuses malformed ones.
 */
export interface Limits {
  /** Deepest selection, fragments inlined, introspection fields not counted (HUB_MAX_DEPTH). */
  maxDepth: number;
  /** Aliased fields in the operation, fragments inlined as often as they are spread (HUB_MAX_ALIASES). */
  maxAliases: number;
  /** Top-level fields of the operation, fragments inlined (HUB_MAX_ROOT_FIELDS). */
  maxRootFields: number;
  /** Lexer tokens of the document, comments not counted, as graphql's `maxTokens` counts them (HUB_MAX_TOKENS). */
  maxTokens: number;
  /** Estimated objects the operation can return, list sizes multiplied through (HUB_MAX_COST). */
  maxCost: number;
  /** Bytes of a request body; larger ones get HTTP 413 REQUEST_TOO_LARGE (HUB_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Milliseconds an operation may take before it is stopped with HTTP 504 REQUEST_TIMEOUT (HUB_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** The size the cost estimate assumes for a list without `first` (HUB_ASSUMED_LIST_SIZE). */
  assumedListSize: number;
  /** The page size of a connection whose `first` is absent or null: the schema's own default. */
  defaultPageSize: number;
  /** The largest page a connection serves (larger `first` is refused by the subgraph with INVALID_PAGE_SIZE). */
  maxPageSize: number;
  /** NODE_ENV=production. */
  production: boolean;
  /** Whether `__schema` and `__type` are served: off in production. */
  introspection: boolean;
  /** Whether error messages may name the schema ("Did you mean …?"): off in production. */
  detailedErrors: boolean;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxDepth: 12,
  maxAliases: 30,
  maxRootFields: 10,
  maxTokens: 4000,
  maxCost: 50_000,
  maxBodyBytes: 1024 * 1024,
  requestTimeoutMs: 30_000,
  assumedListSize: 10,
  defaultPageSize: 20,
  maxPageSize: 500,
  production: false,
  introspection: true,
  detailedErrors: true,
});

/** The environment variable of each numeric limit. */
export const LIMIT_VARIABLES = {
  maxDepth: 'HUB_MAX_DEPTH',
  maxAliases: 'HUB_MAX_ALIASES',
  maxRootFields: 'HUB_MAX_ROOT_FIELDS',
  maxTokens: 'HUB_MAX_TOKENS',
  maxCost: 'HUB_MAX_COST',
  maxBodyBytes: 'HUB_MAX_BODY_BYTES',
  requestTimeoutMs: 'HUB_REQUEST_TIMEOUT_MS',
  assumedListSize: 'HUB_ASSUMED_LIST_SIZE',
} as const satisfies Partial<Record<keyof Limits, string>>;

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const trimmed = value.trim();
  const parsed = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(parsed) || parsed < 1) {
    throw new Error(`${name} must be a positive whole number, got "${value}"`);
  }
  return parsed;
}

/** The limits from HUB_MAX_* and HUB_REQUEST_TIMEOUT_MS, each defaulting to DEFAULT_LIMITS; NODE_ENV=production hardens. */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const [key, name] of Object.entries(LIMIT_VARIABLES) as [keyof typeof LIMIT_VARIABLES, string][]) {
    limits[key] = positiveInteger(name, env[name], DEFAULT_LIMITS[key]);
  }
  const production = isProduction(env);
  return { ...limits, production, introspection: !production, detailedErrors: !production };
}

/**
 * The ApolloServer options the limits decide, to spread into its constructor: the parser stops at `maxTokens`
 * (the limits plugin answers that TOO_MANY_TOKENS); introspection and schema details in error messages (validation's
 * "Did you mean …?") are off in production; stack traces never leave.
 */
export function apolloServerOptions(limits: Pick<Limits, 'maxTokens' | 'introspection' | 'detailedErrors'>) {
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    introspection: limits.introspection,
    hideSchemaDetailsFromClientErrors: !limits.detailedErrors,
    includeStacktraceInErrorResponses: false,
  };
}
