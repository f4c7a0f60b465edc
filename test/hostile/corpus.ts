/**
 * Hostile requests, in the spirit of the graphql-http audit and OWASP's GraphQL cheat sheet: each one is sent as raw
 * bytes to the gateway and to every subgraph (`hostile.e2e.test.ts`), and each must be answered with a 4xx and a
 * stable code, never a 5xx, never a stack trace. A few legitimate controls must be answered 200.
 */

/** What a target must answer. */
export type Expected =
  /** A GraphQL error body, `{ "errors": [{ "message", "extensions": { "code" } }] }`, with one of these statuses. */
  | { status: number | readonly number[]; body: 'graphql'; code?: string | readonly string[] }
  /** The HTTP layer's own refusal, before GraphQL sees the request: a GraphQL error body without `data`. */
  | { status: number | readonly number[]; body: 'http'; code?: string | readonly string[] }
  /** A legitimate request: 200 with `data` and no `errors`. */
  | { status: 200; body: 'data' }
  /** Either an answer or a GraphQL refusal: a JSON GraphQL response. */
  | { status: readonly number[]; body: 'json' };

export interface HostileRequest {
  name: string;
  category: Category;
  method?: string;
  /** Default `/graphql`; may carry a query string. */
  path?: string;
  /** Sent as given, on top of the target's own credentials (unless `auth` is `none`). */
  headers?: Record<string, string | string[]>;
  /** The exact bytes sent; a function for the large ones, built once when first sent. */
  body?: string | Buffer | (() => string | Buffer);
  /** `valid`: the target's credentials are added (a bearer token at the gateway, the internal token at a subgraph). */
  auth?: 'valid' | 'none';
  /** What the gateway must answer. */
  gateway: Expected;
  /** What a subgraph must answer; default the gateway's. `skip` for requests that only mean something at the gateway. */
  subgraph?: Expected | 'skip';
}

export type Category =
  | 'control'
  | 'json'
  | 'content-type'
  | 'method'
  | 'shape'
  | 'persisted'
  | 'batch'
  | 'size'
  | 'document'
  | 'variables'
  | 'encoding'
  | 'headers'
  | 'identity'
  | 'operation';

const JSON_TYPE = { 'content-type': 'application/json' };
const json = (value: unknown) => JSON.stringify(value);
const post = (body: unknown, extra: Partial<HostileRequest> = {}): Pick<HostileRequest, 'method' | 'headers' | 'body'> & Partial<HostileRequest> => ({
  method: 'POST',
  headers: JSON_TYPE,
  body: typeof body === 'string' || typeof body === 'function' || Buffer.isBuffer(body) ? (body as HostileRequest['body']) : json(body),
  ...extra,
});
/** A GET with the header that lets it past Apollo's CSRF prevention (a GET without one is refused 400 before anything). */
const get = (params: Record<string, string>, headers: Record<string, string> = {}) => ({ method: 'GET', path: `/graphql?${new URLSearchParams(params)}`, headers: { 'apollo-require-preflight': 'true', ...headers } });

const ok: Expected = { status: 200, body: 'data' };
const badRequest = (code: string | readonly string[] = 'BAD_REQUEST'): Expected => ({ status: 400, body: 'graphql', code });
const notJson: Expected = { status: 400, body: 'http', code: 'BODY_NOT_JSON' };
const invalid = badRequest(['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);
const csrf = badRequest('BAD_REQUEST');
const pqNotSupported = badRequest('PERSISTED_QUERY_NOT_SUPPORTED');
/**
 * The gateway does not know the departments' scalars: a malformed Date reaches the subgraph, which refuses the fetch
 * (HTTP 400: BAD_USER_INPUT for a variable, GRAPHQL_VALIDATION_FAILED for a literal), and the gateway answers that
 * refusal of the client's input as the request error it is: 400, as for a variable of a type it coerces itself.
 */
const dateVariableRefused: Expected = { status: 400, body: 'graphql', code: 'BAD_USER_INPUT' };
const dateLiteralRefused: Expected = { status: 400, body: 'graphql', code: 'GRAPHQL_VALIDATION_FAILED' };
const either: Expected = { status: [200, 400], body: 'json' };

/** A selection nested `depth` times through a field every schema has (`__type` → `ofType`), closed by `name`. */
const deepSelection = (depth: number) => `{ __type(name: "Query") { ${'ofType { '.repeat(depth)}name${' }'.repeat(depth)} } }`;
/** JSON nested `depth` levels deep: `{"a":{"a":…}}`. */
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

export const corpus: readonly HostileRequest[] = [
  // ---- legitimate controls --------------------------------------------------------------------------------------
  { name: 'a plain __typename query', category: 'control', ...post({ query: '{ __typename }' }), gateway: ok },
  { name: 'a GET query', category: 'control', ...get({ query: '{ __typename }' }), gateway: ok },
  { name: 'a GET without a CSRF preflight header', category: 'method', method: 'GET', path: '/graphql?query=%7B__typename%7D', gateway: csrf },
  { name: 'a named operation picked by operationName', category: 'control', ...post({ query: 'query A { __typename } query B { __typename }', operationName: 'B' }), gateway: ok },
  { name: 'charset=utf-8 spelled out', category: 'control', ...post({ query: '{ __typename }' }, { headers: { 'content-type': 'application/json; charset=UTF-8' } }), gateway: ok },
  { name: 'a UTF-8 byte order mark (stripped, as WHATWG decoding does)', category: 'control', ...post(`\uFEFF${json({ query: '{ __typename }' })}`), gateway: ok },
  { name: 'duplicated keys, the last a valid query', category: 'control', ...post('{"query":"{ nope }","query":"{ __typename }"}'), gateway: ok },

  // ---- malformed JSON ---------------------------------------------------------------------------------------------
  { name: 'truncated JSON', category: 'json', ...post('{"query":"{ __typename }"'), gateway: notJson },
  { name: 'trailing garbage after the JSON', category: 'json', ...post('{"query":"{ __typename }"} trailing'), gateway: notJson },
  { name: 'NaN in a variable', category: 'json', ...post('{"query":"{ __typename }","variables":{"a":NaN}}'), gateway: notJson },
  { name: 'single-quoted JSON', category: 'json', ...post("{'query':'{ __typename }'}"), gateway: notJson },
  { name: 'a bare JSON string', category: 'json', ...post('"{ __typename }"'), gateway: badRequest() },
  { name: 'JSON null', category: 'json', ...post('null'), gateway: badRequest() },
  { name: 'a JSON number', category: 'json', ...post('42'), gateway: badRequest() },
  { name: 'an empty JSON object', category: 'json', ...post('{}'), gateway: badRequest() },
  { name: 'duplicated keys, the last not a string', category: 'json', ...post('{"query":"{ __typename }","query":123}'), gateway: badRequest() },
  { name: 'JSON arrays nested 100,000 deep', category: 'json', ...post(() => deepArray(100_000)), gateway: badRequest() },
  { name: 'variables nested 100,000 objects deep', category: 'json', ...post(() => `{"query":"{ __typename }","variables":${deepObject(100_000)}}`), gateway: ok },
  { name: 'extensions nested 100,000 objects deep', category: 'json', ...post(() => `{"query":"{ __typename }","extensions":${deepObject(100_000)}}`), gateway: ok },
  { name: 'an unknown top-level field nested 100,000 deep', category: 'json', ...post(() => `{"query":"{ __typename }","junk":${deepObject(100_000)}}`), gateway: ok },
  { name: 'an empty body', category: 'json', ...post(''), gateway: badRequest() },
  { name: 'a body of whitespace', category: 'json', ...post('   \n\t '), gateway: notJson },

  // ---- content types ---------------------------------------------------------------------------------------------
  { name: 'text/plain (a CSRF simple request)', category: 'content-type', ...post({ query: '{ __typename }' }, { headers: { 'content-type': 'text/plain' } }), gateway: csrf },
  { name: 'form-urlencoded', category: 'content-type', ...post('query=%7B__typename%7D', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }), gateway: notJson },
  { name: 'form-urlencoded carrying JSON', category: 'content-type', ...post({ query: '{ __typename }' }, { headers: { 'content-type': 'application/x-www-form-urlencoded' } }), gateway: csrf },
  {
    name: 'multipart/form-data without a preflight header',
    category: 'content-type',
    ...post('--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ __typename }"}\r\n--x--\r\n', { headers: { 'content-type': 'multipart/form-data; boundary=x' } }),
    gateway: notJson,
  },
  { name: 'no content type', category: 'content-type', ...post({ query: '{ __typename }' }, { headers: {} }), gateway: csrf },
  { name: 'charset=latin1', category: 'content-type', ...post({ query: '{ __typename }' }, { headers: { 'content-type': 'application/json; charset=latin1' } }), gateway: { status: 415, body: 'http', code: 'UNSUPPORTED_MEDIA_TYPE' } },
  { name: 'charset=utf-16', category: 'content-type', ...post({ query: '{ __typename }' }, { headers: { 'content-type': 'application/json; charset=utf-16' } }), gateway: { status: 415, body: 'http', code: 'UNSUPPORTED_MEDIA_TYPE' } },
  { name: 'a GET with a text/plain content type', category: 'content-type', ...get({ query: '{ __typename }' }, { 'content-type': 'text/plain' }), gateway: { status: 415, body: 'graphql', code: 'BAD_REQUEST' } },
  { name: 'an Accept the server cannot answer', category: 'content-type', ...post({ query: '{ __typename }' }, { headers: { ...JSON_TYPE, accept: 'text/html' } }), gateway: { status: 406, body: 'graphql', code: 'BAD_REQUEST' } },

  // ---- methods ---------------------------------------------------------------------------------------------------
  { name: 'a mutation over GET', category: 'method', ...get({ query: 'mutation { __typename }' }), gateway: { status: 405, body: 'graphql', code: 'BAD_REQUEST' } },
  { name: 'a GET without a query', category: 'method', ...get({}), gateway: badRequest() },
  { name: 'a GET with query given twice', category: 'method', ...get({}), path: '/graphql?query=%7B__typename%7D&query=%7B__typename%7D', gateway: badRequest() },
  { name: 'a GET with variables that are not JSON', category: 'method', ...get({ query: '{ __typename }', variables: '{nope' }), gateway: badRequest() },
  { name: 'a GET with variables that are a JSON array', category: 'method', ...get({ query: '{ __typename }', variables: '[1]' }), gateway: badRequest() },
  { name: 'a GET with extensions that are not JSON', category: 'method', ...get({ query: '{ __typename }', extensions: '%%%' }), gateway: badRequest() },
  { name: 'PUT', category: 'method', ...post({ query: '{ __typename }' }, { method: 'PUT' }), gateway: { status: 405, body: 'graphql', code: 'BAD_REQUEST' } },
  { name: 'DELETE', category: 'method', method: 'DELETE', headers: { 'apollo-require-preflight': 'true' }, gateway: { status: 405, body: 'graphql', code: 'BAD_REQUEST' } },
  { name: 'PATCH', category: 'method', ...post({ query: '{ __typename }' }, { method: 'PATCH' }), gateway: { status: 405, body: 'graphql', code: 'BAD_REQUEST' } },
  { name: 'a path the service does not serve', category: 'method', ...post({ query: '{ __typename }' }, { path: '/graphql/../../etc/passwd%00' }), gateway: { status: 404, body: 'http' } },

  // ---- shapes of the body's fields --------------------------------------------------------------------------------
  { name: 'query a number', category: 'shape', ...post({ query: 42 }), gateway: badRequest() },
  { name: 'query an object', category: 'shape', ...post({ query: { kind: 'Document', definitions: [] } }), gateway: badRequest() },
  { name: 'query an array', category: 'shape', ...post({ query: ['{ __typename }'] }), gateway: badRequest() },
  { name: 'query null', category: 'shape', ...post({ query: null }), gateway: badRequest() },
  { name: 'query an empty string', category: 'shape', ...post({ query: '' }), gateway: badRequest() },
  { name: 'variables a string', category: 'shape', ...post({ query: '{ __typename }', variables: '{}' }), gateway: badRequest() },
  { name: 'variables an array', category: 'shape', ...post({ query: '{ __typename }', variables: [] }), gateway: badRequest() },
  { name: 'variables a number', category: 'shape', ...post({ query: '{ __typename }', variables: 1 }), gateway: badRequest() },
  { name: 'operationName a number', category: 'shape', ...post({ query: '{ __typename }', operationName: 1 }), gateway: badRequest() },
  { name: 'operationName an object', category: 'shape', ...post({ query: '{ __typename }', operationName: { a: 1 } }), gateway: badRequest() },
  { name: 'operationName naming a missing operation', category: 'shape', ...post({ query: 'query A { __typename }', operationName: 'B' }), gateway: badRequest('OPERATION_RESOLUTION_FAILURE') },
  { name: 'two operations and no operationName', category: 'shape', ...post({ query: 'query A { __typename } query B { __typename }' }), gateway: badRequest('OPERATION_RESOLUTION_FAILURE') },
  { name: 'extensions a string', category: 'shape', ...post({ query: '{ __typename }', extensions: '{}' }), gateway: badRequest() },
  { name: 'extensions an array', category: 'shape', ...post({ query: '{ __typename }', extensions: [1] }), gateway: badRequest() },
  { name: 'extensions a number', category: 'shape', ...post({ query: '{ __typename }', extensions: 7 }), gateway: badRequest() },

  // ---- persisted queries and document ids ---------------------------------------------------------------------
  // A subgraph takes no persisted queries at all: only the gateway calls it, always with the full document.
  { name: 'a persisted query of an unknown version', category: 'persisted', ...post({ extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } } }), gateway: badRequest('PERSISTED_QUERY_INVALID'), subgraph: pqNotSupported },
  { name: 'a persisted query hash that is not hex', category: 'persisted', ...post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'not-a-hash-ZZZ' } } }), gateway: badRequest('PERSISTED_DOCUMENT_NOT_FOUND'), subgraph: pqNotSupported },
  { name: 'a persisted query without a hash', category: 'persisted', ...post({ extensions: { persistedQuery: { version: 1 } } }), gateway: badRequest('PERSISTED_QUERY_INVALID'), subgraph: pqNotSupported },
  { name: 'a persisted query extension that is a string', category: 'persisted', ...post({ extensions: { persistedQuery: 'abc' } }), gateway: badRequest('PERSISTED_QUERY_INVALID'), subgraph: pqNotSupported },
  { name: 'a persisted query hash that is an object', category: 'persisted', ...post({ extensions: { persistedQuery: { version: 1, sha256Hash: { $ne: null } } } }), gateway: badRequest('PERSISTED_QUERY_INVALID'), subgraph: pqNotSupported },
  { name: 'documentId a number', category: 'persisted', ...post({ documentId: 12345 }), gateway: badRequest(['PERSISTED_DOCUMENT_NOT_FOUND', 'BAD_REQUEST']) },
  { name: 'documentId an unknown sha256: id', category: 'persisted', ...post({ documentId: `sha256:${'0'.repeat(64)}` }), gateway: badRequest(['PERSISTED_DOCUMENT_NOT_FOUND', 'BAD_REQUEST']) },
  { name: 'documentId 100,000 arrays deep', category: 'persisted', ...post(() => `{"documentId":${deepArray(100_000)}}`), gateway: badRequest(['PERSISTED_DOCUMENT_NOT_FOUND', 'BAD_REQUEST']) },
  { name: 'documentId a 500 KB string', category: 'persisted', ...post(() => json({ documentId: 'f'.repeat(500_000) })), gateway: badRequest(['PERSISTED_DOCUMENT_NOT_FOUND', 'BAD_REQUEST']) },
  { name: 'a GET documentId that is not an id', category: 'persisted', ...get({ documentId: '../../etc/passwd' }), gateway: badRequest(['PERSISTED_DOCUMENT_NOT_FOUND', 'BAD_REQUEST']) },

  // ---- batches ---------------------------------------------------------------------------------------------------
  { name: 'an empty batch', category: 'batch', ...post([]), gateway: badRequest() },
  { name: 'a batch of 1,000 operations', category: 'batch', ...post(() => json(Array.from({ length: 1000 }, () => ({ query: '{ __typename }' })))), gateway: badRequest() },
  { name: 'a batch of garbage', category: 'batch', ...post([1, 'a', null, [], {}]), gateway: badRequest() },

  // ---- size --------------------------------------------------------------------------------------------------------
  {
    name: 'a 4 MB document (declared length)',
    category: 'size',
    ...post(() => json({ query: `{ __typename ${'a: __typename '.repeat(300_000)}}` })),
    gateway: { status: 413, body: 'http', code: 'REQUEST_TOO_LARGE' },
  },
  {
    name: 'a 4 MB document (chunked, no length)',
    category: 'size',
    ...post(() => json({ query: `{ __typename ${'a: __typename '.repeat(300_000)}}` }), { headers: { ...JSON_TYPE, 'transfer-encoding': 'chunked' } }),
    gateway: { status: 413, body: 'http', code: 'REQUEST_TOO_LARGE' },
  },
  { name: 'a huge field argument string (900 KB)', category: 'size', ...post(() => json({ query: `{ __type(name: "${'x'.repeat(900_000)}") { name } }` })), gateway: either },
  { name: 'a 900 KB string variable', category: 'size', ...post(() => json({ query: 'query($n: String!) { __type(name: $n) { name } }', variables: { n: 'x'.repeat(900_000) } })), gateway: { status: 200, body: 'data' } },

  // ---- documents ---------------------------------------------------------------------------------------------------
  { name: 'a document that does not parse', category: 'document', ...post({ query: '{ __typename' }), gateway: badRequest(['GRAPHQL_PARSE_FAILED']) },
  // A subgraph has limits of its own (SUBGRAPH_LIMITS in @hub/core: depth 24, 1,000 aliases), for a caller that
  // reaches it directly with a valid internal token.
  { name: 'a selection 2,000 levels deep', category: 'document', ...post(() => json({ query: deepSelection(2000) })), gateway: badRequest(['TOO_MANY_TOKENS', 'QUERY_TOO_DEEP', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']), subgraph: badRequest('QUERY_TOO_DEEP') },
  { name: 'a selection 50 levels deep', category: 'document', ...post(() => json({ query: deepSelection(50) })), gateway: either, subgraph: badRequest('QUERY_TOO_DEEP') },
  // Introspection adds no depth at the gateway (its limits come from tokens, and production turns it off); a subgraph,
  // which the gateway never asks to introspect, counts it like any field.
  { name: 'an introspection selection 25 levels deep', category: 'document', ...post(() => json({ query: deepSelection(23) })), gateway: either, subgraph: badRequest('QUERY_TOO_DEEP') },
  { name: 'an introspection selection 24 levels deep (the most a subgraph takes)', category: 'document', ...post(() => json({ query: deepSelection(22) })), gateway: either, subgraph: ok },
  { name: 'a fragment spreading itself', category: 'document', ...post({ query: '{ ...A } fragment A on Query { ...A }' }), gateway: invalid },
  { name: 'fragments spreading each other', category: 'document', ...post({ query: '{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...C } fragment C on Query { ...A }' }), gateway: invalid },
  { name: 'an unknown fragment', category: 'document', ...post({ query: '{ ...Nope }' }), gateway: invalid },
  { name: 'an unknown field', category: 'document', ...post({ query: '{ doesNotExist }' }), gateway: invalid },
  { name: '@skip 10,000 times on one field', category: 'document', ...post(() => json({ query: `{ __typename ${'@skip(if: false) '.repeat(10_000)}}` })), gateway: badRequest(['TOO_MANY_TOKENS', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']) },
  { name: '10,000 aliases of one field', category: 'document', ...post(() => json({ query: `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: __typename`).join(' ')} }` })), gateway: badRequest(['TOO_MANY_TOKENS', 'TOO_MANY_ALIASES', 'GRAPHQL_PARSE_FAILED']), subgraph: badRequest('TOO_MANY_ALIASES') },
  { name: '1,001 aliases of one field', category: 'document', ...post(() => json({ query: `{ ${Array.from({ length: 1001 }, (_, i) => `a${i}: __typename`).join(' ')} }` })), gateway: badRequest(['TOO_MANY_TOKENS', 'TOO_MANY_ALIASES']), subgraph: badRequest('TOO_MANY_ALIASES') },
  { name: '1,000 operations in one document', category: 'document', ...post(() => json({ query: Array.from({ length: 1000 }, (_, i) => `query Q${i} { __typename }`).join('\n'), operationName: 'Q999' })), gateway: badRequest(['TOO_MANY_TOKENS', 'GRAPHQL_PARSE_FAILED']), subgraph: either },
  // Subscriptions have their own transports (/graphql/stream, WebSocket, multipart); over plain HTTP one is refused. A
  // subgraph without a Subscription root refuses the field as unknown instead.
  { name: 'a subscription', category: 'document', ...post({ query: 'subscription { caseEvents { cursor } }' }), gateway: badRequest('OPERATION_NOT_SUPPORTED'), subgraph: badRequest(['OPERATION_NOT_SUPPORTED', 'GRAPHQL_VALIDATION_FAILED']) },
  { name: 'a subscription of an introspection field', category: 'document', ...post({ query: 'subscription { __typename }' }), gateway: invalid, subgraph: badRequest(['OPERATION_NOT_SUPPORTED', 'GRAPHQL_VALIDATION_FAILED']) },
  { name: '@defer', category: 'document', ...post({ query: '{ ... @defer { __typename } }' }), gateway: { status: [400, 406], body: 'graphql' }, subgraph: either },
  { name: '@stream', category: 'document', ...post({ query: '{ __schema { types @stream { name } } }' }), gateway: { status: [400, 406], body: 'graphql' } },
  { name: 'a directive that does not exist', category: 'document', ...post({ query: '{ __typename @nope }' }), gateway: invalid },
  { name: 'null bytes inside a string argument', category: 'document', ...post({ query: '{ __type(name: "Qu\u0000ery") { name } }' }), gateway: either },
  { name: 'a null byte outside any string', category: 'document', ...post({ query: '{ __typename \u0000 }' }), gateway: badRequest(['GRAPHQL_PARSE_FAILED']) },

  // ---- variables ---------------------------------------------------------------------------------------------------
  { name: 'a variable of the wrong type', category: 'variables', ...post({ query: 'query($n: String!) { __type(name: $n) { name } }', variables: { n: { $gt: '' } } }), gateway: invalid },
  { name: 'a required variable missing', category: 'variables', ...post({ query: 'query($n: String!) { __type(name: $n) { name } }', variables: {} }), gateway: invalid },
  { name: 'an Int variable out of range', category: 'variables', ...post({ query: 'query($n: Int) { __typename @include(if: true) }', variables: { n: 2 ** 40 } }), gateway: invalid },
  { name: 'an Int variable that is a float', category: 'variables', ...post({ query: 'query($n: Int) { __typename }', variables: { n: 1.5 } }), gateway: invalid },
  { name: 'a Boolean variable that is a string', category: 'variables', ...post({ query: 'query($b: Boolean!) { __typename @include(if: $b) }', variables: { b: 'true' } }), gateway: invalid },
  { name: 'an enum variable of an unknown value', category: 'variables', ...post({ query: 'query($k: __TypeKind) { __typename }', variables: { k: 'NOPE' } }), gateway: invalid },
  { name: 'a list variable of 10,000 wrong-typed elements', category: 'variables', ...post(() => json({ query: 'query($l: [Int!]) { __typename }', variables: { l: Array.from({ length: 10_000 }, () => 'x') } })), gateway: invalid },
  { name: 'a variable of an unknown type', category: 'variables', ...post({ query: 'query($n: NoSuchType) { __typename }', variables: { n: 1 } }), gateway: invalid },
  { name: 'a variable used but not declared', category: 'variables', ...post({ query: '{ __type(name: $n) { name } }', variables: { n: 'Query' } }), gateway: invalid },
  { name: 'variables the operation does not declare', category: 'variables', ...post({ query: '{ __typename }', variables: { unknown: 1, __proto__: { polluted: true } } }), gateway: ok },
  { name: 'a __proto__ variable', category: 'variables', ...post('{"query":"query($n: String = \\"Query\\") { __type(name: $n) { name } }","variables":{"__proto__":{"n":"x"},"constructor":{"prototype":{"x":1}}}}'), gateway: ok },
  {
    name: 'an ID number that fails its check digit',
    category: 'variables',
    ...post({ query: 'query($n: String!) { residentByIdNumber(idNumber: $n) { id } }', variables: { n: '11010519491231002X'.replace(/X$/, '0') } }),
    gateway: { status: [200, 400], body: 'graphql', code: ['INVALID_ID_NUMBER', 'FORBIDDEN'] },
    subgraph: 'skip',
  },
  {
    name: 'an ID number of 10,000 characters',
    category: 'variables',
    ...post({ query: 'query($n: String!) { residentByIdNumber(idNumber: $n) { id } }', variables: { n: '1'.repeat(10_000) } }),
    gateway: { status: [200, 400], body: 'graphql', code: ['INVALID_ID_NUMBER', 'INPUT_TOO_LONG', 'FORBIDDEN'] },
    subgraph: 'skip',
  },
  { name: 'a grid code of the wrong shape', category: 'variables', ...post({ query: 'query($c: ID!) { grid(code: $c) { name } }', variables: { c: "1' OR '1'='1" } }), gateway: { status: [200, 400], body: 'graphql', code: 'INVALID_GRID_CODE' }, subgraph: 'skip' },
  {
    name: 'an invalid Date variable',
    category: 'variables',
    ...post({ query: 'query($f: Date) { caseFiguresByDepartment(from: $f) { __typename } }', variables: { f: '2026-13-45' } }),
    gateway: dateVariableRefused,
    subgraph: 'skip',
  },
  { name: 'an invalid Date in a literal', category: 'variables', ...post({ query: '{ caseFiguresByDepartment(from: 20260101) { __typename } }' }), gateway: dateLiteralRefused, subgraph: 'skip' },
  { name: 'a page size of a billion', category: 'variables', ...post({ query: '{ grids(first: 1000000000) { totalCount } }' }), gateway: { status: [200, 400], body: 'graphql', code: ['INVALID_PAGE_SIZE', 'QUERY_TOO_COSTLY'] }, subgraph: 'skip' },
  { name: 'a cursor that is not a cursor', category: 'variables', ...post({ query: '{ grids(first: 1, after: "\u0000\uFFFF") { totalCount } }' }), gateway: { status: [200, 400], body: 'graphql', code: 'INVALID_CURSOR' }, subgraph: 'skip' },

  // ---- federation's own fields: not in the gateway's API, served by every subgraph to the gateway ---------------
  { name: '_service', category: 'operation', ...post({ query: '{ _service { sdl } }' }), gateway: invalid, subgraph: ok },
  { name: '_entities of a type that does not exist', category: 'operation', ...post({ query: '{ _entities(representations: [{ __typename: "Nope", id: 1 }]) { __typename } }' }), gateway: invalid, subgraph: badRequest('INVALID_REPRESENTATION') },
  { name: '_entities of an empty representation', category: 'operation', ...post({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }', variables: { r: [{}] } }), gateway: invalid, subgraph: badRequest('INVALID_REPRESENTATION') },
  { name: '_entities of representations that are not objects', category: 'operation', ...post({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }', variables: { r: [1, 'a', [], true] } }), gateway: invalid, subgraph: badRequest('INVALID_REPRESENTATION') },
  {
    name: '_entities of 10,000 District representations with keys of the wrong type',
    category: 'operation',
    ...post(() => json({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }', variables: { r: Array.from({ length: 10_000 }, (_, i) => ({ __typename: 'District', code: { $gt: i } })) } })),
    gateway: invalid,
    subgraph: either,
  },

  // ---- encodings -----------------------------------------------------------------------------------------------------
  { name: 'invalid UTF-8 bytes in a string', category: 'encoding', ...post(Buffer.concat([Buffer.from('{"query":"{ __type(name: \\"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('\\") { name } }"}')])), gateway: notJson },
  { name: 'an overlong UTF-8 encoding of a quote', category: 'encoding', ...post(Buffer.concat([Buffer.from('{"query":"{ __typename }'), Buffer.from([0xc0, 0xa2]), Buffer.from('}')])), gateway: notJson },
  { name: 'a UTF-16LE body with its byte order mark', category: 'encoding', ...post(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json({ query: '{ __typename }' }), 'utf16le')])), gateway: notJson },
  { name: 'a UTF-16BE body without a byte order mark', category: 'encoding', ...post(Buffer.from(json({ query: '{ __typename }' }), 'utf16le').swap16()), gateway: notJson },
  { name: 'a lone surrogate escaped in a string', category: 'encoding', ...post('{"query":"{ __type(name: \\"\\ud800\\") { name } }"}'), gateway: either },

  // ---- headers -----------------------------------------------------------------------------------------------------
  { name: 'a 12 KB header', category: 'headers', ...post({ query: '{ __typename }' }, { headers: { ...JSON_TYPE, 'x-filler': 'x'.repeat(12_000) } }), gateway: ok },
  { name: 'a header over the server limit (20 KB)', category: 'headers', ...post({ query: '{ __typename }' }, { headers: { ...JSON_TYPE, 'x-filler': 'x'.repeat(20_000) } }), gateway: { status: 431, body: 'http', code: 'HEADERS_TOO_LARGE' } },
  // Node keeps the first of duplicated content-type and authorization headers.
  { name: 'two content types', category: 'headers', ...post({ query: '{ __typename }' }, { headers: { 'content-type': ['application/json', 'text/plain'] } }), gateway: ok },
  // The rest of the body reads as a malformed next request: whichever refusal comes first, it is a JSON 400.
  { name: 'a content length shorter than the body', category: 'headers', ...post('{"query":"{ __typename }"}', { headers: { ...JSON_TYPE, 'content-length': '10' } }), gateway: { status: 400, body: 'http', code: ['BODY_NOT_JSON', 'MALFORMED_HTTP_REQUEST'] } },

  // ---- who is asking (the gateway; a subgraph answers from its internal token only) -------------------------------
  { name: 'no token', category: 'identity', ...post({ query: '{ __typename }' }), auth: 'none', gateway: { status: 401, body: 'http', code: 'TOKEN_MISSING' }, subgraph: { status: 401, body: 'http', code: 'INTERNAL_TOKEN_MISSING' } },
  { name: '"Bearer" alone', category: 'identity', ...post({ query: '{ __typename }' }, { headers: { ...JSON_TYPE, authorization: 'Bearer' } }), auth: 'none', gateway: { status: 401, body: 'http', code: 'TOKEN_MISSING' }, subgraph: { status: 401, body: 'http', code: 'INTERNAL_TOKEN_MISSING' } },
  { name: 'two bearer tokens', category: 'identity', ...post({ query: '{ __typename }' }, { headers: { ...JSON_TYPE, authorization: 'Bearer a.b.c Bearer d.e.f' } }), auth: 'none', gateway: { status: 401, body: 'http', code: ['TOKEN_MISSING', 'TOKEN_INVALID'] }, subgraph: { status: 401, body: 'http', code: 'INTERNAL_TOKEN_MISSING' } },
  { name: 'two authorization headers', category: 'identity', ...post({ query: '{ __typename }' }, { headers: { ...JSON_TYPE, authorization: ['Bearer a.b.c', 'Bearer d.e.f'] } }), auth: 'none', gateway: { status: 401, body: 'http', code: ['TOKEN_MISSING', 'TOKEN_INVALID'] }, subgraph: { status: 401, body: 'http', code: 'INTERNAL_TOKEN_MISSING' } },
  { name: 'a non-ASCII token', category: 'identity', ...post({ query: '{ __typename }' }, { headers: { ...JSON_TYPE, authorization: Buffer.from('Bearer tökén.é.ü', 'utf8').toString('latin1') } }), auth: 'none', gateway: { status: 401, body: 'http', code: 'TOKEN_INVALID' }, subgraph: { status: 401, body: 'http', code: 'INTERNAL_TOKEN_MISSING' } },
  { name: 'a 7 KB token of garbage', category: 'identity', ...post({ query: '{ __typename }' }, { headers: { ...JSON_TYPE, authorization: `Bearer ${'A'.repeat(7000)}.${'B'.repeat(100)}.C` } }), auth: 'none', gateway: { status: 401, body: 'http', code: 'TOKEN_INVALID' }, subgraph: { status: 401, body: 'http', code: 'INTERNAL_TOKEN_MISSING' } },
  { name: 'an internal token that is garbage', category: 'identity', ...post({ query: '{ __typename }' }, { headers: { ...JSON_TYPE, 'x-hub-caller': '\u00ff\u00fe.x.y' } }), auth: 'none', gateway: { status: 401, body: 'http', code: 'TOKEN_MISSING' }, subgraph: { status: 401, body: 'http', code: 'INTERNAL_TOKEN_INVALID' } },
  { name: 'an unknown purpose', category: 'identity', ...post({ query: '{ __typename }' }, { headers: { ...JSON_TYPE, 'x-hub-purpose': 'curiosity' } }), gateway: { status: 403, body: 'http', code: 'PURPOSE_NOT_ALLOWED' }, subgraph: ok },
  { name: 'a purpose of 7,000 characters', category: 'identity', ...post({ query: '{ __typename }' }, { headers: { ...JSON_TYPE, 'x-hub-purpose': 'p'.repeat(7000) } }), gateway: { status: 403, body: 'http', code: 'PURPOSE_NOT_ALLOWED' }, subgraph: ok },
  { name: 'a non-ASCII purpose', category: 'identity', ...post({ query: '{ __typename }' }, { headers: { ...JSON_TYPE, 'x-hub-purpose': Buffer.from('调查', 'utf8').toString('latin1') } }), gateway: { status: 403, body: 'http', code: 'PURPOSE_NOT_ALLOWED' }, subgraph: ok },
  { name: 'a purpose in extensions that is an object', category: 'identity', ...post({ query: '{ __typename }', extensions: { purpose: { $ne: null } } }), gateway: { status: 403, body: 'http', code: 'PURPOSE_NOT_ALLOWED' }, subgraph: ok },
  { name: 'a purpose in extensions nested 100,000 deep', category: 'identity', ...post(() => `{"query":"{ __typename }","extensions":{"purpose":${deepObject(100_000)}}}`), gateway: { status: 403, body: 'http', code: 'PURPOSE_NOT_ALLOWED' }, subgraph: ok },

  // ---- operations --------------------------------------------------------------------------------------------------
  { name: '__typename only', category: 'operation', ...post({ query: 'query OnlyTypename { __typename }' }), gateway: ok },
  { name: 'a mutation of nothing', category: 'operation', ...post({ query: 'mutation { nope }' }), gateway: badRequest(['GRAPHQL_VALIDATION_FAILED', 'OPERATION_NOT_SUPPORTED']) },
];
