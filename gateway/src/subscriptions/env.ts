/** A positive integer from the environment, or the default; anything else stops the gateway naming the variable. */
export function readEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not "${raw.slice(0, 40)}"`);
  return value;
}
