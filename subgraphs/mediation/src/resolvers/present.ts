/** A row another row refers to, which must exist: a missing one is a broken invariant, not a client error. */
export function present<T>(row: T | null | undefined, what: string): T {
  if (row === null || row === undefined) throw new Error(`${what} is missing`);
  return row;
}
