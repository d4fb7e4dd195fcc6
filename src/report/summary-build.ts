// Builds a summary report for a period: totals per table, top talkers and services (d3
// rollups), traffic per interval, new and gone rows from the findings with their state now,
// findings per interval (d3 bins), and each row's rate against its own history (d3 median
// and quantiles over the retained days). Reads files; writes only the rollup cache.
// Formatting lives in summary-sections.ts and html-page.ts.

import { bin, descending, median, quantileSorted, range, rollups, sum } from 'd3-array';
import type { Finding } from '../diff/finding.js';
import { aggregateTable, dayRollup, keyText, type RowTotal, type TableAggregate } from './summary-aggregate.js';
import { daysBetween, readFindings } from './summary-input.js';
import {
  MAX_RATE_ROWS,
  MIN_HISTORY_DAYS,
  RATE_FLAG_FACTOR,
  TOP_N,
  type NewRow,
  type RateRow,
  type Ranked,
  type RowState,
  type Summary,
  type TableSummary,
} from './summary-model.js';

const DAY_MS = 86_400_000;

/** The state of a row in the baseline store now. */
export type RowStateLookup = (table: string, keyColumns: readonly string[], key: readonly string[]) => RowState;

export interface BuildOptions {
  name: string;
  reportsDir: string;
  tables: readonly string[];
  fromMs: number;
  toMs: number;
  intervalSec: number;
  only: 'findings' | null;
  /** History for rates reaches back this far (the retention); default 90 days. */
  historySec?: number;
  /** Default: every row `unknown`. */
  rowState?: RowStateLookup;
}

export async function buildSummary(o: BuildOptions): Promise<Summary> {
  const notes: string[] = [];
  const { findings, badLines } = await readFindings(o.reportsDir, o.fromMs, o.toMs, new Set(o.tables));
  if (badLines > 0) notes.push(`${badLines} unreadable line(s) in the findings files were skipped`);
  const lookup: RowStateLookup = o.rowState ?? (() => 'unknown');
  const tables: TableSummary[] = [];
  for (const table of o.tables) {
    const mine = findings.filter((f) => f.table === table);
    const agg: TableAggregate =
      o.only === 'findings' ? { table, keyColumns: [], rows: new Map(), traffic: [] } : await aggregateTable(o.reportsDir, table, o.fromMs, o.toMs);
    if (agg.keyColumns.length === 0) agg.keyColumns = [...(mine[0]?.key_fields ?? [])];
    if (o.only !== 'findings' && agg.traffic.length === 0) notes.push(`table ${table}: no interval CSVs in the period`);
    tables.push(await summarizeTable(o, agg, mine, lookup));
  }
  return {
    name: o.name,
    from: iso(o.fromMs),
    to: iso(o.toMs),
    intervalSec: o.intervalSec,
    only: o.only,
    tables,
    notes,
  };
}

async function summarizeTable(o: BuildOptions, agg: TableAggregate, findings: readonly Finding[], lookup: RowStateLookup): Promise<TableSummary> {
  const rows = [...agg.rows.values()];
  const talkerIdx = pickColumn(agg.keyColumns, ['client_host', 'src_host', 'arp_sender_host', 'src_mac']);
  const service = serviceColumns(agg.keyColumns);
  const serviceLabel = (r: RowTotal): string => service!.idx.map((i) => r.key[i]).join('/');
  const talkerLabel = (r: RowTotal): string => r.key[talkerIdx]!;
  const newRows = dedupe(findings.filter((f) => f.kind === 'new_row' || f.kind === 'denied_row')).map(
    (f): NewRow => ({
      kind: f.kind as NewRow['kind'],
      ts: f.ts,
      key: [...f.key],
      packets: f.counters.packets,
      bytes: f.counters.bytes,
      state: lookup(agg.table, f.key_fields, f.key),
    }),
  );
  const goneRows = dedupe(findings.filter((f) => f.kind === 'gone_row')).map((f) => ({
    ts: f.ts,
    key: [...f.key],
    packets: f.counters.packets,
    bytes: f.counters.bytes,
  }));
  const rates = o.only === 'findings' ? { rows: [], days: 0 } : await rowRates(o, agg);
  return {
    table: agg.table,
    keyColumns: agg.keyColumns,
    intervals: agg.traffic.length,
    rows: rows.length,
    packets: sum(agg.traffic, (t) => t.packets),
    bytes: sum(agg.traffic, (t) => t.bytes),
    talkerColumn: talkerIdx >= 0 ? agg.keyColumns[talkerIdx]! : null,
    topTalkersByPackets: talkerIdx >= 0 ? top(rows, talkerLabel, 'packets') : [],
    topTalkersByBytes: talkerIdx >= 0 ? top(rows, talkerLabel, 'bytes') : [],
    serviceColumns: service ? service.label : null,
    topServicesByPackets: service ? top(rows, serviceLabel, 'packets') : [],
    topServicesByBytes: service ? top(rows, serviceLabel, 'bytes') : [],
    traffic: agg.traffic.map((t) => ({ start: iso(t.start), rows: t.rows, packets: t.packets, bytes: t.bytes })),
    newRows,
    goneRows,
    findingsPerInterval: findingsPerInterval(o, newRows, goneRows),
    rates: rates.rows,
    historyDays: rates.days,
  };
}

/** Index of the first key column whose field (before any /mask or :list) is in `fields`. */
function pickColumn(columns: readonly string[], fields: readonly string[]): number {
  for (const f of fields) {
    const i = columns.findIndex((c) => c.split(/[/:]/)[0] === f);
    if (i >= 0) return i;
  }
  return -1;
}

function serviceColumns(columns: readonly string[]): { idx: number[]; label: string } | null {
  const proto = pickColumn(columns, ['proto']);
  const port = pickColumn(columns, ['server_port', 'dst_port']);
  const idx = [proto, port].filter((i) => i >= 0);
  if (idx.length === 0) {
    const et = pickColumn(columns, ['ether_type']);
    if (et < 0) return null;
    idx.push(et);
  }
  return { idx, label: idx.map((i) => columns[i]!).join('/') };
}

/** Top N labels by `by`, ties broken by the other counter, then the label. */
function top(rows: readonly RowTotal[], label: (r: RowTotal) => string, by: 'packets' | 'bytes'): Ranked[] {
  const other = by === 'packets' ? 'bytes' : 'packets';
  const groups = rollups(
    rows,
    (v) => ({ packets: sum(v, (r) => r.packets), bytes: sum(v, (r) => r.bytes) }),
    label,
  );
  groups.sort((a, b) => descending(a[1][by], b[1][by]) || descending(a[1][other], b[1][other]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return groups.slice(0, TOP_N).map(([l, c], i) => ({ rank: i + 1, label: l, packets: c.packets, bytes: c.bytes }));
}

/** The first finding per identifier (a denied row alerts every time it is seen). */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => !seen.has(f.identifier) && seen.add(f.identifier) !== undefined);
}

function findingsPerInterval(o: BuildOptions, newRows: readonly { ts: string }[], goneRows: readonly { ts: string }[]): TableSummary['findingsPerInterval'] {
  const iv = o.intervalSec * 1000;
  const thresholds = range(Math.floor(o.fromMs / iv) * iv + iv, o.toMs, iv);
  const binner = bin<number, number>().domain([o.fromMs, o.toMs]).thresholds(thresholds);
  const nb = binner(newRows.map((f) => Date.parse(f.ts)));
  const gb = binner(goneRows.map((f) => Date.parse(f.ts)));
  return nb.map((b, i) => ({ start: iso(b.x0 ?? o.fromMs), newRows: b.length, goneRows: gb[i]?.length ?? 0 }));
}

/**
 * Each row's bytes in the period scaled to a day, against its own daily bytes over the
 * history days before the period (days the table has data; a day without the row is 0).
 */
async function rowRates(o: BuildOptions, agg: TableAggregate): Promise<{ rows: RateRow[]; days: number }> {
  const periodStartDay = Math.floor(o.fromMs / DAY_MS) * DAY_MS;
  const historyFrom = periodStartDay - (o.historySec ?? 90 * 86400) * 1000;
  const samples = new Map<string, number[]>();
  let days = 0;
  for (const day of daysBetween(Math.max(historyFrom, 0), periodStartDay)) {
    const rollup = await dayRollup(o.reportsDir, agg.table, day);
    if (rollup === null) continue;
    for (const k of agg.rows.keys()) {
      let s = samples.get(k);
      if (s === undefined) samples.set(k, (s = []));
      s.push(rollup.get(k) ?? 0);
    }
    days++;
  }
  if (days < MIN_HISTORY_DAYS) return { rows: [], days };
  const scale = DAY_MS / (o.toMs - o.fromMs);
  const out: RateRow[] = [];
  for (const [k, s] of samples) {
    const row = agg.rows.get(k)!;
    s.sort((a, b) => a - b);
    // Rounded to cents: interpolated quantiles carry float noise (39.999…) that would
    // otherwise reorder equal ratios and print as 40.00.
    const p95 = round2(quantileSorted(s, 0.95) ?? 0);
    const perDay = Math.round(row.bytes * scale);
    const ratio = p95 > 0 ? round2(perDay / p95) : null;
    out.push({
      key: row.key,
      bytes: row.bytes,
      perDay,
      days: s.length,
      median: round2(median(s) ?? 0),
      p95,
      ratio,
      flagged: perDay > RATE_FLAG_FACTOR * p95,
    });
  }
  // Highest ratio first; rows with no history traffic (ratio null) before all of them.
  out.sort((a, b) => (b.ratio ?? Infinity) - (a.ratio ?? Infinity) || descending(a.perDay, b.perDay) || (keyText(a.key) < keyText(b.key) ? -1 : 1));
  return { rows: out.slice(0, MAX_RATE_ROWS), days };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
