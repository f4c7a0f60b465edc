/**
 * Runs a dataset: the places of the filter, then each grid's pages through the graph, a few grids at a time and in
 * order, handing rows on as they come. Memory holds the grids in flight and nothing else, whatever the district's
 * size; a stopped export (the client went away) starts no further page.
 */
import { toChinaTime } from '@hub/core';
import { Kind, parse, print, visit, type ArgumentNode, type FieldNode, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';
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
  /** Rows asked per page (the graph's maximum is 500). */
  pageSize?: number;
  /** Batches of grids read at once. */
  concurrency?: number;
  /** Grids asked in one operation for their first page (aliases of the dataset's operation). */
  gridsPerOperation?: number;
  /** Rows asked of each grid in such a batched first page (kept small so the batch stays under the cost limit). */
  batchedPageSize?: number;
  /** Column-paged datasets: rows asked per column page (the graph's maximum is 5000). */
  columnPageSize?: number;
  /** Column-paged datasets: grids one run of column pages covers (at most 500); runs are read `concurrency` at a time. */
  gridsPerRun?: number;
}

/**
 * The dataset's operation asking the first page of several grids at once: its grid field repeated under aliases
 * g0, g1, … with a variable each, and no cursor. The selection is the dataset's own, so policy, masking and audit
 * see the same fields; only the round trips are fewer.
 */
export function batchedDocument(document: string, operationName: string, grids: number): string {
  const operation = parse(document).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === operationName);
  const root = operation?.selectionSet.selections[0];
  if (!operation || !root || root.kind !== Kind.FIELD || operation.selectionSet.selections.length !== 1) {
    throw new Error(`${operationName} must ask one grid field, with $gridCode, $first and $after`);
  }
  const withoutCursor = visit(root, {
    Argument: (argument: ArgumentNode) => (argument.value.kind === Kind.VARIABLE && argument.value.name.value === 'after' ? null : undefined),
  }) as FieldNode;
  const variable = (name: string) => ({ kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } }) as const;
  const fields: FieldNode[] = Array.from({ length: grids }, (_, i) => ({
    ...withoutCursor,
    alias: { kind: Kind.NAME, value: `g${i}` },
    arguments: (withoutCursor.arguments ?? []).map((argument) =>
      argument.value.kind === Kind.VARIABLE && argument.value.name.value === 'gridCode' ? { ...argument, value: variable(`g${i}`) } : argument,
    ),
  }));
  const definitions: VariableDefinitionNode[] = [
    ...Array.from({ length: grids }, (_, i) => ({
      kind: Kind.VARIABLE_DEFINITION,
      variable: variable(`g${i}`),
      type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
    }) as VariableDefinitionNode),
    ...(operation.variableDefinitions ?? []).filter((d) => d.variable.name.value === 'first'),
  ];
  return print({
    kind: Kind.DOCUMENT,
    definitions: [{ ...operation, name: { kind: Kind.NAME, value: `${operationName}Batch${grids}` }, variableDefinitions: definitions, selectionSet: { ...operation.selectionSet, selections: fields } }],
  });
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

/** The rest of one grid's rows after `after`, page after page. */
async function remainingRows(dataset: GridSpec, grid: GridPlace, after: string, filter: DatasetFilter, execute: Execute, settings: Settings): Promise<Cell[][]> {
  const rows: Cell[][] = [];
  let cursor: string | null = after;
  while (cursor !== null && !settings.signal.aborted) {
    const result = await execute({ document: dataset.document, operationName: dataset.operationName, variables: { gridCode: grid.gridCode, first: settings.pageSize, after: cursor } });
    if (result.errors?.length) throw failure(dataset.operationName, result.errors);
    const page = dataset.rowsOf(result.data, grid);
    if (!page) break;
    rows.push(...keep(page, filter));
    cursor = page.hasNextPage ? page.endCursor : null;
  }
  return rows;
}

type Settings = Required<RunOptions>;
type GridSpec = Extract<DatasetSpec, { pagedBy: 'grid' }>;

/** Every row of a batch of grids: their first pages in one operation, then each grid's further pages alone. */
async function batchRows(dataset: GridSpec, batch: GridPlace[], filter: DatasetFilter, execute: Execute, settings: Settings, documents: Map<number, string>): Promise<Cell[][]> {
  let document = documents.get(batch.length);
  if (document === undefined) {
    document = batchedDocument(dataset.document, dataset.operationName, batch.length);
    documents.set(batch.length, document);
  }
  const operationName = `${dataset.operationName}Batch${batch.length}`;
  const result = await execute({ document, operationName, variables: { first: settings.batchedPageSize, ...Object.fromEntries(batch.map((g, i) => [`g${i}`, g.gridCode])) } });
  if (result.errors?.length) throw failure(operationName, result.errors);
  const data = (result.data ?? {}) as Record<string, unknown>;
  const perGrid = await Promise.all(
    batch.map(async (grid, i) => {
      const page = dataset.rowsOf({ grid: data[`g${i}`] ?? null }, grid);
      if (!page) return [];
      const rows = keep(page, filter);
      if (page.hasNextPage && page.endCursor !== null) rows.push(...(await remainingRows(dataset, grid, page.endCursor, filter, execute, settings)));
      return rows;
    }),
  );
  return perGrid.flat();
}

/**
 * The dataset's rows, as they come. Grid-paged datasets go a batch of grids at a time in grid order, up to
 * `concurrency` batches read ahead; column-paged ones in runs of grids, each run's pages one after another and
 * `concurrency` runs at once, their pages taken in turn.
 */
export async function* datasetRows(dataset: DatasetSpec, grids: GridPlace[], filter: DatasetFilter, execute: Execute, options: RunOptions): AsyncGenerator<Cell[][]> {
  const settings: Settings = { pageSize: 500, concurrency: 2, gridsPerOperation: 4, batchedPageSize: 250, columnPageSize: 5000, gridsPerRun: 0, ...options };
  if (dataset.pagedBy === 'grids') {
    yield* columnRows(dataset, grids, filter, execute, settings);
    return;
  }
  const documents = new Map<number, string>();
  const batches: GridPlace[][] = [];
  for (let i = 0; i < grids.length; i += settings.gridsPerOperation) batches.push(grids.slice(i, i + settings.gridsPerOperation));
  const inFlight: Promise<Cell[][]>[] = [];
  let next = 0;
  const startNext = () => {
    if (next < batches.length && !settings.signal.aborted) {
      const rows = batchRows(dataset, batches[next++] as GridPlace[], filter, execute, settings, documents);
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

type ColumnSpec = Extract<DatasetSpec, { pagedBy: 'grids' }>;

/** One run of grids, a column page after another, until the last page or a stop. */
async function* runPages(dataset: ColumnSpec, run: GridPlace[], filter: DatasetFilter, execute: Execute, settings: Settings): AsyncGenerator<Cell[][]> {
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
 * before are written. A failure is kept for the reader, never left unhandled.
 */
function readAhead<T>(source: AsyncGenerator<T>, depth: number): AsyncGenerator<T> {
  const buffer: T[] = [];
  let finished = false;
  let failed: { error: unknown } | null = null;
  // Whoever waits: the reader for an item, the writer for room.
  const waiting: { reader?: () => void; writer?: () => void } = {};
  let stopped = false;
  void (async () => {
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
  return (async function* () {
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
      stopped = true;
      waiting.writer?.();
    }
  })();
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
async function* columnRows(dataset: ColumnSpec, grids: GridPlace[], filter: DatasetFilter, execute: Execute, settings: Settings): AsyncGenerator<Cell[][]> {
  // Enough runs that `concurrency` of them keep the departments busy, none over the graph's 500 grids.
  const perRun = settings.gridsPerRun > 0 ? settings.gridsPerRun : Math.min(500, Math.max(1, Math.ceil(grids.length / (settings.concurrency * 4))));
  const runs: GridPlace[][] = [];
  if (dataset.wholeCommunities) runs.push(...communityRuns(grids, perRun));
  else for (let i = 0; i < grids.length; i += perRun) runs.push(grids.slice(i, i + perRun));
  let next = 0;
  const open = () => (next < runs.length && !settings.signal.aborted ? readAhead(runPages(dataset, runs[next++] as GridPlace[], filter, execute, settings), 2) : null);
  const places: (AsyncGenerator<Cell[][]> | null)[] = [];
  for (let i = 0; i < settings.concurrency; i++) places.push(open());
  try {
    while (places.some((run) => run !== null)) {
      for (let i = 0; i < places.length; i++) {
        let run = places[i];
        let page = run ? await run.next() : null;
        while (run && page?.done) {
          run = places[i] = open();
          page = run ? await run.next() : null;
        }
        if (settings.signal.aborted) return;
        if (page && !page.done && page.value.length > 0) yield page.value;
      }
    }
  } finally {
    // A stop or a failure ends the runs still reading ahead.
    for (const run of places) if (run) await run.return(undefined);
  }
}
