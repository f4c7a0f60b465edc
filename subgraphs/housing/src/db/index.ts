import { defineDepartmentDatabase, type DepartmentDatabase } from '@hub/core';
import * as schema from './schema.ts';

export const housingDatabase = defineDepartmentDatabase('housing', schema, new URL('./migrations', import.meta.url));
export type HousingDatabase = DepartmentDatabase<typeof schema>;
export type Db = HousingDatabase['db'];
