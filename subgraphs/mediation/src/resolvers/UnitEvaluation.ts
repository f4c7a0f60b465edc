import { toChinaTime } from '@hub/core';
import type { UnitEvaluationResolvers } from '../__generated__/resolvers-types.ts';

export const UnitEvaluation: UnitEvaluationResolvers = {
  evaluatedAt: (e) => toChinaTime(e.evaluatedAt),
};
