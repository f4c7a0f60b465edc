/** Our gateway as the benches run it: from its bundle, over a supergraph of their own, with no rate limit in the way. */
import { writeFile } from 'node:fs/promises';
import { forkService, type ServiceProcess } from '@hub/hub/process';

export interface BenchGatewayOptions {
  /** The process's name in messages. */
  name: string;
  /** The gateway's bundle. */
  entry: string;
  /** The supergraph it serves (its subgraph URLs the bench's own), written to `supergraphFile`. */
  supergraph: string;
  supergraphFile: string;
  /** Where the rate limits file is written (every request is the administrator's, unlimited). */
  rateLimitsFile: string;
  port: number;
  issuerDir: string;
  auditDatabaseUrl: string;
  /** Further environment: the internal caller keys, local sockets, the bench's caller. */
  env: NodeJS.ProcessEnv;
  execArgv?: string[];
  /** The node binary that runs it (default: this process's). */
  execPath?: string;
}

export async function forkBenchGateway(options: BenchGatewayOptions): Promise<ServiceProcess> {
  await writeFile(options.supergraphFile, options.supergraph);
  await writeFile(options.rateLimitsFile, JSON.stringify({ roles: { administrator: { perMinute: 1e12, burst: 1e12 } } }));
  return forkService(
    options.name,
    options.entry,
    {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'error',
      SUPERGRAPH_PATH: options.supergraphFile,
      GATEWAY_PORT: String(options.port),
      HUB_DEMO_ISSUER_DIR: options.issuerDir,
      HUB_TRUSTED_DOCUMENTS: 'allow',
      HUB_RATE_LIMITS_FILE: options.rateLimitsFile,
      AUDIT_DATABASE_URL: options.auditDatabaseUrl,
      ...options.env,
    },
    { ...(options.execArgv ? { execArgv: options.execArgv } : {}), ...(options.execPath ? { execPath: options.execPath } : {}) },
  );
}
