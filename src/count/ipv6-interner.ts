// IPv6 addresses as small integers: a table key holds one 32-bit id instead of 16 bytes.
//
// Ids stay valid across intervals, so a key that holds one means the same row from one
// interval to the next (the differ keeps such keys to recognize known rows without
// printing them). To bound memory in a long run the interner starts over once it holds
// `limit` addresses, at an interval boundary; `epoch` counts those fresh starts, and keys
// from different epochs must not be compared. Addresses are stored as four big-endian
// words, which also sort like the bytes.

import { KeyHashTable } from './key-hash-table.js';

/** Addresses held before the interner starts over (32 bytes of words + index each). */
export const INTERNER_LIMIT = 1 << 18;

export class IPv6Interner {
  /** Fresh starts so far: ids from different epochs name different addresses. */
  epoch = 0;
  private readonly table = new KeyHashTable(4, 0, 1024);
  private readonly scratch = new Uint32Array(4);

  constructor(private readonly limit = INTERNER_LIMIT) {}

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

  /** The addresses by id, four words each (a live view: copy it to keep it). */
  get words(): Float64Array {
    return this.table.data.subarray(0, this.table.size * 4);
  }

  get size(): number {
    return this.table.size;
  }

  /** Starts over if the limit is reached; call only between intervals. True if it did. */
  maybeReset(): boolean {
    if (this.table.size < this.limit) return false;
    this.table.clear();
    this.epoch++;
    return true;
  }
}

/** The 16 address bytes of interned id `id` in `words` (edge use: formatting). */
export function v6Bytes(words: Float64Array, id: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const w = words[id * 4 + i]!;
    out[i * 4] = w >>> 24;
    out[i * 4 + 1] = (w >>> 16) & 0xff;
    out[i * 4 + 2] = (w >>> 8) & 0xff;
    out[i * 4 + 3] = w & 0xff;
  }
  return out;
}

/** Orders two interned ids by address. */
export function compareV6(words: Float64Array, a: number, b: number): number {
  for (let i = 0; i < 4; i++) {
    const d = words[a * 4 + i]! - words[b * 4 + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Clears every bit past `prefixLen` in four big-endian words. */
export function maskWords(words: Uint32Array, prefixLen: number): void {
  for (let i = 0; i < 4; i++) {
    const keep = prefixLen - i * 32;
    if (keep >= 32) continue;
    words[i] = keep <= 0 ? 0 : (words[i]! & (0xffffffff << (32 - keep))) >>> 0;
  }
}
