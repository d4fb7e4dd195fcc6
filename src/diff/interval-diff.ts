// The per-interval comparison written next to each table CSV:
//   reports/tables/<table>/<YYYY-MM-DD>/<table>-<stamp>.new.csv
// every row of the interval that is not in the approved baseline, with its counters and a
// status: `new` (first reported in this interval), `pending` (reported before, awaiting a
// decision) or `denied`. Written for every interval in which the table was compared (not
// learning), so an empty file (header only) means "compared, nothing new".

import { formatCSVLine } from '../baseline/csv-codec.js';
import { COUNTER_COLUMNS, type SnapshotRow } from '../count/table.js';
import { intervalCSVPath } from '../report/report-paths.js';
import { isoTime } from '../interval/iso-time.js';

export type DiffStatus = 'new' | 'pending' | 'denied';

export interface DiffRow {
  row: SnapshotRow;
  status: DiffStatus;
}

export function diffCSVPath(reportsDir: string, table: string, startMs: number): string {
  return intervalCSVPath(reportsDir, table, startMs).replace(/\.csv$/, '.new.csv');
}

export function formatDiffCSV(keyColumns: readonly string[], rows: readonly DiffRow[]): string {
  let out = formatCSVLine([...keyColumns, ...COUNTER_COLUMNS, 'status']);
  for (const { row, status } of rows) {
    out += formatCSVLine([
      ...row.key,
      String(row.packets),
      String(row.bytes),
      isoTime(row.firstSeen),
      isoTime(row.lastSeen),
      status,
    ]);
  }
  return out;
}
