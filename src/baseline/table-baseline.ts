// One table's baseline in memory: every known row in a single Map from its key text (the
// key values joined by a space, as in finding identifiers) to its status and times, so the
// differ answers "approved, pending, denied or new?" with one lookup. Rows keep no key
// array: the key text is split only when a file is written or a row is listed.

import { compareKeys, KEY_SEP, sortKeys } from './key-values.js';
import { isoTime } from '../interval/iso-time.js';

export type RowStatus = 'approved' | 'pending' | 'denied';
export const STATUSES: readonly RowStatus[] = ['approved', 'pending', 'denied'];

/** The column after first_seen,last_seen in each status file. */
export const STATUS_TIME_COLUMN: Readonly<Record<RowStatus, string>> = {
  approved: 'approved_at',
  pending: 'reported_at',
  denied: 'denied_at',
};

export interface BaselineRow {
  status: RowStatus;
  /** ms since the epoch; NaN when the row was never seen (approved or denied by hand). */
  firstSeen: number;
  lastSeen: number;
  /** When it was approved, first reported (pending) or denied; ms since the epoch. */
  at: number;
  note: string;
  /**
   * The row's line in its status file (no newline) as last read or written, or undefined
   * once anything in the row changed since: a running sensor rewrites a big table when
   * only some seen times moved, and formats only those rows again. Whoever changes a
   * field of a row clears it (`widenSeen` does).
   */
  line: string | undefined;
}

export class TableBaseline {
  readonly rows = new Map<string, BaselineRow>();
  /** The table has a baseline on disk (approved.csv exists), even an empty one. */
  exists = false;
  /** While learning: rows first seen before this time (ms) are approved silently. */
  learningUntil: number | null = null;

  constructor(
    readonly table: string,
    readonly keyColumns: readonly string[],
  ) {}

  count(status: RowStatus): number {
    let n = 0;
    for (const r of this.rows.values()) if (r.status === status) n++;
    return n;
  }

  /** Every key in sorted order as of the last sort; reused while the set of keys is unchanged. */
  private order: string[] = [];
  /** Rows read from the files (each file sorted, unless edited by hand): a hint for the first sort. */
  loaded = 0;

  /**
   * Takes `keys` as the sorted order of every key (files read in order, merged): the first
   * write after a load then needs no sort.
   */
  adoptOrder(keys: string[]): void {
    if (keys.length === this.rows.size) this.order = keys;
  }

  /** Rows of one status (or all), sorted by key. */
  sorted(status?: RowStatus): [string, BaselineRow][] {
    const out: [string, BaselineRow][] = [];
    for (const k of this.sortedKeys()) {
      const r = this.rows.get(k)!;
      if (status === undefined || r.status === status) out.push([k, r]);
    }
    return out;
  }

  /**
   * Every key, sorted. A running sensor rewrites a table when only seen times moved, so the
   * last order is kept and checked rather than sorted again: when every key of it is still
   * here and the count is the same, it is the same set of keys.
   */
  sortedKeys(): readonly string[] {
    const rows = this.rows;
    if (this.order.length === rows.size && this.order.every((k) => rows.has(k))) return this.order;
    const keys = Array.from(rows.keys());
    const inOrder = this.order.length > 0 ? this.order.length : this.loaded;
    if ((keys.length - inOrder) * 8 < keys.length) {
      // Mostly in order already (files are sorted, a few new rows come last): the sort takes
      // the runs with few comparisons, so compare the key texts directly.
      this.order = keys.sort(compareKeys);
    } else {
      // Mostly new (a learning table): read each key's values once rather than parse both
      // keys at every comparison.
      this.order = sortKeys(keys);
    }
    return this.order;
  }

  clone(): TableBaseline {
    const t = new TableBaseline(this.table, this.keyColumns);
    for (const [k, r] of this.rows) t.rows.set(k, { ...r });
    t.exists = this.exists;
    t.learningUntil = this.learningUntil;
    return t;
  }
}

/**
 * A row not yet in any file (no line). Times are kept to the millisecond, as the files
 * hold them (see widenSeen); NaN stays NaN (never seen).
 */
export function newRow(status: RowStatus, firstSeen: number, lastSeen: number, at: number, note: string): BaselineRow {
  return { status, firstSeen: Math.floor(firstSeen), lastSeen: Math.floor(lastSeen), at: Math.floor(at), note, line: undefined };
}

/**
 * Widens a row's seen times to include first..last: first_seen = min, last_seen = max; NaN
 * (never seen) always gives way. Times are kept to the millisecond, as the files hold them,
 * so a time that moved by less than that is no change. True if either moved.
 */
export function widenSeen(row: BaselineRow, first: number, last: number): boolean {
  const f = Math.floor(first);
  const l = Math.floor(last);
  let changed = false;
  if (!(row.firstSeen <= f)) {
    row.firstSeen = f;
    changed = true;
  }
  if (!(row.lastSeen >= l)) {
    row.lastSeen = l;
    changed = true;
  }
  if (changed) row.line = undefined;
  return changed;
}

export function joinKey(values: readonly string[]): string {
  return values.join(KEY_SEP);
}

export function splitKey(key: string): string[] {
  return key.split(KEY_SEP);
}

/** ISO 8601 UTC with milliseconds, or '' for NaN (never seen). */
export function isoOrEmpty(ms: number): string {
  return Number.isFinite(ms) ? isoTime(ms) : '';
}
