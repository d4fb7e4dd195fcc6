// IPv6 addresses as small integers: a table key holds one 32-bit id instead of 16 bytes.
//
// The interner is cleared with the tables at every interval boundary (after the snapshot
// has turned ids back into text), so a long run does not accumulate every address it ever
// saw. Addresses are stored as four big-endian words, which also sort like the bytes.

import { KeyHashTable } from './key-hash-table.js';

export class IPv6Interner {
  private readonly table = new KeyHashTable(4, 0, 1024);
  private readonly scratch = new Uint32Array(4);

  /** Id of the address in bytes[0..16), with all bits past `prefixLen` cleared. */
  intern(bytes: Uint8Array, prefixLen: number): number {
    const s = this.scratch;
    for (let i = 0; i < 4; i++) {
      const b = i * 4;
      s[i] = ((bytes[b]! << 24) | (bytes[b + 1]! << 16) | (bytes[b + 2]! << 8) | bytes[b + 3]!) >>> 0;
    }
    if (prefixLen < 128) maskWords(s, prefixLen);
    return this.table.findOrInsert(s);
  }

  /** Word `i` (0..3, big-endian) of the address with this id. */
  word(id: number, i: number): number {
    return this.table.data[id * 4 + i]!;
  }

  /** The 16 address bytes of an id (edge use: formatting). */
  bytes(id: number): Uint8Array {
    const out = new Uint8Array(16);
    for (let i = 0; i < 4; i++) {
      const w = this.word(id, i);
      out[i * 4] = w >>> 24;
      out[i * 4 + 1] = (w >>> 16) & 0xff;
      out[i * 4 + 2] = (w >>> 8) & 0xff;
      out[i * 4 + 3] = w & 0xff;
    }
    return out;
  }

  /** Orders two ids by address. */
  compare(a: number, b: number): number {
    for (let i = 0; i < 4; i++) {
      const d = this.word(a, i) - this.word(b, i);
      if (d !== 0) return d;
    }
    return 0;
  }

  get size(): number {
    return this.table.size;
  }

  clear(): void {
    this.table.clear();
  }
}

/** Clears every bit past `prefixLen` in four big-endian words. */
export function maskWords(words: Uint32Array, prefixLen: number): void {
  for (let i = 0; i < 4; i++) {
    const keep = prefixLen - i * 32;
    if (keep >= 32) continue;
    words[i] = keep <= 0 ? 0 : (words[i]! & (0xffffffff << (32 - keep))) >>> 0;
  }
}
