import { runSubgraph } from '@hub/core';
import { subgraph } from './server.ts';

await runSubgraph(subgraph);
