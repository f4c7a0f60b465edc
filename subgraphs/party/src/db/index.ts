import { defineDepartmentDatabase, type DepartmentDatabase } from '@hub/core';
import * as schema from './schema.ts';

export const partyDatabase = defineDepartmentDatabase('party', schema, new URL('./migrations', import.meta.url));
export type PartyDatabase = DepartmentDatabase<typeof schema>;
export type Db = PartyDatabase['db'];
