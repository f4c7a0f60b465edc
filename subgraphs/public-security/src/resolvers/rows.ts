/** Keeps the rows a loader found: drops nulls (a key with no row) and errors of `loadMany`. */
export const isRow = <T extends object>(row: T | null | Error): row is T => row !== null && !(row instanceof Error);
