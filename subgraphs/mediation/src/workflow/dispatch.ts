/**
 * Dispatch (派单): a case goes to a lead unit and any co-handlers with their deadlines (from the centre; an escalated
 * one from the supervision office), or on to other units, and each unit reports that it has taken its part up (报到).
 * The rules live with the parts of a dispatch in parts.ts.
 */
export { acknowledgeCase, dispatchCase } from './parts.ts';
