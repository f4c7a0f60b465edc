import type { Department } from './departments.ts';

/** The secret the demo district's resident keys are made with. Refused in production. */
export const DEMO_HUB_SECRET = 'demo-hub-secret-not-for-production';

export function isProduction(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NODE_ENV === 'production';
}

/**
 * HUB_SECRET keys the pseudonymous resident key. Every department must use the same one, or their ids for the same
 * person differ and the graph stops joining.
 */
export function hubSecret(env: NodeJS.ProcessEnv = process.env): string {
  const secret = env.HUB_SECRET;
  if (secret) {
    if (secret.length < 16) throw new Error('HUB_SECRET must be at least 16 characters');
    return secret;
  }
  if (isProduction(env)) throw new Error('HUB_SECRET is required when NODE_ENV=production');
  return DEMO_HUB_SECRET;
}

export function portOf(dept: Department, env: NodeJS.ProcessEnv = process.env): number {
  return parsePort(`${dept.envPrefix}_PORT`, env[`${dept.envPrefix}_PORT`], dept.defaultPort);
}

export function parsePort(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${value}"`);
  return port;
}

/** A department's database URL from `<PREFIX>_DATABASE_URL`, or undefined when the embedded server is to be used. */
export function databaseUrlFromEnv(dept: Department, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env[`${dept.envPrefix}_DATABASE_URL`];
  if (!url) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`${dept.envPrefix}_DATABASE_URL must be a postgres:// URL`);
  }
  return url;
}
