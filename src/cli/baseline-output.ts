// How `spanwatch baseline` commands print rows: an aligned text table for people (the
// default), CSV, or JSON for scripts (`--format json`: one array of objects).

import { formatCSVLine } from '../baseline/csv-codec.js';
import { UsageError } from './usage-error.js';

export type OutputFormat = 'table' | 'csv' | 'json';

export function parseFormat(text: string | undefined): OutputFormat {
  const f = text ?? 'table';
  if (f !== 'table' && f !== 'csv' && f !== 'json') throw new UsageError(`--format "${f}": expected table, csv or json`);
  return f;
}

/** Prints rows under `columns`; `json` gives each row as an object (values from `objects` when given). */
export function printRows(format: OutputFormat, columns: readonly string[], rows: readonly (readonly string[])[], objects?: readonly unknown[]): void {
  process.stdout.write(renderRows(format, columns, rows, objects));
}

export function renderRows(format: OutputFormat, columns: readonly string[], rows: readonly (readonly string[])[], objects?: readonly unknown[]): string {
  if (format === 'json') {
    const list = objects ?? rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? ''])));
    return JSON.stringify(list, null, 2) + '\n';
  }
  if (format === 'csv') return [columns, ...rows].map((r) => formatCSVLine(r)).join('');
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd() + '\n';
  return line(columns) + rows.map(line).join('');
}
