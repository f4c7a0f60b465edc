import { resolve } from 'node:path';
import { createAuditWriter } from '@hub/audit-trail';
import { announceReady, createLogger, onShutdown, parsePort, startTracing } from '@hub/core';
import { demoTokenMinterFromEnv } from './explorer/index.ts';
import { createGateway } from './server.ts';
import { exitOnGatewayConfigProblems } from './startup-config.ts';
import { DEFAULT_SUPERGRAPH, readSupergraph } from './supergraph.ts';

const logger = createLogger('gateway');
// Spans of every request go to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT, if any; before anything serves.
const tracing = startTracing('gateway');

/** `--supergraph <file>` or SUPERGRAPH_PATH serve another federation's supergraph with the URLs it names. */
function supergraphPath(argv: string[]): string {
  const i = argv.indexOf('--supergraph');
  if (i >= 0) {
    const path = argv[i + 1];
    if (!path) throw new Error('--supergraph needs a file path');
    return resolveFromCaller(path);
  }
  return process.env.SUPERGRAPH_PATH ? resolveFromCaller(process.env.SUPERGRAPH_PATH) : DEFAULT_SUPERGRAPH;
}

/** `npm start -w @hub/gateway` runs in gateway/; a relative path means the folder npm was called from. */
function resolveFromCaller(file: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

try {
  const path = supergraphPath(process.argv.slice(2));
  // Every variable the gateway reads, checked before anything opens: each bad one is named, then exit 2.
  exitOnGatewayConfigProblems(logger, path);
  // The audit department's database, written directly: the trail must not depend on a subgraph being up.
  const audit = process.env.AUDIT_DATABASE_URL ? createAuditWriter(process.env.AUDIT_DATABASE_URL) : undefined;
  // The explorer's identity picker mints demo tokens only while the gateway trusts the demo issuer (never in production).
  const gateway = createGateway({ supergraphSdl: readSupergraph(path), audit, explorer: { mintToken: demoTokenMinterFromEnv() } });
  const service = await gateway.listen(parsePort('GATEWAY_PORT', process.env.GATEWAY_PORT, 4000), process.env.HOST || '127.0.0.1');
  logger.info('serving supergraph', { supergraph: path, subgraphs: JSON.stringify(gateway.urls), identity: gateway.identity, trustedDocuments: gateway.trustedDocuments });
  announceReady('gateway', service, logger);
  onShutdown(logger, async () => {
    await service.close();
    await audit?.close();
    await tracing?.shutdown();
  });
} catch (error) {
  logger.error('could not start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
