// A connectivity table: rows keyed by the configured fields, with packets, bytes,
// first_seen and last_seen, counted per interval (read-and-clear).
//
// `add` runs per packet and only writes numbers; `snapshot` copies them per interval;
// text is made at the edges (table-snapshot.ts).

import type { Frame } from '../decode/frame.js';
import { COUNTER_BYTES, COUNTER_FIRST, COUNTER_LAST, COUNTER_PACKETS, COUNTERS, KeyHashTable } from './key-hash-table.js';
import { compileKeyExtractor, type KeyExtractor } from './key-code.js';
import type { KeyContext, KeyNames, KeyPart } from './key-part.js';
import { rowAt, type SnapshotRow, type TableSnapshot } from './table-snapshot.js';

export { COUNTER_COLUMNS, type SnapshotRow, type TableSnapshot } from './table-snapshot.js';

export type FramePredicate = (f: Frame) => boolean;

export interface TableSpec {
  name: string;
  parts: readonly KeyPart[];
  /** The table's `where:` filter; null counts every packet. */
  where: FramePredicate | null;
}

const matchAll: FramePredicate = () => true;

export class Table {
  readonly name: string;
  readonly parts: readonly KeyPart[];
  readonly rows: KeyHashTable;
  /** Packets that passed `where` but lacked a key field, over the whole run. */
  skipped = 0;
  /** Packets counted into a row, over the whole run. */
  counted = 0;
  private readonly where: FramePredicate;
  private readonly key: Uint32Array;
  private readonly extract: KeyExtractor;
  private readonly ctx: KeyContext;

  constructor(spec: TableSpec, ctx: KeyContext) {
    this.name = spec.name;
    this.parts = spec.parts;
    this.where = spec.where ?? matchAll;
    this.ctx = ctx;
    const width = spec.parts.reduce((n, p) => n + p.words, 0);
    this.key = new Uint32Array(width);
    this.extract = compileKeyExtractor(spec.parts);
    this.rows = new KeyHashTable(width, COUNTERS);
  }

  /** Counts one decoded packet; returns its row, or -1 if not counted here. */
  add(f: Frame, tsMs: number, bytes: number): number {
    if (!this.where(f)) return -1;
    const key = this.key;
    const hash = this.extract(f, this.ctx, key);
    if (hash < 0) {
      this.skipped++;
      return -1;
    }
    const rows = this.rows;
    const row = rows.findOrInsertHashed(key, hash);
    const c = rows.data;
    const base = row * rows.stride + rows.width;
    if (rows.inserted) c[base + COUNTER_FIRST] = tsMs;
    c[base + COUNTER_PACKETS]! += 1;
    c[base + COUNTER_BYTES]! += bytes;
    c[base + COUNTER_LAST] = tsMs;
    this.counted++;
    return row;
  }

  /** The interval [start, end)'s rows, copied; does not clear. `names` is shared by the interval's tables. */
  snapshot(start: number, end: number, names: KeyNames, epoch: number): TableSnapshot {
    const { rows, parts } = this;
    return {
      table: this.name,
      keyColumns: parts.map((p) => p.name),
      start,
      end,
      size: rows.size,
      width: rows.width,
      stride: rows.stride,
      data: rows.data.slice(0, rows.size * rows.stride),
      parts,
      names,
      epoch,
    };
  }

  /** One row as text (edge use: the differ and the policy at a row's first sight). */
  formatRow(row: number): SnapshotRow {
    const { rows, ctx } = this;
    return rowAt(this.parts, { sensor: ctx.sensor, v6: ctx.interner.words }, rows.data, row * rows.stride, rows.width);
  }

  /** IPv6 interner epoch of the key words now in the table (see ipv6-interner.ts). */
  get epoch(): number {
    return this.ctx.interner.epoch;
  }

  clear(): void {
    this.rows.clear();
  }
}
