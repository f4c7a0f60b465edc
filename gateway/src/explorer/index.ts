import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProduction, sendJson, type RoleRegistry } from '@hub/core';
import { Kind, parse } from 'graphql';
import { mintDemoToken } from '../demo-token.ts';

/**
 * The explorer (GraphiQL) and the overview page, served by the gateway from files on this machine: a closed
 * government network cannot reach the CDNs that stock landing pages load from. GraphiQL and React are the npm
 * packages' own prebuilt browser files; the hub's two scripts are in `static/`. Pages and assets are public (they
 * hold no data); every question they ask goes to `/graphql` with the caller's token like any client's.
 */
export const EXPLORER_PATH = '/explorer';
export const OVERVIEW_PATH = '/overview';
const ASSETS_PATH = '/explorer/assets/';
const TOKEN_PATH = '/explorer/token';

export interface ExplorerOptions {
  /** The trusted-documents manifest (hash → document): the explorer preloads the client kit's operations from it. */
  manifest: ReadonlyMap<string, string>;
  roles: RoleRegistry;
  /**
   * Development only: mints a token of the demo issuer for a role and grid, for the explorer's identity picker.
   * Absent in production, and whenever the gateway trusts a real identity provider.
   */
  mintToken?: (request: { role: string; grids: string[]; purpose: string | undefined }) => Promise<string>;
}

const require = createRequire(import.meta.url);
/** A file of an installed package, found from its package.json (their `exports` do not list the browser builds). */
const packageFile = (name: string, file: string) => join(dirname(require.resolve(`${name}/package.json`)), file);
const STATIC = new URL('./static/', import.meta.url);

/** The files the pages load, by the name they are served under. Nothing else under /explorer/assets/ exists. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'react.production.min.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.production.min.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  'graphiql.min.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.min.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
  'identity.js': { file: fileURLToPath(new URL('identity.js', STATIC)), type: 'text/javascript' },
  'explorer.js': { file: fileURLToPath(new URL('explorer.js', STATIC)), type: 'text/javascript' },
  'stream.js': { file: fileURLToPath(new URL('stream.js', STATIC)), type: 'text/javascript' },
  'overview.js': { file: fileURLToPath(new URL('overview.js', STATIC)), type: 'text/javascript' },
  'hub.css': { file: fileURLToPath(new URL('hub.css', STATIC)), type: 'text/css' },
};

/** One operation of a departmental app, as the explorer offers it. */
export interface KitOperation {
  app: string;
  name: string;
  /** The manifest's document (the operation and the fragments it uses), so running it runs a trusted document. */
  document: string;
  hash: string;
}

const CLIENTS = fileURLToPath(new URL('../../../clients/', import.meta.url));

/** The client kit's operations (clients/<app>/*.graphql) with their manifest documents, app by app. */
export function clientKitOperations(manifest: ReadonlyMap<string, string>, clientsDir = CLIENTS): KitOperation[] {
  const byName = new Map<string, { document: string; hash: string }>();
  for (const [hash, document] of manifest) {
    const match = /^(?:query|mutation|subscription) (\w+)/.exec(document);
    if (match) byName.set(match[1]!, { document, hash });
  }
  const operations: KitOperation[] = [];
  // A deployment without the client kit's folder still serves the explorer, with no tabs to offer.
  if (!existsSync(clientsDir)) return operations;
  const apps = readdirSync(clientsDir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('_') && d.name !== 'example');
  for (const app of apps.map((d) => d.name).sort()) {
    for (const file of readdirSync(`${clientsDir}${app}`).filter((f) => f.endsWith('.graphql')).sort()) {
      for (const definition of parse(readFileSync(`${clientsDir}${app}/${file}`, 'utf8')).definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION || !definition.name) continue;
        const found = byName.get(definition.name.value);
        if (found) operations.push({ app, name: definition.name.value, ...found });
      }
    }
  }
  return operations;
}

/**
 * The token minter for the explorer's identity picker, from the environment: the demo issuer's, outside production
 * and only while no identity provider is configured (the same conditions under which the gateway trusts the demo
 * issuer at all). Undefined otherwise, and the picker is not offered.
 */
export function demoTokenMinterFromEnv(env: NodeJS.ProcessEnv = process.env): ExplorerOptions['mintToken'] {
  if (isProduction(env) || env.HUB_JWKS_FILE || env.HUB_JWKS_URL) return undefined;
  return ({ role, grids, purpose }) => mintDemoToken({ role, user: `explorer-${role}`, department: undefined, grids, communities: [], purpose, ttl: '8h' }, env);
}

/** JSON inside a <script> element: `<` escaped so no value can close the element. */
const embed = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function page(title: string, body: string, config: unknown, scripts: string[], styles: string[]): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${styles.map((s) => `<link rel="stylesheet" href="${ASSETS_PATH}${s}">`).join('\n')}
</head>
<body>
${body}
<script id="hub-config" type="application/json">${embed(config)}</script>
${scripts.map((s) => `<script src="${ASSETS_PATH}${s}"></script>`).join('\n')}
</body>
</html>
`;
}

const IDENTITY_BAR = `<header id="hub-bar">
  <strong>基层治理数据枢纽 · Governance hub</strong>
  <nav><a href="${EXPLORER_PATH}">Explorer</a> <a href="${OVERVIEW_PATH}">Overview</a></nav>
  <form id="identity">
    <span id="picker" hidden>
      <label>role <select id="role"></select></label>
      <label>grid <input id="grid" size="16" placeholder="15-digit grid code"></label>
      <button type="submit" id="mint">Use a demo token</button>
    </span>
    <label>token <input id="token" size="24" placeholder="Bearer token"></label>
    <label>purpose <select id="purpose"><option value="">(none)</option></select></label>
  </form>
  <output id="status"></output>
</header>`;

export function explorerRoutes(options: ExplorerOptions): { routes: Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void>; prefix: Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void> } {
  const operations = clientKitOperations(options.manifest);
  // A role's unit is shown beside its name: the station officer acts for the police station, not public security.
  const roles = Object.entries(options.roles).map(([name, role]) => ({ name, purposes: role.purposes, ownGridsOnly: role.ownGridsOnly, unit: role.unit ?? null }));
  const config = {
    graphqlPath: '/graphql',
    // Subscriptions go over GraphQL over SSE (subscriptions/sse.ts), which a browser reads with fetch and a header.
    streamPath: '/graphql/stream',
    tokenPath: options.mintToken ? TOKEN_PATH : null,
    roles,
    operations,
  };
  const sendHtml = (res: ServerResponse, html: string) => {
    res.statusCode = 200;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    // The pages load only what this gateway serves, and talk only to it.
    res.setHeader('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'");
    res.end(html);
  };
  const explorerHtml = page('Explorer · Governance hub', `${IDENTITY_BAR}\n<div id="graphiql"></div>`, config, ['react.production.min.js', 'react-dom.production.min.js', 'graphiql.min.js', 'identity.js', 'stream.js', 'explorer.js'], ['graphiql.min.css', 'hub.css']);
  // The overview page asks by trusted-document id: a grid's figures and cases, or a street's.
  const documentIds = Object.fromEntries(operations.filter((o) => ['GridOverview', 'GridCaseCounts', 'StreetOverview'].includes(o.name)).map((o) => [o.name, o.hash]));
  const overviewHtml = page(
    'Overview · Governance hub',
    `${IDENTITY_BAR}\n<main id="overview"><form id="place"><label>grid or street <input id="place-code" size="16" placeholder="grid (15 digits) or street (12) code"></label> <button type="submit">Show</button></form><section id="figures"></section></main>`,
    // The figures are drawn again when a case of the place changes: the client kit's case stream, as a trusted document.
    { ...config, operations: [], documentIds, liveDocument: operations.find((o) => o.name === 'CaseEventStream')?.document ?? null },
    ['identity.js', 'stream.js', 'overview.js'],
    ['hub.css'],
  );

  const assetCache: Record<string, Buffer> = {};
  return {
    routes: {
      [EXPLORER_PATH]: (_req, res) => sendHtml(res, explorerHtml),
      [OVERVIEW_PATH]: (_req, res) => sendHtml(res, overviewHtml),
      [TOKEN_PATH]: async (req, res) => {
        if (!options.mintToken) return sendJson(res, 404, { error: 'demo tokens are for development only' });
        if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST { role, grid, purpose }' });
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of req) {
          size += (chunk as Buffer).length;
          // A role, a grid and a purpose fit in far less; anything larger is not the picker.
          if (size > 4096) return sendJson(res, 413, { error: 'expected JSON { role, grid, purpose }' });
          chunks.push(chunk as Buffer);
        }
        let request: { role?: unknown; grid?: unknown; purpose?: unknown };
        try {
          request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof request;
        } catch {
          return sendJson(res, 400, { error: 'expected JSON { role, grid, purpose }' });
        }
        if (typeof request.role !== 'string') return sendJson(res, 400, { error: 'role is required' });
        const grids = typeof request.grid === 'string' && request.grid !== '' ? [request.grid] : [];
        const purpose = typeof request.purpose === 'string' && request.purpose !== '' ? request.purpose : undefined;
        try {
          sendJson(res, 200, { token: await options.mintToken({ role: request.role, grids, purpose }) });
        } catch (error) {
          // The claims failed the gateway's own checks (an unknown role, a grid worker without a grid): say which.
          sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
        }
      },
    },
    prefix: {
      [ASSETS_PATH.slice(0, -1)]: (_req, res, url) => {
        const asset = ASSETS[url.pathname.slice(ASSETS_PATH.length)];
        if (!asset) return sendJson(res, 404, { error: `no asset ${url.pathname}` });
        res.statusCode = 200;
        res.setHeader('content-type', `${asset.type}; charset=utf-8`);
        res.setHeader('cache-control', 'public, max-age=3600');
        res.end((assetCache[url.pathname] ??= readFileSync(asset.file)));
      },
    },
  };
}
