import http from 'node:http';
import https from 'node:https';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/** Statuses whose response may carry no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

export interface KeepAliveFetcherOptions {
  /** Open connections per subgraph at most; requests beyond wait for a free one. */
  maxSockets: number;
}

/**
 * The gateway's fetch to its subgraphs: node:http over a keep-alive agent, the body buffered whole. The stock data
 * source fetches with make-fetch-happen (an HTTP cache and retry layer made for npm); the hop to a subgraph needs
 * neither, nor compression (subgraphs answer uncompressed, and nothing here asks for gzip).
 */
export function keepAliveFetcher(options: KeepAliveFetcherOptions): Fetcher & { destroy(): void } {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' }),
  };
  const fetcher = (url: string, init: Parameters<Fetcher>[1] = {}) =>
    new Promise<Awaited<ReturnType<Fetcher>>>((resolve, reject) => {
      const target = new URL(url);
      const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const body = init.body ?? '';
      const signal = init.signal instanceof AbortSignal ? init.signal : undefined;
      const request = (target.protocol === 'https:' ? https : http).request(
        target,
        { method: init.method ?? 'GET', headers: { ...init.headers, 'content-length': String(Buffer.byteLength(body)) }, agent, signal },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
            }
            const status = response.statusCode ?? 502;
            resolve(new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage ?? '', headers }));
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  return Object.assign(fetcher as Fetcher, {
    destroy: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  });
}
