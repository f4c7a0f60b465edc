import { DEMO_HUB_SECRET, residentKey } from '@hub/core';
import type { AuditRecordInput } from './writer.ts';

/** A pseudonymous resident id for test record `n`. */
export const residentOf = (n: number) => residentKey(`test-resident-${n}`, DEMO_HUB_SECRET);

/** An ordinary audited query, as the gateway would report it. */
export function operation(n: number, overrides: Partial<AuditRecordInput> = {}): AuditRecordInput {
  return {
    occurredAt: new Date(Date.UTC(2026, 10, 26, 1, 0, 0) + n * 60_000),
    userId: `user-${n % 3}`,
    role: 'police-officer',
    department: 'public-security',
    purpose: 'public-safety',
    eventType: 'OPERATION',
    operationName: 'ResidentProfile',
    document: `query ResidentProfile($id: ID!) { resident(id: $id) { name } } # ${n}`,
    variables: { id: residentOf(n) },
    categories: ['identity'],
    residentIds: [residentOf(n)],
    outcome: 'SUCCESS',
    errorCodes: [],
    ...overrides,
  };
}
