// A summary as CSV sections for spreadsheets: one file per section, the aggregate sections
// across tables (a `table` column) and the row-level ones per table (real key columns, so
// a spreadsheet can filter on them). CSV text comes from csv-format.ts (the one module
// that imports csv-stringify).

import { toCSV } from './csv-format.js';
import type { Ranked, Summary, TableSummary } from './summary-model.js';

export interface Section {
  /** File name, e.g. `totals.csv`, `new-rows-conn.csv`. */
  file: string;
  /** Title for the HTML page and mail. */
  title: string;
  text: string;
}

/** Numbers as CSV text: integers as they are, fractions to two decimals at most. */
export function num(n: number): string {
  return String(Math.round(n * 100) / 100);
}

export function summarySections(s: Summary): Section[] {
  const findingsOnly = s.only === 'findings';
  const out: Section[] = [];
  const tables = s.tables;
  if (findingsOnly) {
    out.push(section('totals.csv', 'Totals', ['table', 'new_rows', 'gone_rows'], tables.map((t) => [t.table, t.newRows.length, t.goneRows.length])));
  } else {
    out.push(
      section(
        'totals.csv',
        'Totals',
        ['table', 'intervals', 'rows', 'packets', 'bytes', 'new_rows', 'gone_rows', 'rates_flagged'],
        tables.map((t) => [t.table, t.intervals, t.rows, t.packets, t.bytes, t.newRows.length, t.goneRows.length, t.rates.filter((r) => r.flagged).length]),
      ),
      section(
        'traffic.csv',
        'Traffic per interval',
        ['table', 'interval_start', 'rows', 'packets', 'bytes'],
        tables.flatMap((t) => t.traffic.map((p) => [t.table, p.start, p.rows, p.packets, p.bytes])),
      ),
      section(
        'top-talkers.csv',
        'Top talkers',
        ['table', 'by', 'rank', 'talker_column', 'talker', 'packets', 'bytes'],
        tables.flatMap((t) => ranked(t, t.talkerColumn, t.topTalkersByPackets, t.topTalkersByBytes)),
      ),
      section(
        'top-services.csv',
        'Top services',
        ['table', 'by', 'rank', 'service_columns', 'service', 'packets', 'bytes'],
        tables.flatMap((t) => ranked(t, t.serviceColumns, t.topServicesByPackets, t.topServicesByBytes)),
      ),
    );
  }
  out.push(
    section(
      'findings-per-interval.csv',
      'New and gone rows per interval',
      ['table', 'interval_start', 'new_rows', 'gone_rows'],
      tables.flatMap((t) => t.findingsPerInterval.map((b) => [t.table, b.start, b.newRows, b.goneRows])),
    ),
  );
  for (const t of tables) {
    out.push(
      section(
        `new-rows-${t.table}.csv`,
        `New rows: ${t.table}`,
        ['kind', 'found', ...t.keyColumns, 'packets', 'bytes', 'state_now'],
        t.newRows.map((r) => [r.kind, r.ts, ...r.key, r.packets, r.bytes, r.state]),
      ),
      section(`gone-rows-${t.table}.csv`, `Gone rows: ${t.table}`, ['found', ...t.keyColumns, 'packets', 'bytes'], t.goneRows.map((r) => [r.ts, ...r.key, r.packets, r.bytes])),
    );
    if (!findingsOnly) {
      out.push(
        section(
          `rates-${t.table}.csv`,
          `Rates against history: ${t.table}`,
          [...t.keyColumns, 'bytes', 'bytes_per_day', 'history_days', 'median_per_day', 'p95_per_day', 'ratio_to_p95', 'flagged'],
          t.rates.map((r) => [...r.key, r.bytes, r.perDay, r.days, num(r.median), num(r.p95), r.ratio === null ? '' : num(r.ratio), r.flagged ? 'yes' : 'no']),
        ),
      );
    }
  }
  return out;
}

function ranked(t: TableSummary, column: string | null, byPackets: readonly Ranked[], byBytes: readonly Ranked[]): (string | number)[][] {
  if (column === null) return [];
  return [
    ...byPackets.map((r) => [t.table, 'packets', r.rank, column, r.label, r.packets, r.bytes]),
    ...byBytes.map((r) => [t.table, 'bytes', r.rank, column, r.label, r.packets, r.bytes]),
  ];
}

function section(file: string, title: string, columns: string[], rows: (string | number)[][]): Section {
  return { file, title, text: toCSV(columns, rows) };
}
