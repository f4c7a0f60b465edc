import http from 'node:http';
import https from 'node:https';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

type Fetcher = RemoteGraphQLDataSource['fetcher'];

type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherHeaders = FetcherResponse['headers'];

/**
 * A subgraph answer's headers as node:http read them (names lower-cased, repeated ones joined), behind the Headers
 * interface the data source reads `content-type` through: a fetch `Headers` built per answer showed in the profile.
 */
export class ReceivedHeaders implements FetcherHeaders {
  private readonly values_ = new Map<string, string>();
  constructor(received: Iterable<[string, string | string[] | undefined]> = []) {
    for (const [name, value] of received) if (value !== undefined) this.values_.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const current = this.values_.get(key);
    this.values_.set(key, current === undefined ? value : `${current}, ${value}`);
  }
  delete(name: string): void {
    this.values_.delete(name.toLowerCase());
  }
  get(name: string): string | null {
    return this.values_.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.values_.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.values_.set(name.toLowerCase(), value);
  }
  entries(): IterableIterator<[string, string]> {
    return this.values_.entries();
  }
  keys(): IterableIterator<string> {
    return this.values_.keys();
  }
  values(): IterableIterator<string> {
    return this.values_.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.values_.entries();
  }
}

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
    readonly headers: FetcherHeaders,
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
    return new BufferedResponse(this.url, this.status, this.statusText, new ReceivedHeaders(this.headers), this.body);
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
  // A gateway asks a handful of subgraph URLs, each parsed once.
  const targets = new Map<string, URL>();
  const fetcher = (url: string, init: Parameters<Fetcher>[1] = {}) =>
    new Promise<FetcherResponse>((resolve, reject) => {
      let target = targets.get(url);
      if (!target) {
        target = new URL(url);
        if (targets.size < 64) targets.set(url, target);
      }
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
            const headers = new ReceivedHeaders(Object.entries(response.headers));
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
