// One table's baseline in memory: every known row in a single Map from its key text (the
// key values joined by a space, as in finding identifiers) to its status and times, so the
// differ answers "approved, pending, denied or new?" with one lookup. Rows keep no key
// array: the key text is split only when a file is written or a row is listed.

import { compareKeys, KEY_SEP, mergeSorted, sortKeys } from './key-values.js';
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

/**
 * The rows by key, noting which keys came and went since the sorted order was last brought
 * up to date: a running sensor adds a few rows to a table of up to a million between two
 * writes, and merging those few in is cheaper than checking or sorting them all.
 */
export class RowMap extends Map<string, BaselineRow> {
  /** Keys added since the order was last brought up to date. */
  added: string[] = [];
  /** Some key was removed since. */
  removed = false;

  override set(key: string, row: BaselineRow): this {
    // (Map's constructor sets nothing here: none is ever given entries.)
    if (!this.has(key)) this.added.push(key);
    return super.set(key, row);
  }

  override delete(key: string): boolean {
    const gone = super.delete(key);
    this.removed ||= gone;
    return gone;
  }

  override clear(): void {
    this.removed ||= this.size > 0;
    super.clear();
  }
}

export class TableBaseline {
  readonly rows = new RowMap();
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

  /** Every key in sorted order, as of the last sortedKeys() (with rows.added and rows.removed since); null before the first. */
  private order: string[] | null = null;
  /** Rows read from the files (each file sorted, unless edited by hand): a hint for the first sort. */
  loaded = 0;

  /**
   * Takes `keys` as the sorted order of every key (files read in order, merged): the first
   * write after a load then needs no sort.
   */
  adoptOrder(keys: string[]): void {
    if (keys.length !== this.rows.size) return;
    this.order = keys;
    this.rows.added = [];
    this.rows.removed = false;
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
   * Every key, sorted. The last order is kept: keys added since are sorted alone and merged
   * in, keys removed since are dropped from it.
   */
  sortedKeys(): readonly string[] {
    const rows = this.rows;
    if (this.order === null) this.order = this.sortAll();
    else {
      if (rows.added.length > 0) this.order = mergeSorted([this.order, sortKeys(rows.added)]);
      if (rows.removed) this.order = this.order.filter((k) => rows.has(k));
    }
    rows.added = [];
    rows.removed = false;
    return this.order;
  }

  private sortAll(): string[] {
    const keys = Array.from(this.rows.keys());
    if ((keys.length - this.loaded) * 8 < keys.length) {
      // Mostly in order already (read from sorted files, a few new rows last): the sort
      // takes the runs with few comparisons, so compare the key texts directly.
      return keys.sort(compareKeys);
    }
    // Mostly new (a learning table): read each key's values once rather than parse both
    // keys at every comparison.
    return sortKeys(keys);
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
