// A table's rows for one closed interval, as numbers: a copy of the table's packed rows,
// the key parts that say how to read them, and the names the key words refer to.
//
// Closing an interval must not stall the packet loop, so nothing is printed when the
// snapshot is taken: it is a few array copies. Rows become text (sorted by key) only where
// they are used — in the CSV worker thread for the interval files, and on the main thread
// only for the few rows the differ reports.

import { COUNTER_BYTES, COUNTER_FIRST, COUNTER_LAST, COUNTER_PACKETS } from './key-hash-table.js';
import { comparePart, formatPart, type KeyNames, type KeyPart } from './key-part.js';

export const COUNTER_COLUMNS = ['packets', 'bytes', 'first_seen', 'last_seen'] as const;

/** One row as text: key values printed, counters as numbers. */
export interface SnapshotRow {
  key: string[];
  packets: number;
  bytes: number;
  /** ms since the epoch */
  firstSeen: number;
  lastSeen: number;
}

/** Plain data (it crosses to the CSV worker by structured clone); immutable once made. */
export interface TableSnapshot {
  table: string;
  keyColumns: readonly string[];
  /** Interval start and end, ms since the epoch. */
  start: number;
  end: number;
  /** Rows, in order of first sight; row i's key words at data[i*stride ..+width), then its counters. */
  size: number;
  width: number;
  stride: number;
  data: Float64Array;
  parts: readonly KeyPart[];
  names: KeyNames;
  /** The IPv6 interner's epoch the key words belong to (see ipv6-interner.ts). */
  epoch: number;
}

/** Row `i` (in first-sight order) as text. */
export function snapshotRow(s: TableSnapshot, i: number): SnapshotRow {
  return rowAt(s.parts, s.names, s.data, i * s.stride, s.width);
}

/** The row at data[base..] as text: `width` key words, then the counters. */
export function rowAt(parts: readonly KeyPart[], names: KeyNames, data: Float64Array, base: number, width: number): SnapshotRow {
  const key: string[] = [];
  let off = base;
  for (const p of parts) {
    key.push(formatPart(p, names, data, off));
    off += p.words;
  }
  const c = base + width;
  return {
    key,
    packets: data[c + COUNTER_PACKETS]!,
    bytes: data[c + COUNTER_BYTES]!,
    firstSeen: data[c + COUNTER_FIRST]!,
    lastSeen: data[c + COUNTER_LAST]!,
  };
}

/** Sorts row numbers in place by their rows' keys (hosts: IPv4 before IPv6, then by address). */
export function sortByKey(s: TableSnapshot, order: number[]): number[] {
  const { parts, names, data, stride } = s;
  return order.sort((a, b) => {
    let off = 0;
    for (const p of parts) {
      const d = comparePart(p, names, data, a * stride + off, data, b * stride + off);
      if (d !== 0) return d;
      off += p.words;
    }
    return 0;
  });
}

/**
 * Prints key values, each distinct value of a column once per printer: a table's rows
 * share few hosts, ports and MACs, and printing (not sorting) was most of a snapshot's cost.
 * `encode` (e.g. CSV quoting, then UTF-8) is applied to each printed value, as part of that
 * once.
 */
export class KeyPrinter<T> {
  private readonly seen: Map<number, T>[];

  constructor(
    private readonly s: TableSnapshot,
    private readonly encode: (text: string) => T,
  ) {
    this.seen = s.parts.map(() => new Map());
  }

  /** Row i's key values, printed and encoded, into out[0 .. number of key columns). */
  values(i: number, out: T[]): void {
    const { parts, names, data } = this.s;
    let off = i * this.s.stride;
    for (let j = 0; j < parts.length; j++) {
      const p = parts[j]!;
      // One number per value: two-word values (family or MAC high half, then 32 bits) fit in 53 bits.
      const v = p.words === 1 ? data[off]! : data[off]! * 0x1_0000_0000 + data[off + 1]!;
      const seen = this.seen[j]!;
      let value = seen.get(v);
      if (value === undefined) {
        value = this.encode(formatPart(p, names, data, off));
        seen.set(v, value);
      }
      out[j] = value;
      off += p.words;
    }
  }
}
