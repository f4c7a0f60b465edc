/**
 * Runs a dataset: the places of the filter, then column pages of runs of grids through the graph, handing rows on as
 * they come. Memory holds the pages in flight and nothing else, whatever the district's size; a stopped export (the
 * client went away) starts no further page.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { toChinaTime } from '@hub/core';
import type { DatasetPlacesQuery } from '../__generated__/datasets.ts';
import { PLACES_OPERATION, type Cell, type DatasetSpec, type GridPlace, type RowPage } from './catalog.ts';

export interface OperationResult {
  data?: unknown;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

/** Runs one operation as the caller, through the gateway's whole pipeline (limits, policy, audit). */
export type Execute = (request: { document: string; operationName: string; variables: Record<string, unknown> }) => Promise<OperationResult>;

/** A refusal or failure of an export, answered with an HTTP status and a stable code. */
export class DatasetError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DatasetFilter {
  streetCode: string | null;
  communityCode: string | null;
  gridCode: string | null;
  /** Dates in China Standard Time, both included. */
  from: string | null;
  to: string | null;
}

export interface RunOptions {
  signal: AbortSignal;
  /** Runs of grids read at once. */
  concurrency?: number;
  /** Rows asked per column page (the graph's maximum is 5000). */
  columnPageSize?: number;
  /** Grids one run of column pages covers (at most 500); runs are read `concurrency` at a time. */
  gridsPerRun?: number;
  /**
   * Waits before each further read of a page that failed for a while only (a department away, slow or restarting,
   * the audit trail unreachable): one retry per entry, e.g. `[1000, 4000]`; `[]` gives up at the first failure.
   */
  retryDelaysMs?: readonly number[];
  /** Told of each such retry (the gateway logs it). */
  onRetry?: (retry: { operationName: string; attempt: number; codes: string[] }) => void;
}

/**
 * Codes of a page read that failed for a while only: the gateway's own retries of each subgraph fetch were spent (a
 * department away, slow or restarting; its breaker open), the request's time ran out, a department's answer broke
 * off, or the audit trail could not record the page. A dataset's reads change nothing, so the page is read again.
 */
const TRANSIENT = new Set(['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_REQUEST_REFUSED', 'REQUEST_TIMEOUT', 'INTERNAL_SERVER_ERROR', 'AUDIT_UNAVAILABLE']);

/** A page read failed in one of those ways: every error transient (a refusal or a bad query stays a failure). */
const transient = (errors: NonNullable<OperationResult['errors']>) => errors.every((e) => TRANSIENT.has(String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')));

/** Two further reads of a failed page, a second and then four after it: longer than a breaker stays open (5 s). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 4000];

/**
 * `execute` with each transient failure read again after the next of `delays`, until one answers or the delays are
 * spent (the last failure is then the answer); a stop ends the waiting at once with the failure in hand.
 */
export function retryingReads(execute: Execute, options: Pick<RunOptions, 'signal' | 'retryDelaysMs' | 'onRetry'>): Execute {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  return async (request) => {
    for (let attempt = 0; ; attempt++) {
      let result: OperationResult;
      try {
        result = await execute(request);
        if (!result.errors?.length || !transient(result.errors) || attempt >= delays.length || options.signal.aborted) return result;
      } catch (error) {
        // The pipeline itself threw (not an answer with errors): read again the same way, or fail as before.
        if (attempt >= delays.length || options.signal.aborted) throw error;
        result = { errors: [{ message: 'the page read failed', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
      }
      options.onRetry?.({ operationName: request.operationName, attempt: attempt + 1, codes: [...new Set(result.errors?.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))] });
      try {
        await sleep(delays[attempt], undefined, { signal: options.signal });
      } catch {
        return result;
      }
    }
  };
}

function failure(operationName: string, errors: NonNullable<OperationResult['errors']>): DatasetError {
  const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
  const unavailable = codes.includes('SUBGRAPH_UNAVAILABLE');
  return new DatasetError(
    unavailable ? 503 : codes.every((c) => c === 'FORBIDDEN') ? 403 : 502,
    unavailable ? 'SUBGRAPH_UNAVAILABLE' : codes.every((c) => c === 'FORBIDDEN') ? 'FORBIDDEN' : 'DATASET_PAGE_FAILED',
    `${operationName} failed: ${codes.join(', ')}`,
  );
}

/** The grids a filter covers, in code order, with their community and street; an unknown place is a 404. */
export async function gridsOf(filter: DatasetFilter, execute: Execute): Promise<GridPlace[]> {
  const result = await execute({ ...PLACES_OPERATION, variables: {} });
  if (result.errors?.length) throw failure(PLACES_OPERATION.operationName, result.errors);
  const places = result.data as DatasetPlacesQuery;
  const grids: GridPlace[] = [];
  for (const street of places.district.streets) {
    for (const community of street.communities) {
      for (const grid of community.grids) {
        grids.push({ streetCode: street.code, streetName: street.name, communityCode: community.code, communityName: community.name, gridCode: grid.code, gridName: grid.name });
      }
    }
  }
  const known = (codes: string[], code: string | null, what: string) => {
    if (code !== null && !codes.includes(code)) throw new DatasetError(404, 'PLACE_NOT_FOUND', `${what} ${code} is not in the district`);
  };
  known(grids.map((g) => g.streetCode), filter.streetCode, 'street');
  known(grids.map((g) => g.communityCode), filter.communityCode, 'community');
  known(grids.map((g) => g.gridCode), filter.gridCode, 'grid');
  return grids
    .filter(
      (g) =>
        (filter.streetCode === null || g.streetCode === filter.streetCode) &&
        (filter.communityCode === null || g.communityCode === filter.communityCode) &&
        (filter.gridCode === null || g.gridCode === filter.gridCode),
    )
    .sort((a, b) => (a.gridCode < b.gridCode ? -1 : 1));
}

/** Rows of a page, those outside the date range left out. */
function keep(page: RowPage, filter: DatasetFilter): Cell[][] {
  if (page.dates === null || (filter.from === null && filter.to === null)) return page.rows;
  return page.rows.filter((_, i) => {
    const day = toChinaTime(new Date(page.dates?.[i] as string)).slice(0, 10);
    return (filter.from === null || day >= filter.from) && (filter.to === null || day <= filter.to);
  });
}

type Settings = Required<Omit<RunOptions, 'retryDelaysMs' | 'onRetry'>>;

/**
 * Runs of grids read at once by default: three. The small datasets at 1,000,000 residents are a few pages of 5,000
 * rows (welfare-cross-check 22,054 rows, party-members-by-grid 21,247, group-rentals 13,185 over 761 grids), each
 * page two or three hops one after another (the owner's page, then the other departments' columns for its keys,
 * then its audit record). Two runs of 381 grids made three pages one after another for the first two (5,000, 5,000
 * and ~2,000 rows) and two for group rentals, with two pages in flight and the two cores partly idle while a page
 * waited on its next hop; three runs of 254 grids make two (one for group rentals), three in flight. Each run still
 * reads two pages ahead (with one, a run whose page came back first would wait for the writer to reach it before
 * reading its next), so a million-row export holds six pages of 5,000 rows where it held four.
 */
const DEFAULT_CONCURRENCY = 3;

/**
 * The dataset's rows, as they come: runs of grids, each run's pages one after another and `concurrency` runs at once,
 * their pages taken in turn.
 */
export async function* datasetRows(dataset: DatasetSpec, grids: GridPlace[], filter: DatasetFilter, execute: Execute, options: RunOptions): AsyncGenerator<Cell[][]> {
  const settings: Settings = { concurrency: DEFAULT_CONCURRENCY, columnPageSize: 5000, gridsPerRun: 0, ...options };
  yield* columnRows(dataset, grids, filter, execute, settings);
}

/** One run of grids, a column page after another, until the last page or a stop. */
async function* runPages(dataset: DatasetSpec, run: GridPlace[], filter: DatasetFilter, execute: Execute, settings: Settings): AsyncGenerator<Cell[][]> {
  const places = new Map(run.map((g) => [g.gridCode, g]));
  const gridCodes = run.map((g) => g.gridCode);
  let after: string | null = null;
  do {
    if (settings.signal.aborted) return;
    const result = await execute({ document: dataset.document, operationName: dataset.operationName, variables: { gridCodes, first: settings.columnPageSize, after } });
    if (result.errors?.length) throw failure(dataset.operationName, result.errors);
    const page = dataset.rowsOf(result.data, places);
    if (!page) return;
    yield keep(page, filter);
    after = page.hasNextPage ? page.endCursor : null;
  } while (after !== null);
}

/**
 * Pulls a generator ahead of its reader, holding at most `depth` items: the next pages are fetched while the ones
 * before are written. A failure is kept for the reader, never left unhandled. `stop` ends the pulling and resolves
 * once the source has finished, so a stopped export ends only after its last page in flight has come back: nothing
 * of it still runs in a department when the export is over.
 */
function readAhead<T>(source: AsyncGenerator<T>, depth: number): { items: AsyncGenerator<T>; stop: () => Promise<void> } {
  const buffer: T[] = [];
  let finished = false;
  let failed: { error: unknown } | null = null;
  // Whoever waits: the reader for an item, the writer for room.
  const waiting: { reader?: () => void; writer?: () => void } = {};
  let stopped = false;
  const pump = (async () => {
    try {
      for await (const item of source) {
        buffer.push(item);
        waiting.reader?.();
        while (buffer.length >= depth && !stopped) await new Promise<void>((resolve) => (waiting.writer = resolve));
        if (stopped) break;
      }
    } catch (error) {
      failed = { error };
    } finally {
      finished = true;
      waiting.reader?.();
    }
  })();
  const stop = async () => {
    stopped = true;
    waiting.writer?.();
    await pump;
  };
  const items = (async function* () {
    try {
      for (;;) {
        const item = buffer.shift();
        if (item !== undefined) {
          waiting.writer?.();
          yield item;
          continue;
        }
        if (failed) throw (failed as { error: unknown }).error;
        if (finished) return;
        await new Promise<void>((resolve) => (waiting.reader = resolve));
      }
    } finally {
      await stop();
    }
  })();
  return { items, stop };
}

/**
 * Runs of at most `perRun` grids (in code order, so a community's grids lie together) that end where a community does:
 * whole communities packed into each run, a community bigger than `perRun` alone in its own.
 */
function communityRuns(grids: GridPlace[], perRun: number): GridPlace[][] {
  const runs: GridPlace[][] = [];
  let run: GridPlace[] = [];
  for (let start = 0; start < grids.length; ) {
    let end = start + 1;
    while (end < grids.length && grids[end]!.communityCode === grids[start]!.communityCode) end++;
    if (run.length > 0 && run.length + (end - start) > perRun) {
      runs.push(run);
      run = [];
    }
    run.push(...grids.slice(start, end));
    start = end;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * Rows of a column-paged dataset: runs of grids, `concurrency` runs read at once, each reading its pages ahead. Their
 * pages are handed on in turn (a page of the first run, then one of the second, …; a finished run's place goes to the
 * next run), so every run keeps fetching while the others' pages are written, and the same data always comes out in
 * the same order. Taking whole runs in grid order instead left all but the first run waiting once their few pages
 * ahead were read: one page in flight, and half of two cores idle.
 */
async function* columnRows(dataset: DatasetSpec, grids: GridPlace[], filter: DatasetFilter, execute: Execute, settings: Settings): AsyncGenerator<Cell[][]> {
  // One run per page read at once, none over the graph's 500 grids: a page costs a plan, a round trip per department
  // and an audit record whatever its length, and every run ends in a short page. Four runs per reader cost the
  // small datasets (a few rows per grid: cases, group rentals, entitlements) eight pages of a few hundred rows where
  // one run per reader does; rows spread evenly enough over a district's grids that the runs end close together.
  const perRun = settings.gridsPerRun > 0 ? settings.gridsPerRun : Math.min(500, Math.max(1, Math.ceil(grids.length / settings.concurrency)));
  const runs: GridPlace[][] = [];
  if (dataset.wholeCommunities) runs.push(...communityRuns(grids, perRun));
  else for (let i = 0; i < grids.length; i += perRun) runs.push(grids.slice(i, i + perRun));
  let next = 0;
  const open = () => (next < runs.length && !settings.signal.aborted ? readAhead(runPages(dataset, runs[next++] as GridPlace[], filter, execute, settings), 2) : null);
  const places: (ReturnType<typeof readAhead<Cell[][]>> | null)[] = [];
  for (let i = 0; i < settings.concurrency; i++) places.push(open());
  try {
    while (places.some((run) => run !== null)) {
      for (let i = 0; i < places.length; i++) {
        let run = places[i];
        let page = run ? await run.items.next() : null;
        while (run && page?.done) {
          run = places[i] = open();
          page = run ? await run.items.next() : null;
        }
        if (settings.signal.aborted) return;
        if (page && !page.done && page.value.length > 0) yield page.value;
      }
    }
  } finally {
    // A stop or a failure ends the runs still reading ahead, and waits for their pages in flight: a run never read
    // from has no generator to return, so each is stopped directly.
    await Promise.all(places.map((run) => run?.stop()));
  }
}
