// The differ's memory of baseline rows met in this run, by the engine's key words. A row
// seen again (in a later interval, or at its interval's close) is recognized with one
// numeric lookup instead of printing its key and looking the text up: printing keys was
// most of what the differ cost per row.
//
// Valid for one loaded baseline (its row objects) and one IPv6 interner epoch (the key
// words of IPv6 hosts are interned ids); `check` empties it when either changes.

import type { BaselineRow, TableBaseline } from '../baseline/table-baseline.js';
import { KeyHashTable } from '../count/key-hash-table.js';

export class KnownRows {
  /** Per entry: the key text and the baseline's row object. */
  readonly keys: string[] = [];
  readonly rows: BaselineRow[] = [];
  private index: KeyHashTable | null = null;
  private scratch = new Uint32Array(0);
  private baseline: TableBaseline | null = null;
  private epoch = -1;

  /** Forgets everything unless it was learned against this baseline and interner epoch. */
  check(baseline: TableBaseline, epoch: number): void {
    if (baseline === this.baseline && epoch === this.epoch) return;
    this.baseline = baseline;
    this.epoch = epoch;
    this.index?.clear();
    this.keys.length = 0;
    this.rows.length = 0;
  }

  /** Entry number of the key at data[base ..+width), or -1. */
  find(data: Float64Array, base: number, width: number): number {
    if (this.index === null) return -1;
    return this.index.find(this.keyAt(data, base, width));
  }

  /** Remembers the key at data[base ..+width) as `key` → `row`; returns its entry number. */
  add(data: Float64Array, base: number, width: number, key: string, row: BaselineRow): number {
    this.index ??= new KeyHashTable(width);
    const n = this.index.findOrInsert(this.keyAt(data, base, width));
    this.keys[n] = key;
    this.rows[n] = row;
    return n;
  }

  private keyAt(data: Float64Array, base: number, width: number): Uint32Array {
    if (this.scratch.length !== width) this.scratch = new Uint32Array(width);
    const k = this.scratch;
    for (let i = 0; i < width; i++) k[i] = data[base + i]!;
    return k;
  }
}
