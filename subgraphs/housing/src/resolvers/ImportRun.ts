import { importRunResolvers } from '@hub/core';
import type { ImportRunResolvers } from '../__generated__/resolvers-types.ts';

export const ImportRun: ImportRunResolvers = importRunResolvers;
