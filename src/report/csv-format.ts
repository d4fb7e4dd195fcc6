// Interval snapshots as CSV text: the key fields in config order, then
// packets,bytes,first_seen,last_seen (ISO 8601 UTC). The only module that imports
// csv-stringify.

import { stringify } from 'csv-stringify/sync';
import { COUNTER_COLUMNS, snapshotRows, type TableSnapshot } from '../count/table-snapshot.js';

/** The interval's rows, sorted by key, as CSV text with a header line. */
export function snapshotToCSV(s: TableSnapshot): string {
  const records = snapshotRows(s).map((r) => [
    ...r.key,
    String(r.packets),
    String(r.bytes),
    new Date(r.firstSeen).toISOString(),
    new Date(r.lastSeen).toISOString(),
  ]);
  return stringify(records, { header: true, columns: [...s.keyColumns, ...COUNTER_COLUMNS] });
}

/** Any table as CSV text: a header line of `columns`, then one line per row (for summaries). */
export function toCSV(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return stringify(rows.map((r) => r.map(String)), { header: true, columns: [...columns] });
}
