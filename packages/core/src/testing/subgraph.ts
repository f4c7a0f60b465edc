import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { DocumentNode } from 'graphql';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Caller } from '../access/model.ts';
import { DEMO_HUB_SECRET } from '../config.ts';
import type { DepartmentDatabase } from '../db/database.ts';
import type { ServerOptions, Subgraph } from '../define-subgraph.ts';
import type { RunningService } from '../http.ts';
import { callerHeaders, testCaller, testCallerKeyFor } from './access.ts';
import { postGraphQL, type GraphQLResponse } from './graphql.ts';
import { cloneDatabase } from './index.ts';

export interface SubgraphUnderTest<TSchema extends Record<string, unknown>> {
  /** This file's clone of the template database, open (its statement counter counts the service's statements). */
  readonly database: DepartmentDatabase<TSchema>;
  readonly service: RunningService;
  /** Asks the service as the gateway would: signed internal token of `caller` (the harness's caller unless told). */
  gql<TData = Record<string, unknown>, TVariables = Record<string, unknown>>(
    query: string | DocumentNode | TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    caller?: Caller,
  ): Promise<GraphQLResponse<TData>>;
}

export interface SubgraphTestOptions<TOptions extends object> {
  /** Who asks when a request names no caller (default: the administrator). */
  caller?: Caller;
  /** Department options over those its process would take from the environment (the hub secret is the demo one). */
  options?: Partial<TOptions>;
  /** Runs on the fresh clone before the service opens it (e.g. writes records the test reads). */
  prepare?(url: string): Promise<void>;
}

/**
 * A subgraph for one test file: clones the template database its `global-setup.ts` provides (`templateUrl`), serves
 * the subgraph over the clone on port 0, trusting `testCallerKeyFor(<its name>)`, and drops both after the file.
 */
export function serveSubgraphForTests<TSchema extends Record<string, unknown>, TOptions extends object>(
  subgraph: Subgraph<TSchema, TOptions>,
  { caller = testCaller(), options = {}, prepare }: SubgraphTestOptions<TOptions> = {},
): SubgraphUnderTest<TSchema> {
  let database: DepartmentDatabase<TSchema> | undefined;
  let service: RunningService | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const clone = await cloneDatabase(inject('templateUrl'));
    drop = clone.drop;
    await prepare?.(clone.url);
    database = subgraph.database.open(clone.url);
    const host = { env: process.env, secret: () => DEMO_HUB_SECRET };
    const server = subgraph.createServer({ ...subgraph.options(host), ...options, database, callerKey: testCallerKeyFor(subgraph.name) } as ServerOptions<TSchema, TOptions>);
    service = await server.listen(0);
  });
  afterAll(async () => {
    // Closing the service closes its database.
    await (service ? service.close() : database?.close());
    await drop?.();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the subgraph under test is not started yet: use it inside a test or a hook');
    return value;
  };
  return {
    get database() {
      return started(database);
    },
    get service() {
      return started(service);
    },
    gql: async (query, variables, as = caller) => postGraphQL(started(service).url, query, variables, await callerHeaders(subgraph.name, as)),
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The department's template database, migrated and seeded with the test district by `global-setup.ts`. */
    templateUrl: string;
  }
}

/**
 * A subgraph's vitest globalSetup (`export default subgraphTemplateSetup(() => prepareDepartmentTemplate(...))`):
 * builds the template database once per run and hands its URL to every test file.
 */
export function subgraphTemplateSetup(prepare: () => Promise<{ templateUrl: string; teardown(): Promise<void> }>) {
  return async (project: { provide(key: 'templateUrl', value: string): void }): Promise<() => Promise<void>> => {
    const { templateUrl, teardown } = await prepare();
    project.provide('templateUrl', templateUrl);
    return teardown;
  };
}
