import type { AgreementResolvers } from '../__generated__/resolvers-types.ts';
import { addDays } from '../workflow/deadlines.ts';

/** Parties apply jointly for judicial confirmation (司法确认) within 30 days of the agreement taking effect. */
const JUDICIAL_CONFIRMATION_DAYS = 30;

export const Agreement: AgreementResolvers = {
  terms: (a, _, { masks }) => masks.text(a.terms),
  judicialConfirmationDueOn: (a) => addDays(a.reachedOn, JUDICIAL_CONFIRMATION_DAYS),
};
