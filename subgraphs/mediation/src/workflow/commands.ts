/**
 * The write side of the case workflow, by action family, in the order a case lives through them. Every command
 * runs in the one transaction of `transaction.ts` (idempotency key, row lock and version, transition table, event
 * under the feed lock, the key's result); each family's module says only its own rules.
 */
export type { CaseChangeResult, WorkflowContext } from './transaction.ts';
export { reportCase, acceptCase, rejectCase } from './intake.ts';
export { dispatchCase, acknowledgeCase } from './dispatch.ts';
export { addCaseRecord, resolveCase } from './handling.ts';
export { followUpCase, closeCase, reopenCase, UNSATISFIED_VISITS_TO_ESCALATE } from './closing.ts';
export { finishCasePart, closeOutCasePart, handBackCase } from './parts.ts';
export { reportCaseUp, assignCaseDown } from './levels.ts';
export { extendCaseTimeLimit } from './time-limits.ts';
export { terminateCase, withdrawCase, recordJudicialConfirmation, recordAgreementPerformance } from './endings.ts';
export { issueSupervisionNotice, replyToSupervisionNotice, addAccountabilityNote } from './supervision.ts';
export { assessCase } from './assessment.ts';
