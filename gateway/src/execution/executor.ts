import { createHash } from 'node:crypto';
import { buildOperationContext, type ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { isObjectOfType } from '@apollo/gateway/dist/dataRewrites.js';
import { generateHydratedPaths } from '@apollo/gateway/dist/executeQueryPlan.js';
import { deepMerge } from '@apollo/gateway/dist/utilities/deepMerge.js';
import { OpenTelemetrySpanNames, tracer } from '@apollo/gateway/dist/utilities/opentelemetry.js';
import type { FetchNode, PlanNode, QueryPlan, QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import { buildSchema, GraphQLError, Kind, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { inRecordingSpan } from '@hub/core';
import type { CountingLruCache } from '../cache.ts';
import { applyShape, compileShape, UnsupportedShape, type Shape } from './shape.ts';

// What every request uses of @apollo/gateway's and graphql's exports, read once: the bundle reaches a CommonJS
// module's exports through a getter per access (`import_deepMerge.deepMerge`), which showed in the profile.
const merge = deepMerge;
const objectOfType = isObjectOfType;
const FIELD = Kind.FIELD;
const REQUEST_SPAN = OpenTelemetrySpanNames.REQUEST;
const FETCH_SPAN = OpenTelemetrySpanNames.FETCH;
const gatewayTracer = tracer;

/**
 * What one operation (document and operation name) needs at every request, worked out at its first: its plan (from
 * the planner's cache), its operation context and the compiled shape of its answer. `null`: the stock executor
 * serves it (a plan with @defer, conditions or rewrites, introspection, a shape this compiler does not take).
 */
type OperationContext = ReturnType<typeof buildOperationContext>;

interface Prepared {
  /** The plan's key in the planner's cache, and the plan found there. */
  planKey: string;
  plan: QueryPlan;
  operationContext: OperationContext;
  shape: Shape;
}

/**
 * Requests whose variables were coerced against this operation's definitions before they reached the executor (the
 * gateway's prepared path checks them before it charges the rate limit): not coerced a second time.
 */
export const variablesCoerced = new WeakSet<GatewayGraphQLRequestContext>();

type Cursor = { path: (string | number)[]; data: unknown; fullResult: Record<string, unknown> };

interface Run {
  requestContext: GatewayGraphQLRequestContext;
  errors: GraphQLError[];
}

/**
 * The stock `@apollo/gateway` with its per-request execution replaced for the operations it has seen: each
 * operation's plan, operation context and answer shape are kept (`Prepared`), so a request runs the plan's fetches and
 * shapes the answer, instead of building a federation Operation from the document, looking the plan up by a hash of
 * a hash, and walking that Operation's selections with its directive and type lookups per field. An operation's
 * first request goes through the stock executor (which plans it and caches the plan), and so does any operation whose
 * plan uses what this one does not run. The fetches, their coalescing, tokens, retries and breakers are the data
 * sources' as before; errors, paths and the answer are the stock executor's.
 */
export class PreparedPlansGateway implements GatewayInterface {
  private stock: GatewayExecutor | null = null;
  private readonly prepared = new Map<string, Prepared | null>();
  private readonly supergraph: GraphQLSchema;

  constructor(
    private readonly inner: ApolloGateway,
    private readonly options: {
      supergraphSdl: string;
      planCache: CountingLruCache<QueryPlan>;
      dataSources: () => ReadonlyMap<string, GraphQLDataSource>;
      maxEntries: number;
    },
  ) {
    // The type conditions of entity representations are checked against the supergraph (as the stock executor does).
    this.supergraph = buildSchema(options.supergraphSdl, { assumeValidSDL: true, noLocation: true });
  }

  onSchemaLoadOrUpdate(callback: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0]) {
    return this.inner.onSchemaLoadOrUpdate((schemaContext) => {
      this.prepared.clear();
      callback(schemaContext);
    });
  }

  async load(options: Parameters<GatewayInterface['load']>[0]) {
    const loaded = await this.inner.load(options);
    this.stock = loaded.executor;
    return { ...loaded, executor: this.execute };
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  private readonly execute: GatewayExecutor = async (requestContext) => {
    const key = `${requestContext.queryHash}\u0000${requestContext.request.operationName ?? ''}`;
    const prepared = this.prepared.get(key);
    // The plan is still looked up in the planner's cache (its hits counted, its bound kept): a plan evicted there is
    // planned afresh by the stock executor, and prepared again.
    const current = prepared ? await this.options.planCache.get(prepared.planKey) : undefined;
    // The stock executor answers the query-plan debugging header itself.
    if (!prepared || current !== prepared.plan || requestContext.request.http?.headers.get('apollo-query-plan-experimental')) {
      const result = await this.stock!(requestContext);
      if (prepared === undefined || (prepared && current !== prepared.plan)) await this.prepare(key, requestContext).catch(() => this.remember(key, null));
      return result;
    }
    return inRecordingSpan(gatewayTracer, REQUEST_SPAN, {}, () => this.run(prepared, requestContext));
  };

  /** After the stock executor served an operation's first request: its plan is in the planner's cache now. */
  private async prepare(key: string, requestContext: GatewayGraphQLRequestContext): Promise<void> {
    const { queryHash, request, document } = requestContext;
    const planKey = request.operationName ? createHash('sha256').update(queryHash).update(request.operationName).digest('hex') : queryHash;
    // Not counted as a lookup: the stock executor has just looked it up (or planned it) for this request.
    const plan = this.options.planCache.peek(planKey);
    if (!plan) return;
    let entry: Prepared | null = null;
    try {
      const operationContext = buildOperationContext({ schema: requestContext.schema, operationDocument: document, operationName: request.operationName });
      if (operationContext.operation.operation !== 'query' || !plan.node || plan.node.kind === 'Subscription' || !supported(plan.node)) throw new UnsupportedShape('plan');
      entry = { planKey, plan, operationContext, shape: compileShape(requestContext.schema, operationContext.operation, operationContext.fragments) };
    } catch (error) {
      if (!(error instanceof UnsupportedShape)) throw error;
    }
    this.remember(key, entry);
  }

  private remember(key: string, entry: Prepared | null): void {
    this.prepared.delete(key);
    if (this.prepared.size >= this.options.maxEntries) this.prepared.delete(this.prepared.keys().next().value!);
    this.prepared.set(key, entry);
  }

  private async run(prepared: Prepared, requestContext: GatewayGraphQLRequestContext) {
    const { operationContext, plan, shape } = prepared;
    const variables = requestContext.request.variables;
    const definitions = operationContext.operation.variableDefinitions;
    if (definitions && definitions.length > 0 && !variablesCoerced.has(requestContext)) {
      const { errors } = getVariableValues(operationContext.schema, definitions, variables ?? {});
      if (errors) return { errors };
    }
    const run: Run = { requestContext, errors: [] };
    // A plain object (fast in V8): the shape refuses response names an Object inherits, and deepMerge defines its keys as own.
    const data: Record<string, unknown> = {};
    await this.executeNode(run, plan.node as PlanNode, { path: [], data, fullResult: data });
    let shaped: ReturnType<typeof applyShape>;
    try {
      shaped = applyShape(requestContext.schema, shape, data, variables);
    } catch (error) {
      return { errors: [error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined })] };
    }
    if (run.errors.length === 0 && shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
    return run.errors.length === 0 ? { data: shaped.data } : { errors: run.errors, data: shaped.data };
  }

  private async executeNode(run: Run, node: PlanNode, cursor: Cursor | undefined): Promise<void> {
    if (!cursor) return;
    switch (node.kind) {
      case 'Sequence':
        for (const child of node.nodes) await this.executeNode(run, child, cursor);
        return;
      case 'Parallel':
        await Promise.all(node.nodes.map((child) => this.executeNode(run, child, cursor)));
        return;
      case 'Flatten':
        return this.executeNode(run, node.node, moveInto(cursor, node.path));
      case 'Fetch':
        try {
          await this.executeFetch(run, node, cursor);
        } catch (error) {
          run.errors.push(error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined }));
        }
        return;
      default:
        throw new Error(`a ${node.kind} node in a prepared plan`);
    }
  }

  private async executeFetch(run: Run, fetch: FetchNode, cursor: Cursor): Promise<void> {
    const service = this.options.dataSources().get(fetch.serviceName);
    if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
    const entities = (Array.isArray(cursor.data) ? cursor.data.filter((e) => e !== null && e !== undefined) : [cursor.data]) as Record<string, unknown>[];
    if (entities.length < 1) return;
    const provided = run.requestContext.request.variables;
    const variables: Record<string, unknown> = Object.create(null);
    for (const name of fetch.variableUsages ?? []) {
      if (provided && Object.prototype.hasOwnProperty.call(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
    }
    if (!fetch.requires) {
      const received = await this.send(run, service, fetch, cursor, variables);
      for (const entity of entities) merge(entity, received);
      return;
    }
    // Each distinct representation is sent once: a list's entities often share one (GridPartyMembers' members of a
    // grid all live in that grid, so the stock gateway asks civil affairs for the same grid 4-20 times). An entity's
    // answer depends only on its representation (and the request's caller, the same for all), so each entity takes
    // the answer of its representation's one copy; a department's error at a copy is told for every entity that
    // shares it, at the index the stock gateway would have sent it at.
    const representations: Record<string, unknown>[] = [];
    /** Per entity with a representation, in order: the representation sent for it (the stock request's order). */
    const sentFor: number[] = [];
    const entityIndex: number[] = [];
    let seen: Map<string, number> | undefined;
    entities.forEach((entity, index) => {
      const representation = representationOf(this.supergraph, entity, fetch.requires!);
      if (!representation || !representation.__typename) return;
      let slot: number | undefined;
      if (entities.length > 1) {
        const key = JSON.stringify(representation);
        slot = (seen ??= new Map()).get(key);
        if (slot === undefined) seen.set(key, representations.length);
      }
      if (slot === undefined) {
        slot = representations.length;
        representations.push(representation);
      }
      sentFor.push(slot);
      entityIndex.push(index);
    });
    if (representations.length < 1) return;
    if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');
    const shared = representations.length < sentFor.length ? { sentFor, sent: representations.length } : undefined;
    const received = await this.send(run, service, fetch, cursor, { ...variables, representations }, shared);
    if (!received) return;
    const list = received._entities;
    if (!Array.isArray(list)) throw new Error('Expected "data._entities" in response to be an array');
    if (list.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
    for (let i = 0; i < sentFor.length; i++) {
      const entity = list[sentFor[i]!] as Record<string, unknown> | null;
      const existing = entities[entityIndex[i]!]!;
      if (entity && !entity.__typename) entity.__typename = existing.__typename;
      merge(existing, entity);
    }
  }

  /**
   * `shared`: how the representations sent stand for the entities when some were sent once for several (`executeFetch`);
   * a department's error at a representation is then told at each of its entities' places in the stock request.
   */
  private send(
    run: Run,
    service: GraphQLDataSource,
    fetch: FetchNode,
    cursor: Cursor,
    variables: Record<string, unknown>,
    shared?: { sentFor: number[]; sent: number },
  ): Promise<Record<string, unknown> | null | undefined> {
    return inRecordingSpan(gatewayTracer, FETCH_SPAN, { attributes: { service: fetch.serviceName } }, async () => {
      const { requestContext } = run;
      const response = await service.process({
        kind: 'incoming operation' as never,
        request: { query: fetch.operation, variables, operationName: fetch.operationName },
        incomingRequestContext: requestContext as never,
        context: requestContext.context,
        document: fetch.operationDocumentNode,
        pathInIncomingRequest: cursor.path,
      });
      if (response.errors) {
        const pathOf = errorPaths(fetch, cursor);
        if (!shared) {
          for (const error of response.errors) run.errors.push(downstreamError(error, fetch.serviceName, pathOf));
        } else {
          // Each error at a representation sent once, for each entity it stands for, in the order of the entities (as
          // a department answers a request with every copy, item by item); errors at no entity come first.
          const atEntities: { position: number; error: GraphQLFormattedError }[] = [];
          for (const error of response.errors) {
            const at = error.path?.[1];
            if (typeof at !== 'number' || !(at >= 0 && at < shared.sent)) {
              run.errors.push(downstreamError(error, fetch.serviceName, pathOf));
              continue;
            }
            for (let position = 0; position < shared.sentFor.length; position++) {
              if (shared.sentFor[position] === at) atEntities.push({ position, error: { ...error, path: [error.path![0]!, position, ...error.path!.slice(2)] } });
            }
          }
          atEntities.sort((a, b) => a.position - b.position);
          for (const { error } of atEntities) run.errors.push(downstreamError(error, fetch.serviceName, pathOf));
        }
      }
      return response.data as Record<string, unknown> | null | undefined;
    });
  }
}

/** Whether a plan uses only what `executeNode` runs (no @defer, no conditions, no rewrites of interface objects). */
function supported(node: PlanNode): boolean {
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return node.nodes.every(supported);
    case 'Flatten':
      return supported(node.node);
    case 'Fetch':
      return !node.inputRewrites?.length && !node.outputRewrites?.length && !node.contextRewrites?.length;
    default:
      return false;
  }
}

/** The entity's representation as a fetch's `requires` selects it (`null` where a required field is missing). */
function representationOf(schema: GraphQLSchema, source: Record<string, unknown> | null, selections: readonly QueryPlanSelectionNode[]): Record<string, unknown> | null {
  if (source === null) return null;
  // Keys are the supergraph's field names (never `__proto__`: names starting with `__` are reserved).
  const result: Record<string, unknown> = {};
  for (const selection of selections) {
    if (selection.kind === FIELD) {
      const name = selection.alias ?? selection.name;
      const value = Object.prototype.hasOwnProperty.call(source, name) ? source[name] : undefined;
      if (value === undefined) return null;
      const inner = selection.selections;
      if (Array.isArray(value)) result[name] = value.map((item) => (inner ? representationOf(schema, item as Record<string, unknown> | null, inner) : item));
      else result[name] = inner ? representationOf(schema, value as Record<string, unknown> | null, inner) : value;
    } else if (selection.typeCondition && objectOfType(schema, source, selection.typeCondition)) {
      merge(result, representationOf(schema, source, selection.selections));
    }
  }
  return result;
}

function moveInto(cursor: Cursor, path: readonly (string | number)[]): Cursor | undefined {
  const data = flattenAt(cursor.data, path);
  return data ? { path: cursor.path.concat(path), data, fullResult: cursor.fullResult } : undefined;
}

/**
 * The values at `path` from `at` on, a list's (`@`) flattened one level as `flatMap` would: walked by index, with no
 * copy of the path's rest and no callback per level (a Flatten node of every entity fetch goes through here).
 */
function flattenAt(value: unknown, path: readonly (string | number)[], at = 0): unknown {
  if (at === path.length || value === undefined || value === null) return value;
  const head = path[at];
  if (head === '@') {
    if (!Array.isArray(value)) throw new Error(`Unexpected value at path element ${head}`);
    const items = value as unknown[];
    const flat: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      if (!(i in items)) continue;
      const inner = flattenAt(items[i], path, at + 1);
      if (Array.isArray(inner)) for (let j = 0; j < inner.length; j++) flat.push(inner[j]);
      else flat.push(inner);
    }
    return flat;
  }
  if (typeof head !== 'string' || Array.isArray(value)) throw new Error(`Unexpected value at path element ${String(head)}`);
  const object = value as Record<string, unknown>;
  return flattenAt(Object.prototype.hasOwnProperty.call(object, head) ? object[head] : undefined, path, at + 1);
}

/** A subgraph error's path in the client's answer: an entity fetch's `_entities` index becomes the entity's path. */
function errorPaths(fetch: FetchNode, cursor: Cursor) {
  let hydrated: (string | number)[][] | undefined;
  return (path: readonly (string | number)[] | undefined): (string | number)[] | undefined => {
    if (fetch.requires && typeof path?.[1] === 'number') {
      if (!hydrated) {
        hydrated = [];
        generateHydratedPaths([], cursor.path, cursor.fullResult, hydrated);
      }
      return [...(hydrated[path[1]] ?? []), ...path.slice(2)];
    }
    return path ? [...cursor.path, ...path] : undefined;
  };
}

/** A department's error as the stock executor passes it on: its code (DOWNSTREAM_SERVICE_ERROR without one) and the subgraph's name. */
function downstreamError(error: GraphQLFormattedError, serviceName: string, pathOf: ReturnType<typeof errorPaths>): GraphQLError {
  const code = error.extensions?.code;
  return new GraphQLError(error.message || `Error while fetching subquery from service "${serviceName}"`, {
    originalError: error as Error,
    path: pathOf(error.path),
    extensions: { ...error.extensions, serviceName, ...(code ? {} : { code: 'DOWNSTREAM_SERVICE_ERROR' }) },
  });
}
