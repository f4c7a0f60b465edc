/** GB/T 22239 level 3 asks for at least six months; the hub counts that as 180 days. */
export const MIN_RETENTION_DAYS = 180;

/**
 * `HUB_AUDIT_RETENTION_DAYS`: how long audit records are kept at the least (default and minimum 180). There is no
 * delete: the table refuses it, so every record is kept at least this long, in practice for good. The value is
 * checked when a writer or the audit service starts, so a shorter period is refused before anything is recorded
 * under it, and reported with the chain's status.
 */
export function auditRetentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.HUB_AUDIT_RETENTION_DAYS;
  if (value === undefined || value === '') return MIN_RETENTION_DAYS;
  const days = Number(value);
  if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS) {
    throw new Error(
      `HUB_AUDIT_RETENTION_DAYS must be a whole number of days, at least ${MIN_RETENTION_DAYS} (GB/T 22239: six months), got "${value}"`,
    );
  }
  return days;
}
