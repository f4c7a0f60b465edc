import { defineDepartmentDatabase, type DepartmentDatabase } from '@hub/core';
import * as schema from './schema.ts';

export const publicSecurityDatabase = defineDepartmentDatabase('public-security', schema, new URL('./migrations', import.meta.url));
export type PublicSecurityDatabase = DepartmentDatabase<typeof schema>;
export type Db = PublicSecurityDatabase['db'];
