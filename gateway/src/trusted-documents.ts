import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApolloServerPlugin, BaseContext, GraphQLRequest } from '@apollo/server';
import { isProduction, type RoleRegistry } from '@hub/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * Trusted documents: the operations departmental apps send are built into a manifest by codegen
 * (`schema/persisted-documents.json`: SHA-256 of the document → document), and a client names one by its hash in
 * Apollo's persisted-query extension (`extensions.persistedQuery.sha256Hash`) or in `documentId` (a POST body field
 * or GET parameter; a `sha256:` prefix is allowed). Modes (HUB_TRUSTED_DOCUMENTS):
 *
 * - `off`: no manifest; every operation is ad hoc (and Apollo's own automatic persisted queries stay on).
 * - `allow` (the default outside production): ids from the manifest run, and so does any other operation.
 * - `enforce` (the default when NODE_ENV=production): ids from the manifest run, and an operation whose text is a
 *   manifest document; any other is refused PERSISTED_DOCUMENT_REQUIRED (HTTP 400) unless the caller's role is
 *   granted ad-hoc queries (`adHocQueries` in the roles model). Every operation stays under the query limits.
 *
 * An id the manifest does not hold is refused PERSISTED_DOCUMENT_NOT_FOUND in either mode; an id sent with a query
 * text that does not hash to it, PERSISTED_DOCUMENT_MISMATCH.
 */
export type TrustedDocumentsMode = 'off' | 'allow' | 'enforce';

export const TrustedDocumentCode = {
  PERSISTED_DOCUMENT_REQUIRED: 'PERSISTED_DOCUMENT_REQUIRED',
  PERSISTED_DOCUMENT_NOT_FOUND: 'PERSISTED_DOCUMENT_NOT_FOUND',
  PERSISTED_DOCUMENT_MISMATCH: 'PERSISTED_DOCUMENT_MISMATCH',
} as const;
export type TrustedDocumentCode = (typeof TrustedDocumentCode)[keyof typeof TrustedDocumentCode];

export interface TrustedDocuments {
  mode: TrustedDocumentsMode;
  /** SHA-256 (64 lowercase hex characters) of each document → the document. */
  manifest: ReadonlyMap<string, string>;
  /** Where the manifest came from, for the start-up log line. */
  source?: string;
}

export const DEFAULT_MANIFEST = fileURLToPath(new URL('../../schema/persisted-documents.json', import.meta.url));
const MODES: readonly TrustedDocumentsMode[] = ['off', 'allow', 'enforce'];
const HASH = /^[0-9a-f]{64}$/;

export const documentHash = (document: string): string => createHash('sha256').update(document).digest('hex');

/** A manifest's JSON (hash → document), checked: every key is the SHA-256 of its document. */
export function parseManifest(json: unknown, source: string): Map<string, string> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${source}: expected a JSON object of SHA-256 hash → document`);
  const manifest = new Map<string, string>();
  for (const [hash, document] of Object.entries(json)) {
    if (!HASH.test(hash)) throw new Error(`${source}: "${hash.slice(0, 80)}" is not a SHA-256 hash (64 lowercase hex characters)`);
    if (typeof document !== 'string') throw new Error(`${source}: the document of ${hash} is not a string`);
    if (documentHash(document) !== hash) throw new Error(`${source}: the document of ${hash} does not hash to it (edited by hand? run npm run codegen)`);
    manifest.set(hash, document);
  }
  return manifest;
}

export function readManifest(path: string): Map<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`trusted-documents manifest ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseManifest(json, `trusted-documents manifest ${path}`);
}

/**
 * From HUB_TRUSTED_DOCUMENTS (`off`, `allow`, `enforce`; default `enforce` when NODE_ENV=production, else `allow`)
 * and HUB_TRUSTED_DOCUMENTS_MANIFEST (default the committed `schema/persisted-documents.json`). Problems are thrown
 * when the gateway starts.
 */
export function trustedDocumentsFromEnv(env: NodeJS.ProcessEnv = process.env): TrustedDocuments {
  const value = env.HUB_TRUSTED_DOCUMENTS?.trim() || (isProduction(env) ? 'enforce' : 'allow');
  if (!(MODES as readonly string[]).includes(value)) throw new Error(`HUB_TRUSTED_DOCUMENTS must be one of ${MODES.join(', ')}, got "${value}"`);
  const mode = value as TrustedDocumentsMode;
  if (mode === 'off') return { mode, manifest: new Map() };
  const path = env.HUB_TRUSTED_DOCUMENTS_MANIFEST?.trim() || DEFAULT_MANIFEST;
  return { mode, manifest: readManifest(path), source: path };
}

/** The mode and how many documents the manifest holds, for the gateway's start-up log line. */
export function describeTrustedDocuments(trusted: TrustedDocuments): string {
  return `${trusted.mode}${trusted.mode === 'off' ? '' : ` (${trusted.manifest.size} documents)`}`;
}

function refusal(code: TrustedDocumentCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra, http: { status: 400 } } });
}

/** The id a request names: `extensions.persistedQuery.sha256Hash`, else `documentId` (POST body or GET parameter). */
function documentIdOf(request: GraphQLRequest): string | undefined {
  const persisted = (request.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  let id: unknown = persisted && typeof persisted === 'object' ? persisted.sha256Hash : undefined;
  if (id === undefined && request.http) {
    const body = request.http.body as { documentId?: unknown } | undefined;
    id = request.http.method === 'POST' ? body?.documentId : new URLSearchParams(request.http.search).get('documentId') ?? undefined;
  }
  if (id === undefined || id === null) return undefined;
  // Not JSON.stringify: an array nested 100,000 deep would overflow the stack. No such id is in the manifest anyway.
  const text = typeof id === 'string' ? id : typeof id === 'number' || typeof id === 'boolean' ? String(id) : `<${Array.isArray(id) ? 'array' : typeof id}>`;
  return text.startsWith('sha256:') ? text.slice('sha256:'.length) : text;
}

/**
 * Resolves manifest ids into their documents and, in `enforce` mode, refuses ad-hoc operations of callers whose
 * role is not granted them. A refusal is made before the operation is parsed: the request's query is withdrawn, so
 * Apollo answers without running anything, and `willSendResponse` puts the refusal in its place (synchronously at
 * its start, so list this plugin before the audit plugin, which then records the refusal as the client sees it).
 * Pair it with `persistedQueries: false` in ApolloServer: this plugin handles every persisted-query extension.
 */
export function createTrustedDocumentsPlugin<TContext extends BaseContext>(options: {
  trusted: TrustedDocuments;
  /** Whether the request's caller may run ad-hoc operations in `enforce` mode. */
  mayRunAdHoc: (context: TContext) => boolean;
}): ApolloServerPlugin<TContext> {
  const { mode, manifest } = options.trusted;
  return {
    async requestDidStart(requestContext) {
      if (mode === 'off') return;
      const request = requestContext.request;
      const id = documentIdOf(request);
      let refused: GraphQLError | undefined;
      let trusted = false;
      if (id !== undefined) {
        const document = manifest.get(id);
        if (request.query !== undefined && request.query !== '') {
          if (documentHash(request.query) !== id) {
            refused = refusal(TrustedDocumentCode.PERSISTED_DOCUMENT_MISMATCH, 'The query text does not hash to the persisted document id sent with it');
          } else trusted = document !== undefined;
        } else if (document === undefined) {
          refused = refusal(TrustedDocumentCode.PERSISTED_DOCUMENT_NOT_FOUND, 'No trusted document has this id: the app and the hub were built from different manifests', {
            documentId: id.slice(0, 80),
          });
        } else {
          request.query = document;
          trusted = true;
        }
        if (request.extensions?.persistedQuery !== undefined) {
          const { persistedQuery: _resolved, ...rest } = request.extensions;
          request.extensions = rest;
        }
      } else if (request.query) {
        trusted = manifest.has(documentHash(request.query));
      }
      if (!trusted && !refused && mode === 'enforce' && !options.mayRunAdHoc(requestContext.contextValue)) {
        refused = refusal(
          TrustedDocumentCode.PERSISTED_DOCUMENT_REQUIRED,
          "This hub runs trusted documents only: send the operation's id from the manifest (extensions.persistedQuery.sha256Hash or documentId); your role may not run ad-hoc operations",
        );
      }
      if (!refused) return;
      // Nothing to parse: Apollo answers at once (a bad request), and the refusal replaces that answer below.
      request.query = undefined;
      const error = refused;
      return {
        async willSendResponse({ response }) {
          response.http.status = 400;
          response.body = { kind: 'single', singleResult: { errors: [formatted(error)] } };
        },
      };
    },
  };
}

function formatted(error: GraphQLError): GraphQLFormattedError {
  const { http: _http, ...extensions } = error.extensions;
  return { message: error.message, extensions };
}

/**
 * Whether a caller may run a document outside a request's plugins (a subscription, checked when it is admitted):
 * in `enforce` mode only a manifest document, unless the role is granted ad-hoc queries.
 */
export function trustedDocumentCheck(trusted: TrustedDocuments, roles: RoleRegistry) {
  return (role: string, document: string): boolean =>
    trusted.mode !== 'enforce' || roles[role]?.adHocQueries === true || trusted.manifest.has(documentHash(document));
}
