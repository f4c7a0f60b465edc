import { GraphQLError } from 'graphql';
import type { CasePartRow } from '../db/schema.ts';
import type { CasePartResolvers, UnitPartFiguresResolvers, LevelCaseFiguresResolvers } from '../__generated__/resolvers-types.ts';
import { daysBetween } from '../workflow/deadlines.ts';

/** Lead first, then co-handlers by unit code. */
export const byRoleAndUnit = (a: CasePartRow, b: CasePartRow) =>
  a.role === b.role ? (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0) : a.role === 'LEAD' ? -1 : 1;

export const CasePart: CasePartResolvers = {
  // A unit removed from the directory since its part was dispatched is a configuration error worth saying so.
  unit: (p, _, { limits }) => {
    const unit = limits.units.get(p.unitCode);
    if (!unit) throw new GraphQLError(`unit ${p.unitCode} of a dispatch is no longer in the unit directory`, { extensions: { code: 'UNKNOWN_UNIT', unit: p.unitCode } });
    return unit;
  },
  overdueDays: (p, _, { today }) => ((p.status === 'DISPATCHED' || p.status === 'ACKNOWLEDGED') && p.dueOn < today ? daysBetween(p.dueOn, today) : 0),
  handBackReason: (p) => (p.status === 'HANDED_BACK' ? p.endReason : null),
};

export const UnitPartFigures: UnitPartFiguresResolvers = {
  lead: (f) => f.figures.lead,
  coHandler: (f) => f.figures.coHandler,
  acknowledged: (f) => f.figures.acknowledged,
  finished: (f) => f.figures.finished,
  handedBack: (f) => f.figures.handedBack,
  closedOut: (f) => f.figures.closedOut,
  open: (f) => f.figures.open,
  overdue: (f) => f.figures.overdue,
};

export const LevelCaseFigures: LevelCaseFiguresResolvers = {};
