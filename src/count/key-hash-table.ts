// An open-addressing hash table over fixed-width keys of 32-bit words, each row's counters
// stored right after its key.
//
// Why not a Map: a Map needs a string or object key per lookup, which allocates for every
// packet. Here the caller writes the key into a scratch Uint32Array and `findOrInsert`
// compares words in place. Rows live densely in insertion order in one Float64Array
// (row i: data[i*stride ..], key words then counters), so a lookup touches one index slot
// and one row — two cache lines, not three — a snapshot walks 0..size, and clearing an
// interval is one fill. Memory per row: (W + counters) * 8 bytes + 4–16 index bytes.

const MIN_ROWS = 64;

/** Counter slots after the key, for tables that count (`new KeyHashTable(w, COUNTERS)`). */
export const COUNTER_PACKETS = 0;
export const COUNTER_BYTES = 1;
export const COUNTER_FIRST = 2; // first_seen, ms since the epoch
export const COUNTER_LAST = 3; // last_seen, ms since the epoch
export const COUNTERS = 4;

export class KeyHashTable {
  /** Words per key. */
  readonly width: number;
  /** Slots per row: the key words, then the counters. */
  readonly stride: number;
  /** Number of rows in use. */
  size = 0;
  /** True when the last findOrInsert created the row (its first sight this interval). */
  inserted = false;
  /** Row i's key is data[i*stride .. i*stride+width), its counters follow. */
  data: Float64Array;
  private index: Int32Array; // row number + 1 per slot, 0 = empty
  private mask: number;
  private capacity: number;

  constructor(width: number, counters = 0, initialRows = MIN_ROWS) {
    this.width = width;
    this.stride = width + counters;
    this.capacity = Math.max(MIN_ROWS, initialRows);
    this.data = new Float64Array(this.capacity * this.stride);
    const slots = nextPowerOfTwo(this.capacity * 2);
    this.index = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /** Returns the row number of `key` (first `width` words), adding a zeroed row if new. */
  findOrInsert(key: Uint32Array): number {
    return this.findOrInsertHashed(key, hashWords(key, this.width));
  }

  /** findOrInsert with the key's hashWords() already known (generated key extractors make it). */
  findOrInsertHashed(key: Uint32Array, hash: number): number {
    const w = this.width;
    const stride = this.stride;
    const data = this.data;
    let slot = hash & this.mask;
    for (;;) {
      const entry = this.index[slot]!;
      if (entry === 0) break;
      const row = entry - 1;
      const base = row * stride;
      let i = 0;
      while (i < w && data[base + i] === key[i]) i++;
      if (i === w) {
        this.inserted = false;
        return row;
      }
      slot = (slot + 1) & this.mask;
    }
    if (this.size === this.capacity) {
      this.grow();
      return this.findOrInsertHashed(key, hash);
    }
    const row = this.size++;
    const base = row * stride;
    for (let i = 0; i < w; i++) data[base + i] = key[i]!;
    for (let i = w; i < stride; i++) data[base + i] = 0;
    this.index[slot] = row + 1;
    this.inserted = true;
    return row;
  }

  /** Row number of `key`, or -1. */
  find(key: Uint32Array): number {
    const w = this.width;
    const data = this.data;
    let slot = hashWords(key, w) & this.mask;
    for (;;) {
      const entry = this.index[slot]!;
      if (entry === 0) return -1;
      const base = (entry - 1) * this.stride;
      let i = 0;
      while (i < w && data[base + i] === key[i]) i++;
      if (i === w) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Forget every row, keeping the allocated capacity for the next interval. */
  clear(): void {
    this.size = 0;
    this.index.fill(0);
  }

  /** Bytes held by the typed arrays (for memory reporting). */
  byteSize(): number {
    return this.data.byteLength + this.index.byteLength;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const data = new Float64Array(capacity * this.stride);
    data.set(this.data);
    this.data = data;
    this.capacity = capacity;
    const slots = nextPowerOfTwo(capacity * 2);
    this.index = new Int32Array(slots);
    this.mask = slots - 1;
    const w = this.width;
    const key = new Uint32Array(w);
    for (let row = 0; row < this.size; row++) {
      for (let i = 0; i < w; i++) key[i] = data[row * this.stride + i]!;
      let slot = hashWords(key, w) & this.mask;
      while (this.index[slot] !== 0) slot = (slot + 1) & this.mask;
      this.index[slot] = row + 1;
    }
  }
}

export const HASH_SEED = 0x9747b28c | 0;

/** Murmur3-style mix over `w` words; spreads IPv4 addresses that differ in one octet. */
export function hashWords(key: Uint32Array, w: number): number {
  let h = HASH_SEED;
  for (let i = 0; i < w; i++) h = mixWord(h, key[i]!);
  return finishHash(h);
}

/** One word into the running hash (generated key extractors call it word by word). */
export function mixWord(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export function finishHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
