// A connectivity table: rows keyed by the configured fields, with packets, bytes,
// first_seen and last_seen, counted per interval (read-and-clear).
//
// `add` runs per packet and only writes numbers; `snapshot` runs per interval and is where
// numbers become text.

import type { Frame } from '../decode/frame.js';
import { COUNTER_BYTES, COUNTER_FIRST, COUNTER_LAST, COUNTER_PACKETS, COUNTERS, KeyHashTable } from './key-hash-table.js';
import { comparePart, extractPart, formatPart, type KeyContext, type KeyPart } from './key-part.js';

export type FramePredicate = (f: Frame) => boolean;

export const COUNTER_COLUMNS = ['packets', 'bytes', 'first_seen', 'last_seen'] as const;

export interface TableSpec {
  name: string;
  parts: readonly KeyPart[];
  /** The table's `where:` filter; null counts every packet. */
  where: FramePredicate | null;
}

/** One row as it leaves the engine: key values as text, counters as numbers. */
export interface SnapshotRow {
  key: string[];
  packets: number;
  bytes: number;
  /** ms since the epoch */
  firstSeen: number;
  lastSeen: number;
}

/** A table's rows for one interval, sorted by key; immutable once made. */
export interface TableSnapshot {
  table: string;
  keyColumns: readonly string[];
  /** Interval start and end, ms since the epoch. */
  start: number;
  end: number;
  rows: readonly SnapshotRow[];
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
  private readonly ctx: KeyContext;
  /** Key text of rows already printed this interval (first sight, then the snapshot). */
  private printed: (string[] | undefined)[] = [];

  constructor(spec: TableSpec, ctx: KeyContext) {
    this.name = spec.name;
    this.parts = spec.parts;
    this.where = spec.where ?? matchAll;
    this.ctx = ctx;
    const width = spec.parts.reduce((n, p) => n + p.words, 0);
    this.key = new Uint32Array(width);
    this.rows = new KeyHashTable(width, COUNTERS);
  }

  /** Counts one decoded packet; returns its row, or -1 if not counted here. */
  add(f: Frame, tsMs: number, bytes: number): number {
    if (!this.where(f)) return -1;
    const parts = this.parts;
    const key = this.key;
    let off = 0;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (!extractPart(p, f, this.ctx, key, off)) {
        this.skipped++;
        return -1;
      }
      off += p.words;
    }
    const rows = this.rows;
    const row = rows.findOrInsert(key);
    const c = rows.data;
    const base = row * rows.stride + rows.width;
    if (rows.inserted) c[base + COUNTER_FIRST] = tsMs;
    c[base + COUNTER_PACKETS]! += 1;
    c[base + COUNTER_BYTES]! += bytes;
    c[base + COUNTER_LAST] = tsMs;
    this.counted++;
    return row;
  }

  /** Sorted, printed rows of the interval [start, end); does not clear. */
  snapshot(start: number, end: number): TableSnapshot {
    const { rows, parts, ctx } = this;
    const w = rows.stride;
    const keys = rows.data;
    const order = Array.from({ length: rows.size }, (_, i) => i);
    order.sort((a, b) => {
      let off = 0;
      for (const p of parts) {
        const d = comparePart(p, ctx, keys, a * w + off, keys, b * w + off);
        if (d !== 0) return d;
        off += p.words;
      }
      return 0;
    });
    const out = order.map((row) => this.formatRow(row));
    return { table: this.name, keyColumns: parts.map((p) => p.name), start, end, rows: out };
  }

  /** One row as text (edge use: snapshots, and the differ at a row's first sight). */
  formatRow(row: number): SnapshotRow {
    const { rows, parts, ctx } = this;
    let key = this.printed[row];
    if (key === undefined) {
      key = [];
      let off = row * rows.stride;
      for (const p of parts) {
        key.push(formatPart(p, ctx, rows.data, off));
        off += p.words;
      }
      this.printed[row] = key;
    }
    const c = rows.data;
    const base = row * rows.stride + rows.width;
    return {
      key,
      packets: c[base + COUNTER_PACKETS]!,
      bytes: c[base + COUNTER_BYTES]!,
      firstSeen: c[base + COUNTER_FIRST]!,
      lastSeen: c[base + COUNTER_LAST]!,
    };
  }

  clear(): void {
    this.rows.clear();
    this.printed = [];
  }
}
