// The summary report as plain data: what summary-build.ts computes and what the CSV
// sections (summary-sections.ts) and the HTML page (html-page.ts) print. Plain objects and
// arrays only, so a summary crosses a worker-thread boundary unchanged. No logic here.

export type RowState = 'pending' | 'approved' | 'denied' | 'unknown';

export interface Ranked {
  rank: number;
  /** Talker host or service label (`tcp/443`). */
  label: string;
  packets: number;
  bytes: number;
}

export interface NewRow {
  kind: 'new_row' | 'denied_row';
  /** When it was found (ISO 8601 UTC). */
  ts: string;
  key: string[];
  packets: number;
  bytes: number;
  /** State in the baseline store now. */
  state: RowState;
}

export interface GoneRow {
  ts: string;
  key: string[];
  packets: number;
  bytes: number;
}

export interface RateRow {
  key: string[];
  /** Bytes in the period, and scaled to one day. */
  bytes: number;
  perDay: number;
  /** History days (each a sample; days without the row count as 0). */
  days: number;
  median: number;
  p95: number;
  /** perDay / p95; null when p95 is 0. */
  ratio: number | null;
  flagged: boolean;
}

export interface TrafficRow {
  start: string;
  rows: number;
  packets: number;
  bytes: number;
}

export interface TableSummary {
  table: string;
  keyColumns: string[];
  intervals: number;
  rows: number;
  packets: number;
  bytes: number;
  /** Key column the talkers are ranked by; null: none fits. */
  talkerColumn: string | null;
  topTalkersByPackets: Ranked[];
  topTalkersByBytes: Ranked[];
  /** How services are labelled (e.g. `proto/server_port`); null: the table has no service columns. */
  serviceColumns: string | null;
  topServicesByPackets: Ranked[];
  topServicesByBytes: Ranked[];
  traffic: TrafficRow[];
  newRows: NewRow[];
  goneRows: GoneRow[];
  /** Per-interval counts of new and gone rows (d3 bins over the period). */
  findingsPerInterval: { start: string; newRows: number; goneRows: number }[];
  rates: RateRow[];
  /** History days available for rates (0: no history yet). */
  historyDays: number;
}

export interface Summary {
  name: string;
  /** Period [from, to), ISO 8601 UTC. */
  from: string;
  to: string;
  intervalSec: number;
  only: 'findings' | null;
  tables: TableSummary[];
  /** Things the reader should know (missing data, state lookups not available, …). */
  notes: string[];
}

export const TOP_N = 10;
/** A row is flagged when its rate is above this many times its own p95. */
export const RATE_FLAG_FACTOR = 2;
/** Fewer history days than this give no median/p95 worth comparing with. */
export const MIN_HISTORY_DAYS = 3;
/** Rate rows kept per table, highest ratio first. */
export const MAX_RATE_ROWS = 500;
