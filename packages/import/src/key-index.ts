import { hash } from 'node:crypto';

/**
 * The first row each key was seen on, to report later rows with the same key as duplicates, in memory that stays
 * small however long the file: each key is kept as a 64-bit fingerprint (the first 8 bytes of its SHA-1) beside its
 * row number, 12 bytes a slot in typed arrays outside the JavaScript heap, instead of the key string in a Map
 * (about 110 bytes a key). Two different keys share a fingerprint with a chance of about n²/2⁶⁵: 3·10⁻⁸ for a
 * million rows.
 */
export class KeyIndex {
  private high: Uint32Array;
  private low: Uint32Array;
  /** Row number per slot; 0 marks an empty slot (rows are numbered from 1). */
  private rows: Int32Array;
  private size = 0;

  constructor(capacity = 1 << 16) {
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.rows = new Int32Array(capacity);
  }

  get(key: string): number | undefined {
    const digest = hash('sha1', key, 'buffer');
    const slot = this.find(digest.readUInt32LE(0), digest.readUInt32LE(4));
    const row = this.rows[slot]!;
    return row === 0 ? undefined : row;
  }

  set(key: string, row: number): void {
    if (row < 1) throw new RangeError('rows are numbered from 1');
    // Kept at most half full, so a probe ends soon.
    if ((this.size + 1) * 2 > this.rows.length) this.grow();
    const digest = hash('sha1', key, 'buffer');
    this.place(digest.readUInt32LE(0), digest.readUInt32LE(4), row);
  }

  private find(high: number, low: number): number {
    const mask = this.rows.length - 1;
    let slot = low & mask;
    while (this.rows[slot] !== 0 && (this.high[slot] !== high || this.low[slot] !== low)) slot = (slot + 1) & mask;
    return slot;
  }

  private place(high: number, low: number, row: number): void {
    const slot = this.find(high, low);
    if (this.rows[slot] === 0) this.size++;
    this.high[slot] = high;
    this.low[slot] = low;
    this.rows[slot] = row;
  }

  private grow(): void {
    const { high, low, rows } = this;
    this.high = new Uint32Array(rows.length * 2);
    this.low = new Uint32Array(rows.length * 2);
    this.rows = new Int32Array(rows.length * 2);
    this.size = 0;
    for (let slot = 0; slot < rows.length; slot++) if (rows[slot] !== 0) this.place(high[slot]!, low[slot]!, rows[slot]!);
  }
}
