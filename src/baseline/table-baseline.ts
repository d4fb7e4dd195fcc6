// One table's baseline in memory: every known row in a single Map from its key text (the
// key values joined by a space, as in finding identifiers) to its status and times, so the
// differ answers "approved, pending, denied or new?" with one lookup. Rows keep no key
// array: the key text is split only when a file is written or a row is listed.

import { KEY_SEP, keySortKey } from './key-values.js';

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

  /** Sort keys by key text, kept across writes: computing one costs microseconds. */
  private readonly sortKeys = new Map<string, string>();

  /** Rows of one status (or all), sorted by key. */
  sorted(status?: RowStatus): [string, BaselineRow][] {
    const out: [string, string, BaselineRow][] = [];
    for (const [k, r] of this.rows) {
      if (status !== undefined && r.status !== status) continue;
      let sk = this.sortKeys.get(k);
      if (sk === undefined) {
        sk = keySortKey(k);
        this.sortKeys.set(k, sk);
      }
      out.push([sk, k, r]);
    }
    out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return out.map(([, k, r]) => [k, r]);
  }

  clone(): TableBaseline {
    const t = new TableBaseline(this.table, this.keyColumns);
    for (const [k, r] of this.rows) t.rows.set(k, { ...r });
    t.exists = this.exists;
    t.learningUntil = this.learningUntil;
    return t;
  }
}

export function joinKey(values: readonly string[]): string {
  return values.join(KEY_SEP);
}

export function splitKey(key: string): string[] {
  return key.split(KEY_SEP);
}

/** ISO 8601 UTC with milliseconds, or '' for NaN. */
export function isoOrEmpty(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  // Baseline files print three times per row: reuse the date part of the last day seen and
  // build the time of day by arithmetic, which is several times faster than a Date object.
  // Outside years 0000–9999 (six-digit years) or with sub-millisecond parts: the slow way.
  if (!Number.isInteger(ms) || ms < -62_167_219_200_000 || ms >= 253_402_300_800_000) return new Date(ms).toISOString();
  const day = Math.floor(ms / 86_400_000);
  if (day !== lastDay) {
    lastDay = day;
    lastDayText = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  const t = ms - day * 86_400_000;
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor(t / 60_000) % 60;
  const sec = Math.floor(t / 1000) % 60;
  const milli = t % 1000;
  return `${lastDayText}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${sec < 10 ? '0' : ''}${sec}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

let lastDay = Number.NaN;
let lastDayText = '';
