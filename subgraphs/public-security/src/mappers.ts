/** What each GraphQL type resolves from: codegen maps `<Type>Model` to `<Type>`. */
import type { Connection } from '@hub/core';
import type { FloatingDetailsRow, ResidentRow } from './db/schema.ts';

export type ResidentModel = ResidentRow;
export type FloatingDetailsModel = FloatingDetailsRow;
export type GridModel = { code: string };
export type HouseModel = { code: string };
export type ResidentConnectionModel = Connection<ResidentRow> & { totalCount: number };
export type ResidentEdgeModel = { cursor: string; node: ResidentRow };
