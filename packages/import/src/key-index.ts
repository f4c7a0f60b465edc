/** The first row each key was seen on, to report later rows with the same key as duplicates. */
export class KeyIndex {
  private readonly rows = new Map<string, number>();

  get(key: string): number | undefined {
    return this.rows.get(key);
  }

  set(key: string, row: number): void {
    this.rows.set(key, row);
  }
}
