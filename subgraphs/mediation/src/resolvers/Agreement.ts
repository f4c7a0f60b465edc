import type { AgreementResolvers } from '../__generated__/resolvers-types.ts';
import { addDays } from '../workflow/deadlines.ts';
import { JUDICIAL_CONFIRMATION_DAYS } from '../workflow/endings.ts';

export const Agreement: AgreementResolvers = {
  performed: (a) => a.performance === 'PERFORMED',
  terms: (a, _, { masks }) => masks.text(a.terms),
  // An oral agreement has no document for a court to confirm.
  judicialConfirmationDueOn: (a) => (a.form === 'WRITTEN' ? addDays(a.reachedOn, JUDICIAL_CONFIRMATION_DAYS) : null),
  judicialConfirmation: (a) =>
    a.confirmationAppliedOn === null
      ? null
      : { appliedOn: a.confirmationAppliedOn, court: a.confirmationCourt ?? '', ruledOn: a.confirmationRuledOn, ruling: a.confirmationRuling },
};
