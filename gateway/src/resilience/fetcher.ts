import http from 'node:http';
import https from 'node:https';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

type Fetcher = RemoteGraphQLDataSource['fetcher'];

type FetcherResponse = Awaited<ReturnType<Fetcher>>;

/**
 * A subgraph's answer, already read whole: `json()` is one JSON.parse of the bytes, without the web streams a
 * fetch Response reads its body through (which the profile showed on every subgraph fetch).
 */
class BufferedResponse implements FetcherResponse {
  bodyUsed = false;
  readonly redirected = false;
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    private readonly body: Buffer,
  ) {}
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.body.toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    return new Uint8Array(this.body).buffer;
  }
  clone(): FetcherResponse {
    return new BufferedResponse(this.url, this.status, this.statusText, new Headers(this.headers), this.body);
  }
}

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
    new Promise<FetcherResponse>((resolve, reject) => {
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
            resolve(new BufferedResponse(url, response.statusCode ?? 502, response.statusMessage ?? '', headers, Buffer.concat(chunks)));
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
