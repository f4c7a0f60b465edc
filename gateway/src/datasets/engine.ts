/**
 * Runs a dataset: the places of the filter, then each grid's pages through the graph, a few grids at a time and in
 * order, handing rows on as they come. Memory holds the grids in flight and nothing else, whatever the district's
 * size; a stopped export (the client went away) starts no further page.
 */
import { toChinaTime } from '@hub/core';
import type { DatasetPlacesQuery } from '../__generated__/datasets.ts';
import { PLACES_OPERATION, type Cell, type DatasetSpec, type GridPlace } from './catalog.ts';

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
  /** Rows asked per page (the graph's maximum is 500). */
  pageSize?: number;
  /** Grids read at once. */
  concurrency?: number;
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

/** Every row of one grid, page after page, those outside the date range left out. */
async function gridRows(dataset: DatasetSpec, grid: GridPlace, filter: DatasetFilter, execute: Execute, options: Required<RunOptions>): Promise<Cell[][]> {
  const rows: Cell[][] = [];
  let after: string | null = null;
  for (;;) {
    if (options.signal.aborted) return rows;
    const result = await execute({ document: dataset.document, operationName: dataset.operationName, variables: { gridCode: grid.gridCode, first: options.pageSize, after } });
    if (result.errors?.length) throw failure(dataset.operationName, result.errors);
    const page = dataset.rowsOf(result.data, grid);
    if (!page) return rows;
    page.rows.forEach((row, i) => {
      const date = page.dates?.[i];
      if (date !== undefined && (filter.from !== null || filter.to !== null)) {
        const day = toChinaTime(new Date(date)).slice(0, 10);
        if ((filter.from !== null && day < filter.from) || (filter.to !== null && day > filter.to)) return;
      }
      rows.push(row);
    });
    if (!page.hasNextPage || page.endCursor === null) return rows;
    after = page.endCursor;
  }
}

/**
 * The dataset's rows, one grid's worth at a time, in grid order. Up to `concurrency` grids are read ahead; a grid
 * is handed on only when all before it have been.
 */
export async function* datasetRows(dataset: DatasetSpec, grids: GridPlace[], filter: DatasetFilter, execute: Execute, options: RunOptions): AsyncGenerator<Cell[][]> {
  const settings: Required<RunOptions> = { pageSize: 500, concurrency: 4, ...options };
  const inFlight: Promise<Cell[][]>[] = [];
  let next = 0;
  const startNext = () => {
    if (next < grids.length && !settings.signal.aborted) {
      const grid = grids[next++] as GridPlace;
      const rows = gridRows(dataset, grid, filter, execute, settings);
      // A rejection is handled when its turn comes; until then it must not count as unhandled.
      rows.catch(() => {});
      inFlight.push(rows);
    }
  };
  for (let i = 0; i < settings.concurrency; i++) startNext();
  while (inFlight.length > 0) {
    const rows = await (inFlight.shift() as Promise<Cell[][]>);
    if (settings.signal.aborted) return;
    startNext();
    if (rows.length > 0) yield rows;
  }
}
