import { defineDepartmentDatabase, type DepartmentDatabase } from '@hub/core';
import * as schema from './schema.ts';

export const civilAffairsDatabase = defineDepartmentDatabase('civil-affairs', schema, new URL('./migrations', import.meta.url));
export type CivilAffairsDatabase = DepartmentDatabase<typeof schema>;
export type Db = CivilAffairsDatabase['db'];
