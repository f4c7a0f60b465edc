import { defineDepartmentDatabase, type DepartmentDatabase } from '@hub/core';
import * as schema from './schema.ts';

export const mediationDatabase = defineDepartmentDatabase('mediation', schema, new URL('./migrations', import.meta.url));
export type MediationDatabase = DepartmentDatabase<typeof schema>;
export type Db = MediationDatabase['db'];
