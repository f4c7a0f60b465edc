import { GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';

/** One prepared document (as asked, or a caller class's filtered copy) compiled to JavaScript by graphql-jit. */
export type CompiledExecution = (contextValue: unknown, variableValues: Record<string, unknown> | undefined) => ExecutionResult | Promise<ExecutionResult>;

/**
 * The prepared path's executor: graphql-jit compiles each prepared document once (and each caller class's filtered
 * copy once, the policy hands out the same object for a class), so a request runs straight-line code instead of
 * graphql-js's walk (field lookup, resolve info and path objects, type checks per field). The schema is
 * @apollo/subgraph's, resolvers and all: `_entities`, `__resolveReference`, the scalars' `serialize` run as they do
 * under graphql-js.
 *
 * Only queries are compiled. Mutations are few beside the gateway's reads, each a write that is audited: they keep
 * graphql-js, whose serial execution the audit tests were written against. A document the compiler refuses is
 * executed by graphql-js too, and is not tried again.
 *
 * graphql-jit words one error differently from graphql-js, and the prepared path must answer Apollo's bytes:
 * `Cannot return null for non-nullable field T.f.` names a field selected twice under one response key `T.(f,f)`;
 * `answerOf` rewrites it.
 */
export class CompiledDocuments {
  private readonly compiled = new WeakMap<DocumentNode, Map<string, CompiledExecution | null>>();

  constructor(private readonly schema: GraphQLSchema) {}

  /** The compiled execution of the document's operation, or undefined where graphql-js must run it. */
  of(document: DocumentNode, operationName: string | undefined, kind: 'query' | 'mutation' | 'subscription'): CompiledExecution | undefined {
    if (kind !== 'query') return undefined;
    let byName = this.compiled.get(document);
    if (!byName) this.compiled.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let execution = byName.get(key);
    if (execution === undefined) {
      execution = this.compile(document, operationName);
      byName.set(key, execution);
    }
    return execution ?? undefined;
  }

  private compile(document: DocumentNode, operationName: string | undefined): CompiledExecution | null {
    let compiled: ReturnType<typeof compileQuery<Record<string, unknown>, Record<string, unknown>>>;
    try {
      compiled = compileQuery<Record<string, unknown>, Record<string, unknown>>(this.schema, document, operationName);
    } catch {
      return null;
    }
    if (!isCompiledQuery(compiled)) return null;
    const query = compiled.query.bind(compiled);
    return (contextValue, variableValues) => {
      const result = query(undefined, contextValue, variableValues);
      return isPromise(result) ? result.then(answerOf) : answerOf(result);
    };
  }
}

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as Promise<T> | undefined)?.then === 'function';

/** graphql-js's wording of a non-null field's null for a field the operation selects more than once. */
const MERGED_NULL = /^(Cannot return null for non-nullable field [_A-Za-z][_0-9A-Za-z]*\.)\(([_A-Za-z][_0-9A-Za-z]*)(?:,[_A-Za-z][_0-9A-Za-z]*)*\)\.$/;

function answerOf(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  let errors: GraphQLError[] | undefined;
  result.errors.forEach((error, index) => {
    const merged = MERGED_NULL.exec(error.message);
    if (!merged) return;
    errors ??= [...result.errors!];
    // graphql-jit's errors carry their locations as such, not the nodes graphql-js would compute them from.
    const worded = new GraphQLError(`${merged[1]}${merged[2]}.`, { path: error.path, originalError: error.originalError, extensions: error.extensions });
    (worded as { locations: GraphQLError['locations'] }).locations = error.locations;
    errors[index] = worded;
  });
  return errors ? { ...result, errors } : result;
}
