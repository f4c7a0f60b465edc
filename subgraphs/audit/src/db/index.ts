import { defineDepartmentDatabase, type DepartmentDatabase } from '@hub/core';
import * as schema from './schema.ts';

export const auditDatabase = defineDepartmentDatabase('audit', schema, new URL('./migrations', import.meta.url));
export type AuditDatabase = DepartmentDatabase<typeof schema>;
export type Db = AuditDatabase['db'];
