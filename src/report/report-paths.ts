// Where things are written under the reports directory. One table = one name = one path
// segment (DESIGN rule 4); stamps are the interval start in UTC.

import path from 'node:path';

/** `20261129T164500Z` */
export function compactStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** `2026-11-29` */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function tableDir(reportsDir: string, table: string): string {
  return path.join(reportsDir, 'tables', table);
}

/** reports/tables/<table>/<YYYY-MM-DD>/<table>-<YYYYMMDDTHHMMSSZ>.csv */
export function intervalCSVPath(reportsDir: string, table: string, startMs: number): string {
  return path.join(tableDir(reportsDir, table), dayOf(startMs), `${table}-${compactStamp(startMs)}.csv`);
}

export function latestCSVPath(reportsDir: string, table: string): string {
  return path.join(tableDir(reportsDir, table), 'latest.csv');
}
