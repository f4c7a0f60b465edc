import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { createHttpService, listen, type RunningService } from '@hub/core';
import { buildSchema, Kind, parse, print, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortableRemoteGraphQLDataSource,
  apolloServerOptions,
  checkOperation,
  checkTokens,
  countAliases,
  countRootFields,
  countTokens,
  createLimitsPlugin,
  DEFAULT_LIMITS,
  estimateCost,
  limitsFromEnv,
  measureDepth,
  requestSignal,
  type Limits,
} from '../src/limits/index.ts';
import { DEFAULT_SUPERGRAPH, readSupergraph } from '../src/supergraph.ts';
import { withEnforcedSecurityLinks } from '../src/policy/supergraph.ts';

const apiSchema = buildSchema(readFileSync(new URL('../../schema/api.graphql', import.meta.url), 'utf8'));
const GRID = '"320311001001001"';

/** Parses a document and checks that the API schema accepts it, so "passes" means a query the gateway would run. */
function legal(source: string, schema: GraphQLSchema = apiSchema): DocumentNode {
  const document = parse(source);
  expect(validate(schema, document).map((e) => e.message)).toEqual([]);
  return document;
}

function refusal(source: string, variables: Record<string, unknown> = {}, limits: Limits = DEFAULT_LIMITS) {
  return checkOperation(apiSchema, legal(source), { variables }, limits);
}

/**
 * A query exactly `depth` levels deep over single objects and one-row pages, so its cost stays small:
 * grid > residents(first: 1) > edges > node > grid > … ending in a scalar.
 */
function deepQuery(depth: number): string {
  const cycle = ['residents(first: 1)', 'edges', 'node', 'grid'];
  const leafAfter: Record<string, string> = { grid: 'code', 'residents(first: 1)': 'totalCount', edges: 'cursor', node: 'id' };
  const chain = [`grid(code: ${GRID})`];
  while (chain.length < depth - 1) chain.push(cycle[(chain.length - 1) % cycle.length]!);
  const last = chain[chain.length - 1]!.startsWith('grid(') ? 'grid' : chain[chain.length - 1]!;
  return `{ ${chain.map((f) => `${f} {`).join(' ')} ${leafAfter[last]} ${'}'.repeat(chain.length)} }`;
}

const aliases = (n: number, prefix = 'a') => Array.from({ length: n }, (_, i) => `${prefix}${i}: code`).join(' ');

/** `grids(first: $outer) { … residents(first: $inner) … }`: 1 + outer × (2 + 1 + inner × 2) objects. */
const NESTED = `
  query Nested($outer: Int, $inner: Int) {
    grids(first: $outer) { edges { node { code residents(first: $inner) { totalCount edges { node { id name } } } } } }
  }`;

describe('depth', () => {
  it('counts selection levels, fragments inlined, introspection not', () => {
    expect(measureDepth(legal('{ district { name } }'))).toBe(2);
    expect(measureDepth(legal(`{ grid(code: ${GRID}) { community { street { name } } } }`))).toBe(4);
    expect(measureDepth(legal(`{ grid(code: ${GRID}) { ...G } } fragment G on Grid { community { ... on Community { street { name } } } }`))).toBe(4);
    expect(measureDepth(legal('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }'))).toBe(0);
    expect(measureDepth(legal(deepQuery(12)))).toBe(12);
  });

  it(`refuses ${DEFAULT_LIMITS.maxDepth + 1} levels with QUERY_TOO_DEEP and passes ${DEFAULT_LIMITS.maxDepth}`, () => {
    expect(refusal(deepQuery(DEFAULT_LIMITS.maxDepth))).toBeUndefined();
    const error = refusal(deepQuery(DEFAULT_LIMITS.maxDepth + 1));
    expect(error?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', limit: 'HUB_MAX_DEPTH', maximum: 12, measured: 13, http: { status: 400 } });
  });

  it('measures depth through fragments', () => {
    const inFragment = `{ grid(code: ${GRID}) { ...Deep } } fragment Deep on Grid { ${deepQuery(13).slice(2, -2).replace(/^grid\(code: "\d+"\) \{/, '').replace(/\}\s*$/, '')} }`;
    expect(measureDepth(legal(inFragment))).toBe(13);
    expect(checkOperation(apiSchema, legal(inFragment), {}, DEFAULT_LIMITS)?.extensions.code).toBe('QUERY_TOO_DEEP');
  });
});

describe('aliases', () => {
  it(`refuses ${DEFAULT_LIMITS.maxAliases + 1} aliases with TOO_MANY_ALIASES and passes ${DEFAULT_LIMITS.maxAliases}`, () => {
    expect(countAliases(legal(`{ grid(code: ${GRID}) { ${aliases(30)} } }`))).toBe(30);
    expect(refusal(`{ grid(code: ${GRID}) { ${aliases(30)} } }`)).toBeUndefined();
    expect(refusal(`{ grid(code: ${GRID}) { ${aliases(31)} } }`)?.extensions).toMatchObject({
      code: 'TOO_MANY_ALIASES',
      limit: 'HUB_MAX_ALIASES',
      maximum: 30,
      measured: 31,
    });
  });

  it('counts a fragment once per spread', () => {
    const twice = `{ g1: grid(code: ${GRID}) { ...A } g2: grid(code: ${GRID}) { ...A } } fragment A on Grid { ${aliases(14)} }`;
    expect(countAliases(legal(twice))).toBe(2 + 28);
    expect(refusal(twice)).toBeUndefined();
    const thrice = `{ g1: grid(code: ${GRID}) { ...A } g2: grid(code: ${GRID}) { ...A } g3: grid(code: ${GRID}) { ...A } } fragment A on Grid { ${aliases(14)} }`;
    expect(refusal(thrice)?.extensions).toMatchObject({ code: 'TOO_MANY_ALIASES', measured: 3 + 42 });
  });

  it('measures a fragment bomb without inlining it', () => {
    // Each level spreads the one below twice: 2^20 aliases inlined, measured in linear time.
    const levels = Array.from({ length: 20 }, (_, i) => `fragment F${i} on Grid { ...F${i + 1} ...F${i + 1} }`).join('\n');
    const bomb = parse(`{ grid(code: ${GRID}) { ...F0 } }\n${levels}\nfragment F20 on Grid { x: code }`);
    expect(countAliases(bomb)).toBe(2 ** 20);
    expect(checkOperation(apiSchema, bomb, {}, DEFAULT_LIMITS)?.extensions.code).toBe('TOO_MANY_ALIASES');
  });
});

describe('root fields', () => {
  const roots = (n: number) => Array.from({ length: n }, (_, i) => `s${i}: streets { code }`).join(' ');

  it(`refuses ${DEFAULT_LIMITS.maxRootFields + 1} top-level fields with TOO_MANY_ROOT_FIELDS and passes ${DEFAULT_LIMITS.maxRootFields}`, () => {
    expect(countRootFields(legal(`{ ${roots(10)} __typename }`))).toBe(10);
    expect(refusal(`{ ${roots(10)} __typename }`)).toBeUndefined();
    expect(refusal(`{ ${roots(11)} }`)?.extensions).toMatchObject({
      code: 'TOO_MANY_ROOT_FIELDS',
      limit: 'HUB_MAX_ROOT_FIELDS',
      maximum: 10,
      measured: 11,
    });
  });

  it('counts the top-level fields of fragments', () => {
    const document = legal(`{ district { name } ...R ... on Query { streets { code } } } fragment R on Query { ${roots(8)} }`);
    expect(countRootFields(document)).toBe(10);
    expect(checkOperation(apiSchema, document, {}, DEFAULT_LIMITS)).toBeUndefined();
  });

  it('measures only the operation asked for', () => {
    const document = legal(`query Small { district { name } } query Big { ${roots(11)} }`);
    expect(countRootFields(document, 'Small')).toBe(1);
    expect(checkOperation(apiSchema, document, { operationName: 'Small' }, DEFAULT_LIMITS)).toBeUndefined();
    expect(checkOperation(apiSchema, document, { operationName: 'Big' }, DEFAULT_LIMITS)?.extensions.code).toBe('TOO_MANY_ROOT_FIELDS');
  });
});

describe('tokens', () => {
  // `{ grid(code: "…") { code … } }` is 10 tokens plus one per `code`.
  const withTokens = (n: number) => `# a comment is not a token\n{ grid(code: ${GRID}) { ${'code '.repeat(n - 10)}} }`;

  it("counts what graphql's parse counts against maxTokens", () => {
    expect(countTokens(withTokens(4000))).toBe(4000);
    expect(() => parse(withTokens(4000), { maxTokens: 4000 })).not.toThrow();
    expect(() => parse(withTokens(4001), { maxTokens: 4000 })).toThrow(/4000 tokens/);
    expect(countTokens('{ a(x: "unterminated) }')).toBe(5); // { a ( x : then the lexer gives up
  });

  it(`refuses ${DEFAULT_LIMITS.maxTokens + 1} tokens with TOO_MANY_TOKENS and passes ${DEFAULT_LIMITS.maxTokens}`, () => {
    expect(checkTokens(withTokens(4000), DEFAULT_LIMITS)).toBeUndefined();
    expect(checkTokens(withTokens(4001), DEFAULT_LIMITS)?.extensions).toMatchObject({
      code: 'TOO_MANY_TOKENS',
      limit: 'HUB_MAX_TOKENS',
      maximum: 4000,
      measured: 4001,
    });
  });
});

describe('cost', () => {
  it('multiplies page sizes through nested connections', () => {
    const literal = legal(`{ grids(first: 50) { edges { node { residents(first: 100) { edges { node { id } } } } } } }`);
    // grids 1 + 50 × (edge 1 + node 1 + residents 1 + 100 × (edge 1 + node 1))
    expect(estimateCost(apiSchema, literal)).toBe(1 + 50 * (2 + 1 + 100 * 2));
    expect(estimateCost(apiSchema, literal)).toBeGreaterThan(5000);
  });

  it(`refuses more than ${DEFAULT_LIMITS.maxCost} objects with QUERY_TOO_COSTLY and passes a query just under`, () => {
    // 1 + outer × (3 + 2 × 100) = 1 + 203 × outer: 246 → 49,939, 247 → 50,142.
    expect(estimateCost(apiSchema, legal(NESTED), { variables: { outer: 246, inner: 100 } })).toBe(49_939);
    expect(refusal(NESTED, { outer: 246, inner: 100 })).toBeUndefined();
    expect(refusal(NESTED, { outer: 247, inner: 100 })?.extensions).toMatchObject({
      code: 'QUERY_TOO_COSTLY',
      limit: 'HUB_MAX_COST',
      maximum: 50_000,
      measured: 50_142,
    });
  });

  it('resolves first from variables, their defaults and the schema default', () => {
    const cost = (source: string, variables?: Record<string, unknown>) => estimateCost(apiSchema, legal(source), { variables });
    expect(cost(NESTED, { outer: 10, inner: 10 })).toBe(1 + 10 * (3 + 10 * 2));
    expect(cost(NESTED, {})).toBe(1 + 20 * (3 + 20 * 2)); // both absent: the schema's default, 20
    expect(cost(NESTED, { outer: null, inner: null })).toBe(1 + 20 * (3 + 20 * 2));
    expect(cost(NESTED.replace('$outer: Int', '$outer: Int = 5'), { inner: 1 })).toBe(1 + 5 * (3 + 1 * 2));
    expect(cost(NESTED, { outer: 5000, inner: 1 })).toBe(1 + 500 * (3 + 2)); // a page never exceeds 500
    expect(cost('{ grids(first: 0) { totalCount edges { node { code } } } }')).toBe(1);
  });

  it('counts fragments like the selections they stand for', () => {
    const inline = `{ grids(first: 50) { edges { node { residents(first: 100) { edges { node { id } } } } } } }`;
    const fragments = `
      { grids(first: 50) { ...Page } }
      fragment Page on GridConnection { edges { node { ...People } } }
      fragment People on Grid { residents(first: 100) { edges { ... on ResidentEdge { node { id } } } } }`;
    expect(estimateCost(apiSchema, legal(fragments))).toBe(estimateCost(apiSchema, legal(inline)));
    const twice = `{ a: grid(code: ${GRID}) { ...People } b: grid(code: ${GRID}) { ...People } } fragment People on Grid { residents(first: 100) { edges { node { id } } } }`;
    expect(estimateCost(apiSchema, legal(twice))).toBe(2 * (1 + 1 + 100 * 2));
  });

  it('assumes a size for plain lists, charges objects only, and leaves introspection free', () => {
    expect(estimateCost(apiSchema, legal('{ district { name } }'))).toBe(1);
    expect(estimateCost(apiSchema, legal('{ streets { code } }'))).toBe(10);
    expect(estimateCost(apiSchema, legal('{ streets { communities { code } } }'))).toBe(10 + 10 * 10);
    expect(estimateCost(apiSchema, legal('{ streets { communities { code } } }'), { assumedListSize: 3 })).toBe(3 + 3 * 3);
    expect(estimateCost(apiSchema, legal('{ __schema { types { name fields { name type { name } } } } __typename }'))).toBe(0);
    const lists = '{ streets { communities { grids { workers { name } } } } }';
    expect(refusal(lists)).toBeUndefined(); // 10 + 100 + 1,000 + 10,000
    expect(refusal(`{ a: streets { communities { grids { workers { name } } } } ${lists.slice(1, -1)} b: ${lists.slice(1, -1)} c: ${lists.slice(1, -1)} d: ${lists.slice(1, -1)} }`)?.extensions.code).toBe(
      'QUERY_TOO_COSTLY',
    );
  });

  it("passes every department's operation (the apps' under clients/, the tests' under test/operations), even at 500 rows a page", () => {
    const dirs = [new URL('../../clients/', import.meta.url), new URL('../../test/operations/', import.meta.url)];
    const files = dirs.flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.graphql'))
        .map((f) => fileURLToPath(new URL(f, dir))),
    );
    expect(files.length).toBeGreaterThan(5);
    // A file may spread a fragment another file defines, as codegen and the trusted documents join them.
    const sources = new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));
    const fragments = new Map(
      [...sources.values()].flatMap((source) => parse(source).definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, print(d)] as const)),
    );
    const withFragments = (source: string): string => {
      const defined = new Set(parse(source).definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [d.name.value] : [])));
      const missing = [...new Set([...source.matchAll(/\.\.\.\s*([A-Za-z_]\w*)/g)].map((m) => m[1]!))].filter((name) => name !== 'on' && !defined.has(name) && fragments.has(name));
      return missing.length === 0 ? source : withFragments(`${source}\n${missing.map((name) => fragments.get(name)).join('\n')}`);
    };
    for (const [file, source] of sources) {
      expect(checkTokens(source, DEFAULT_LIMITS), file).toBeUndefined();
      expect(checkOperation(apiSchema, legal(withFragments(source)), { variables: { first: 500 } }, DEFAULT_LIMITS), file).toBeUndefined();
    }
  });
});

describe('configuration', () => {
  it('defaults every limit', () => {
    expect(limitsFromEnv({})).toEqual({
      maxDepth: 12,
      maxAliases: 30,
      maxRootFields: 10,
      maxTokens: 4000,
      maxCost: 50_000,
      maxBodyBytes: 1_048_576,
      requestTimeoutMs: 30_000,
      assumedListSize: 10,
      defaultPageSize: 20,
      maxPageSize: 500,
      production: false,
      introspection: true,
      detailedErrors: true,
    });
  });

  it('reads HUB_* variables', () => {
    const limits = limitsFromEnv({
      HUB_MAX_DEPTH: '8',
      HUB_MAX_ALIASES: '5',
      HUB_MAX_ROOT_FIELDS: '3',
      HUB_MAX_TOKENS: '1000',
      HUB_MAX_COST: '2000',
      HUB_MAX_BODY_BYTES: '65536',
      HUB_REQUEST_TIMEOUT_MS: ' 5000 ',
      HUB_ASSUMED_LIST_SIZE: '25',
    });
    expect(limits).toMatchObject({ maxDepth: 8, maxAliases: 5, maxRootFields: 3, maxTokens: 1000, maxCost: 2000, maxBodyBytes: 65_536, requestTimeoutMs: 5000, assumedListSize: 25 });
    expect(limitsFromEnv({ HUB_MAX_DEPTH: '' }).maxDepth).toBe(12);
  });

  it('refuses a malformed value, naming the variable', () => {
    for (const value of ['abc', '0', '-1', '1.5', '1e3', '12 levels', '99999999999999999999']) {
      expect(() => limitsFromEnv({ HUB_MAX_DEPTH: value })).toThrow(`HUB_MAX_DEPTH must be a positive whole number, got "${value}"`);
    }
    expect(() => limitsFromEnv({ HUB_REQUEST_TIMEOUT_MS: '30s' })).toThrow(/HUB_REQUEST_TIMEOUT_MS/);
  });

  it('turns introspection and detailed errors off in production', () => {
    const production = limitsFromEnv({ NODE_ENV: 'production' });
    expect(production).toMatchObject({ production: true, introspection: false, detailedErrors: false });
    expect(apolloServerOptions(production)).toEqual({
      parseOptions: { maxTokens: 4000 },
      introspection: false,
      hideSchemaDetailsFromClientErrors: true,
      includeStacktraceInErrorResponses: false,
    });
    expect(apolloServerOptions(limitsFromEnv({ NODE_ENV: 'development' }))).toMatchObject({ introspection: true, hideSchemaDetailsFromClientErrors: false });
  });
});

// ---- through Apollo Server and HTTP ------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(url: string, payload: unknown): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const TINY = `
  type Query { items(first: Int = 20): [Item!]!  slow: String  hello: String }
  type Item { id: ID!  children(first: Int = 20): [Item!]! }
`;

describe('the plugin in an Apollo Server (a small local schema)', () => {
  const limits: Limits = { ...DEFAULT_LIMITS, maxDepth: 4, maxAliases: 3, maxRootFields: 2, maxTokens: 40, maxCost: 1000, maxBodyBytes: 2000, requestTimeoutMs: 300 };
  const schema = buildSchema(TINY);
  let service: RunningService;
  let slowAborted = false;

  beforeAll(async () => {
    const items = (_: unknown, args: { first: number }) => Array.from({ length: args.first }, (_, i) => ({ id: String(i) }));
    const apollo = new ApolloServer({
      typeDefs: TINY,
      resolvers: {
        Query: {
          hello: () => 'hi',
          items,
          // Waits for the request's deadline, as a resolver doing slow work would, and gives up when it fires.
          slow: (_: unknown, __: unknown, context: object) =>
            new Promise<string>((resolve, reject) => {
              const signal = requestSignal(context);
              const done = setTimeout(() => resolve('finally'), 10_000);
              signal?.addEventListener('abort', () => {
                slowAborted = true;
                clearTimeout(done);
                reject(signal.reason);
              });
            }),
        },
        Item: { children: items },
      },
      ...apolloServerOptions(limits),
      plugins: [createLimitsPlugin(schema, limits)],
    });
    await apollo.start();
    service = await listen(createHttpService({ apollo, context: async () => ({}), maxBodyBytes: limits.maxBodyBytes }), 0, '127.0.0.1', () => apollo.stop());
  });
  afterAll(async () => service?.close());

  it('runs a legal operation just under every limit', async () => {
    // depth 4, 2 root fields, 3 aliases, cost 1 × (10 + 10 × 10 × (1 + 2)) … within 1,000
    const query = '{ a: items(first: 10) { id children(first: 10) { b: id children(first: 2) { c: id } } } hello }';
    expect(countTokens(query)).toBeLessThanOrEqual(40);
    const answer = await post(service.url, { query });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
    expect((answer.body.data?.a as unknown[]).length).toBe(10);
  });

  it.each([
    ['QUERY_TOO_DEEP', '{ items(first: 1) { children(first: 1) { children(first: 1) { children(first: 1) { id } } } } }', 4, 5],
    ['TOO_MANY_ALIASES', '{ items(first: 1) { a: id b: id c: id d: id } }', 3, 4],
    ['TOO_MANY_ROOT_FIELDS', '{ hello a: hello b: hello }', 2, 3],
    ['QUERY_TOO_COSTLY', '{ items(first: 40) { children(first: 30) { id } } }', 1000, 40 + 40 * 30],
    ['TOO_MANY_TOKENS', `{ hello ${'__typename '.repeat(40)}}`, 40, 43],
  ])('refuses with %s and HTTP 400, naming the limit and the measured value', async (code, query, maximum, measured) => {
    const answer = await post(service.url, { query });
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors).toHaveLength(1);
    expect(answer.body.errors?.[0]?.extensions).toEqual({ code, limit: expect.stringMatching(/^HUB_/), maximum, measured });
  });

  it('honours variables for first', async () => {
    const query = 'query($n: Int) { items(first: $n) { children(first: $n) { id } } }';
    expect((await post(service.url, { query, variables: { n: 32 } })).body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', measured: 32 + 32 * 32 });
    expect((await post(service.url, { query, variables: { n: 31 } })).status).toBe(200); // 31 + 961
    // Measures are kept per document and page-size values: the same document asked again is measured by its own.
    expect((await post(service.url, { query, variables: { n: 32 } })).body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', measured: 32 + 32 * 32 });
    expect((await post(service.url, { query: 'query($n: Int = 40) { items(first: $n) { children(first: $n) { id } } }', variables: {} })).body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', measured: 40 + 40 * 40 });
    expect((await post(service.url, { query: 'query($n: Int = 40) { items(first: $n) { children(first: $n) { id } } }', variables: { n: 2 } })).status).toBe(200);
  });

  it('stops an operation that runs past the timeout with HTTP 504 REQUEST_TIMEOUT', async () => {
    const started = Date.now();
    const answer = await post(service.url, { query: '{ slow }' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(slowAborted).toBe(true);
    expect(answer.status).toBe(504);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors).toEqual([
      {
        message: 'The request took longer than 300 ms and was stopped',
        extensions: { code: 'REQUEST_TIMEOUT', limit: 'HUB_REQUEST_TIMEOUT_MS', maximum: 300, measured: expect.any(Number) },
      },
    ]);
  });

  it('refuses a body over maxBodyBytes with HTTP 413 REQUEST_TOO_LARGE and takes one just under', async () => {
    const padded = (bytes: number) => {
      const base = JSON.stringify({ query: '{ hello }', variables: { pad: '' } });
      return JSON.stringify({ query: '{ hello }', variables: { pad: 'x'.repeat(bytes - base.length) } });
    };
    const send = (body: string, chunked = false) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(service.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': Buffer.byteLength(body) }) } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const under = await send(padded(2000));
    expect(under.status).toBe(200);
    for (const chunked of [false, true]) {
      const over = await send(padded(2001), chunked);
      expect(over.status).toBe(413);
      expect(JSON.parse(over.body)).toMatchObject({ errors: [{ extensions: { code: 'REQUEST_TOO_LARGE' } }] });
    }
  });
});

describe('the plugin in the gateway (the real supergraph, a stand-in subgraph)', () => {
  // Room for the first operation's planning on a busy 2-core machine (it took 728 ms under a load average of 25),
  // and still well inside the 5 s the timeout case allows.
  const limits: Limits = { ...DEFAULT_LIMITS, requestTimeoutMs: 2_000 };
  let service: RunningService;
  let subgraph: Server;
  let subgraphCalls = 0;
  let hang = false;
  let abortedFetches = 0;

  beforeAll(async () => {
    // Answers every subgraph fetch as civil-affairs would for `{ streets { code } }`, or never (until aborted).
    subgraph = createServer((req, res) => {
      subgraphCalls++;
      req.resume();
      if (hang) {
        res.on('close', () => abortedFetches++);
        return;
      }
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { streets: [{ code: '320311001000' }] } }));
      });
    });
    await new Promise<void>((resolve) => subgraph.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
    const gateway = new ApolloGateway({
      supergraphSdl: withEnforcedSecurityLinks(readSupergraph(DEFAULT_SUPERGRAPH)),
      buildService: () => new AbortableRemoteGraphQLDataSource({ url }),
    });
    // Without apolloServerOptions: Apollo parses any number of tokens and the plugin alone refuses them.
    const apollo = new ApolloServer({ gateway, plugins: [createLimitsPlugin(undefined, limits)] });
    await apollo.start();
    service = await listen(createHttpService({ apollo, context: async () => ({}) }), 0, '127.0.0.1', () => apollo.stop());
  });
  afterAll(async () => {
    await service?.close();
    subgraph?.closeAllConnections();
    await new Promise((resolve) => subgraph?.close(resolve));
  });

  it('measures cost against the schema the gateway loaded, and no subgraph is asked', async () => {
    const answer = await post(service.url, { query: NESTED, variables: { outer: 247, inner: 100 } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', measured: 50_142 });
    const deep = await post(service.url, { query: deepQuery(13) });
    expect(deep.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
    const long = await post(service.url, { query: `{ streets { ${'code '.repeat(4000)}} }` });
    expect(long.status).toBe(400);
    expect(long.body.errors).toEqual([{ message: expect.any(String), extensions: { code: 'TOO_MANY_TOKENS', limit: 'HUB_MAX_TOKENS', maximum: 4000, measured: 4005 } }]);
    expect(subgraphCalls).toBe(0);
  });

  it('plans and runs a legal operation', async () => {
    const answer = await post(service.url, { query: '{ streets { code } }' });
    expect(answer.body).toEqual({ data: { streets: [{ code: '320311001000' }] } });
    expect(answer.status).toBe(200);
    expect(subgraphCalls).toBe(1);
  });

  it('aborts the subgraph fetch of an operation past the timeout and answers 504 REQUEST_TIMEOUT', async () => {
    hang = true;
    const started = Date.now();
    const answer = await post(service.url, { query: '{ streets { code } }' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(answer.status).toBe(504);
    expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['REQUEST_TIMEOUT']);
    await expect.poll(() => abortedFetches).toBe(1);
  });
});
