// Folds a table's interval CSVs over a period into per-row totals and per-interval traffic,
// one file at a time (an await between files, so a report built on the main thread still
// lets other work run). Memory is bounded by the distinct rows of the period, not by the
// number of intervals. Also keeps the per-day rollups that the rate history reads
// (reports/state/rollups/<table>/<YYYY-MM-DD>.csv): a finished day is folded once, then
// reused by every later report until retention prunes it.

import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { toCSV } from './csv-format.js';
import { listIntervalFiles, readIntervalCSV } from './summary-input.js';

export interface RowTotal {
  key: string[];
  packets: number;
  bytes: number;
  /** Intervals the row appeared in. */
  intervals: number;
}

export interface TrafficPoint {
  /** Interval start, ms since the epoch. */
  start: number;
  rows: number;
  packets: number;
  bytes: number;
}

export interface TableAggregate {
  table: string;
  keyColumns: string[];
  /** Keyed by keyText(key). */
  rows: Map<string, RowTotal>;
  traffic: TrafficPoint[];
}

/** Map key for a row: key values joined by a separator no value contains. */
export function keyText(key: readonly string[]): string {
  return key.join('\x1f');
}

export async function aggregateTable(reportsDir: string, table: string, fromMs: number, toMs: number): Promise<TableAggregate> {
  const agg: TableAggregate = { table, keyColumns: [], rows: new Map(), traffic: [] };
  for (const f of listIntervalFiles(reportsDir, table, fromMs, toMs)) {
    const csv = await readIntervalCSV(f.file);
    if (agg.keyColumns.length === 0) agg.keyColumns = csv.keyColumns;
    const point: TrafficPoint = { start: f.start, rows: 0, packets: 0, bytes: 0 };
    csv.forEach((key, packets, bytes) => {
      point.rows++;
      point.packets += packets;
      point.bytes += bytes;
      const k = keyText(key);
      const row = agg.rows.get(k);
      if (row === undefined) agg.rows.set(k, { key, packets, bytes, intervals: 1 });
      else {
        row.packets += packets;
        row.bytes += bytes;
        row.intervals++;
      }
    });
    agg.traffic.push(point);
  }
  return agg;
}

export function rollupPath(reportsDir: string, table: string, day: string): string {
  return path.join(reportsDir, 'state', 'rollups', table, `${day}.csv`);
}

/**
 * Per-row byte totals of one finished UTC day, from the rollup cache or (first time) from
 * the day's interval CSVs, which are then cached. Null when the table has no data that day.
 */
export async function dayRollup(reportsDir: string, table: string, day: string): Promise<Map<string, number> | null> {
  const cached = rollupPath(reportsDir, table, day);
  if (fs.existsSync(cached)) {
    const csv = await readIntervalCSV(cached);
    const out = new Map<string, number>();
    csv.forEach((key, _packets, bytes) => out.set(keyText(key), bytes));
    return out;
  }
  const dayMs = Date.parse(`${day}T00:00:00Z`);
  const agg = await aggregateTable(reportsDir, table, dayMs, dayMs + 86_400_000);
  if (agg.traffic.length === 0) return null;
  const rows = [...agg.rows.values()];
  await writeFileAtomic(cached, toCSV([...agg.keyColumns, 'packets', 'bytes'], rows.map((r) => [...r.key, r.packets, r.bytes])));
  return new Map(rows.map((r) => [keyText(r.key), r.bytes]));
}
