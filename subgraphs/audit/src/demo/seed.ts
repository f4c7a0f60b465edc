import { transactionalSeeder, type DepartmentSeeder } from '@hub/demo';
import type { AuditDatabase } from '@hub/audit-trail/db';

/**
 * The audit trail starts empty in the demo: records are only ever written by the gateway, as operations happen.
 * Only the demo-seed marker is written, so the launcher treats the audit database like every other department's.
 */
export function auditSeeder(database: AuditDatabase, _secret: string): DepartmentSeeder {
  return transactionalSeeder('audit', database.pool, { grid: async () => {} });
}
