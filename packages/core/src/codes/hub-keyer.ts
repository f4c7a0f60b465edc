import { residentKey } from './resident-key.ts';

/**
 * `residentKey` for many ID numbers under one secret, as the demo seed derives a million of them: the same
 * HMAC-SHA256, cut to 32 hex characters, but with the key's inner and outer blocks compressed once for the secret and
 * SHA-256 written out over 32-bit words. Each key then costs two block compressions in this thread instead of a
 * crypto object per call (Node's createHmac spends most of its ~5 µs a key in setting up the object and the key
 * schedule, not in hashing a 20-byte number). Inputs that do not fit one block as ASCII go to `residentKey`.
 */
export function residentKeyer(secret: string): (idNumber: string) => string {
  const key = Buffer.from(secret, 'utf8');
  // A secret longer than a block is hashed first, as HMAC says; the general path handles that rare case.
  if (key.length > 64) return (idNumber) => residentKey(idNumber, secret);
  const inner = new Int32Array(8);
  const outer = new Int32Array(8);
  const w = new Int32Array(64);
  const padded = (xor: number) => {
    for (let i = 0; i < 16; i++) {
      let word = 0;
      for (let b = 0; b < 4; b++) word = (word << 8) | (((key[i * 4 + b] ?? 0) ^ xor) & 0xff);
      w[i] = word;
    }
  };
  inner.set(IV);
  padded(0x36);
  compress(inner, w);
  outer.set(IV);
  padded(0x5c);
  compress(outer, w);
  const state = new Int32Array(8);
  return (idNumber) => {
    const text = idNumber.trim().toUpperCase();
    const n = text.length;
    // One block holds the message, its 0x80 and its 64-bit length: 55 bytes at most.
    if (n > 55) return residentKey(idNumber, secret);
    w.fill(0, 0, 16);
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) return residentKey(idNumber, secret);
      w[i >> 2]! |= c << (24 - ((i & 3) << 3));
    }
    w[n >> 2]! |= 0x80 << (24 - ((n & 3) << 3));
    w[15] = (64 + n) * 8;
    state.set(inner);
    compress(state, w);
    for (let i = 0; i < 8; i++) w[i] = state[i]!;
    w[8] = 0x80000000;
    w.fill(0, 9, 15);
    w[15] = (64 + 32) * 8;
    state.set(outer);
    compress(state, w);
    return hex(state[0]!) + hex(state[1]!) + hex(state[2]!) + hex(state[3]!);
  };
}

const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex = (word: number) => BYTE_HEX[(word >>> 24) & 0xff]! + BYTE_HEX[(word >>> 16) & 0xff]! + BYTE_HEX[(word >>> 8) & 0xff]! + BYTE_HEX[word & 0xff]!;

const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** One SHA-256 block compression: `w[0..15]` the block's words (the rest is scratch), `h` the state, updated. */
function compress(h: Int32Array, w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15]!;
    const b = w[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let f = h[5]!;
  let g = h[6]!;
  let k = h[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (k + s1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + k) | 0;
}
