/** A positive integer from the environment, or the default; anything else stops the gateway naming the variable. */
export function readEnv(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not "${raw.slice(0, 40)}"`);
  return value;
}
