/**
 * The datasets over HTTP: `GET /datasets` is the catalog; `GET /datasets/<name>.<csv|ndjson|parquet>?street=&
 * community=&grid=&from=&to=` streams one, under the caller's token and declared purpose like any query. Bad
 * filters are 400, unknown datasets, formats and places 404, a dataset the role may not read 403 (and audited).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCommunityCode, isGridCode, isStreetCode, refusalBody, sendJson, type Caller, type Logger, type RouteHandler } from '@hub/core';
import type { AuditSink } from '../audit.ts';
import { DATASETS, type DatasetSpec } from './catalog.ts';
import { DatasetError, datasetRows, gridsOf, retryingReads, type DatasetFilter, type Execute, type RunOptions } from './engine.ts';
import { encoderFor, FORMATS, isFormat, type Format } from './formats.ts';

export const DATASETS_PATH = '/datasets';

export interface DatasetRouteOptions {
  /** Who is asking: the same check of token and purpose as `/graphql` (throws an HttpError to refuse). */
  authenticate(req: IncomingMessage, url: URL): Promise<{ caller: Caller }>;
  /** Runs one of a dataset's operations as that caller through the gateway's pipeline. */
  executeAs(caller: Caller, dataset: string): Execute;
  audit: AuditSink;
  logger: Logger;
  /** Page sizes and how many grids are read at once (see `RunOptions`; the defaults suit a real district). */
  tuning?: Omit<RunOptions, 'signal'>;
  /** Told of every batch of rows as it is sent: the rate limits charge an export by its size. */
  onRows?: (caller: Caller, rows: number) => void;
}

const FILTERS = ['street', 'community', 'grid', 'from', 'to'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function badFilter(message: string): DatasetError {
  return new DatasetError(400, 'INVALID_FILTER', message);
}

/** The query string as a filter, every value checked; unknown parameters are refused, not ignored. */
export function parseFilter(params: URLSearchParams, dataset: DatasetSpec): DatasetFilter {
  for (const key of params.keys()) {
    if (!(FILTERS as readonly string[]).includes(key)) throw badFilter(`unknown filter "${key}"; filters: ${FILTERS.join(', ')}`);
    if (params.getAll(key).length > 1) throw badFilter(`filter "${key}" is given more than once`);
  }
  const code = (key: 'street' | 'community' | 'grid', check: (code: string) => boolean, form: string) => {
    const value = params.get(key);
    if (value === null) return null;
    if (!check(value)) throw badFilter(`${key} must be ${form}, got "${value.slice(0, 40)}"`);
    return value;
  };
  const date = (key: 'from' | 'to') => {
    const value = params.get(key);
    if (value === null) return null;
    if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
      throw badFilter(`${key} must be a date YYYY-MM-DD, got "${value.slice(0, 40)}"`);
    }
    return value;
  };
  const filter: DatasetFilter = {
    streetCode: code('street', isStreetCode, 'a 12-digit street code ending in 000'),
    communityCode: code('community', isCommunityCode, 'a 12-digit community code'),
    gridCode: code('grid', isGridCode, 'a 15-digit grid code'),
    from: date('from'),
    to: date('to'),
  };
  if (filter.from !== null && filter.to !== null && filter.from > filter.to) throw badFilter('"from" is after "to"');
  if ((filter.from !== null || filter.to !== null) && !dataset.datedBy) throw badFilter(`dataset ${dataset.name} has no date to filter by`);
  return filter;
}

/** The catalog entry of a dataset: what an analyst's tool needs to know before pulling it. */
function describe(dataset: DatasetSpec) {
  return {
    name: dataset.name,
    title: dataset.title,
    formats: Object.fromEntries(FORMATS.map((f) => [f, `${DATASETS_PATH}/${dataset.name}.${f}`])),
    filters: dataset.datedBy ? [...FILTERS] : FILTERS.filter((f) => f !== 'from' && f !== 'to'),
    requiredScopes: dataset.scopes,
    columns: dataset.columns,
  };
}

const mayRead = (caller: Caller, dataset: DatasetSpec) => dataset.scopes.some((set) => set.every((scope) => caller.scopes.includes(scope)));

/** Resolves when the response can take more bytes, or has closed; leaves no listener behind. */
function writable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes with backpressure; false when the client has gone. */
async function send(res: ServerResponse, chunks: Buffer[]): Promise<boolean> {
  for (const chunk of chunks) {
    if (res.destroyed) return false;
    if (!res.write(chunk)) await writable(res);
  }
  return !res.destroyed;
}

export function datasetRoutes(options: DatasetRouteOptions): RouteHandler {
  return async (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, refusalBody('datasets are read with GET', 'METHOD_NOT_ALLOWED'));
    }
    const { caller } = await options.authenticate(req, url);
    if (url.pathname === DATASETS_PATH || url.pathname === `${DATASETS_PATH}/`) {
      return sendJson(res, 200, { datasets: [...DATASETS.values()].filter((d) => mayRead(caller, d)).map(describe) });
    }
    const match = /^\/datasets\/([a-z0-9-]+)\.([a-z]+)$/.exec(url.pathname);
    const dataset = match ? DATASETS.get(match[1] as string) : undefined;
    if (!match || !dataset) {
      return sendJson(res, 404, refusalBody(`no dataset at ${url.pathname.slice(0, 100)}; the catalog is at ${DATASETS_PATH}`, 'DATASET_NOT_FOUND'));
    }
    const format = match[2] as string;
    if (!isFormat(format)) {
      return sendJson(res, 404, refusalBody(`no format "${format}"; formats: ${FORMATS.join(', ')}`, 'FORMAT_NOT_SUPPORTED'));
    }
    if (!mayRead(caller, dataset)) {
      await options.audit.write({
        userId: caller.userId,
        role: caller.role,
        department: caller.department,
        purpose: caller.purpose,
        eventType: 'REQUEST_REFUSED',
        operationName: `GET ${DATASETS_PATH}/${dataset.name}.${format}`,
        outcome: 'DENIED',
        errorCodes: ['DATASET_FORBIDDEN'],
      });
      return sendJson(res, 403, refusalBody(`the ${caller.role} role may not read dataset ${dataset.name}: it needs ${dataset.scopes.map((s) => s.join(' + ')).join(' or ')}`, 'DATASET_FORBIDDEN'));
    }
    try {
      await stream(dataset, format, req, res, url, caller, options);
    } catch (error) {
      if (!(error instanceof DatasetError)) throw error;
      if (!res.headersSent) return sendJson(res, error.status, refusalBody(error.message, error.code));
      // Rows have gone out already: cut the response so the client sees an incomplete file, never a short one.
      options.logger.warn('dataset export failed midway', { dataset: dataset.name, code: error.code });
      res.destroy();
    }
  };
}

async function stream(dataset: DatasetSpec, format: Format, req: IncomingMessage, res: ServerResponse, url: URL, caller: Caller, options: DatasetRouteOptions) {
  const filter = parseFilter(url.searchParams, dataset);
  const stopped = new AbortController();
  res.once('close', () => stopped.abort());
  req.once('aborted', () => stopped.abort());
  // A page (or the places) that failed for a while only is read again before the export gives up: an export of
  // minutes outlasts a department's restart or a moment of overload, and cutting the file would waste all of it.
  const execute = retryingReads(options.executeAs(caller, dataset.name), {
    signal: stopped.signal,
    ...(options.tuning?.retryDelaysMs ? { retryDelaysMs: options.tuning.retryDelaysMs } : {}),
    onRetry: ({ operationName, attempt, codes }) => options.logger.warn('dataset page read again', { dataset: dataset.name, operationName, attempt, codes }),
  });
  const grids = await gridsOf(filter, execute);
  const rows = datasetRows(dataset, grids, filter, execute, { ...options.tuning, signal: stopped.signal });
  // The first grid is read before anything is sent, so an early failure is still a proper HTTP status.
  const first = await rows.next();
  const encoder = encoderFor(format, dataset.columns);
  res.statusCode = 200;
  res.setHeader('content-type', encoder.contentType);
  res.setHeader('content-disposition', `attachment; filename="${dataset.name}.${format}"`);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('trailer', 'x-hub-rows');
  if (req.method === 'HEAD') return res.end();
  let count = 0;
  let open = await send(res, encoder.begin());
  if (!first.done && open) {
    count += first.value.length;
    options.onRows?.(caller, first.value.length);
    open = await send(res, encoder.write(first.value));
  }
  while (open) {
    const next = await rows.next();
    if (next.done) break;
    count += next.value.length;
    options.onRows?.(caller, next.value.length);
    open = await send(res, encoder.write(next.value));
  }
  // A client that went away while a page was read ends the rows early (the engine stops at the abort), not in
  // failure: that export is stopped, not done.
  if (!open || stopped.signal.aborted) {
    await rows.return(undefined);
    options.logger.info('dataset export stopped by the client', { dataset: dataset.name, rows: count });
    return;
  }
  await send(res, encoder.end());
  res.addTrailers({ 'x-hub-rows': String(count) });
  res.end();
  options.logger.info('dataset exported', { dataset: dataset.name, format, rows: count });
}
