import { auditWriterFromEnv } from '@hub/audit-trail';
import { runSubgraph } from '@hub/core';
import { subgraph } from './server.ts';

// The department writes what only it sees (a refused internal token, a notice its timer issued) to the audit trail.
await runSubgraph(subgraph, { audit: auditWriterFromEnv });
