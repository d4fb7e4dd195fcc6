// What a summary report reads: the interval CSVs of a table for a period (found by their
// path and stamp, never by listing the whole tree), and the findings files of the days the
// period touches. Files are read one at a time, so memory stays bounded by one file plus
// the aggregates the caller keeps. Nothing here aggregates or formats.

import fs from 'node:fs';
import path from 'node:path';
import type { Finding } from '../diff/finding.js';
import { dayOf, tableDir } from './report-paths.js';

const DAY_MS = 86_400_000;
const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.csv$/;

export interface IntervalFile {
  file: string;
  /** Interval start (ms since the epoch, from the file name). */
  start: number;
}

/** The UTC days (YYYY-MM-DD) that [fromMs, toMs) touches, oldest first. */
export function daysBetween(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  for (let d = Math.floor(fromMs / DAY_MS) * DAY_MS; d < toMs; d += DAY_MS) out.push(dayOf(d));
  return out;
}

/** Interval CSVs of `table` whose interval starts in [fromMs, toMs), oldest first. */
export function listIntervalFiles(reportsDir: string, table: string, fromMs: number, toMs: number): IntervalFile[] {
  const out: IntervalFile[] = [];
  const prefix = `${table}-`;
  for (const day of daysBetween(fromMs, toMs)) {
    const dir = path.join(tableDir(reportsDir, table), day);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      const m = STAMP.exec(name.slice(prefix.length));
      if (!m) continue;
      const start = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
      if (start >= fromMs && start < toMs) out.push({ file: path.join(dir, name), start });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** One RFC 4180 line (quotes and doubled quotes; our files hold no embedded newlines). */
export function parseCSVLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            v += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else v += line[i++];
      }
      out.push(v);
      i++; // the comma
    } else {
      const end = line.indexOf(',', i);
      const stop = end < 0 ? line.length : end;
      out.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return out;
}

export interface IntervalRows {
  keyColumns: string[];
  /** Calls back once per row: key values, packets, bytes. */
  forEach(fn: (key: string[], packets: number, bytes: number) => void): void;
}

/** Reads one interval CSV (header: key columns, then packets,bytes,first_seen,last_seen). */
export async function readIntervalCSV(file: string): Promise<IntervalRows> {
  const text = await fs.promises.readFile(file, 'utf8');
  const lines = text.split('\n');
  const header = parseCSVLine(lines[0] ?? '');
  const pi = header.indexOf('packets');
  const bi = header.indexOf('bytes');
  if (pi < 0 || bi < 0) throw new Error(`${file}: no packets/bytes columns in the header`);
  const keyColumns = header.slice(0, pi);
  return {
    keyColumns,
    forEach(fn) {
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!;
        if (line === '') continue;
        const v = parseCSVLine(line);
        fn(v.slice(0, pi), Number(v[pi]), Number(v[bi]));
      }
    },
  };
}

export interface FindingsRead {
  findings: Finding[];
  /** Lines that were not a finding (counted, not fatal: a half-written line after a crash). */
  badLines: number;
}

/** Findings with ts in [fromMs, toMs) for the given tables, from reports/findings/<day>.jsonl. */
export async function readFindings(reportsDir: string, fromMs: number, toMs: number, tables: ReadonlySet<string>): Promise<FindingsRead> {
  const findings: Finding[] = [];
  let badLines = 0;
  // A finding's file is the day of its ts; read one day either side for safety at midnight.
  for (const day of daysBetween(fromMs - DAY_MS, toMs + DAY_MS)) {
    let text: string;
    try {
      text = await fs.promises.readFile(path.join(reportsDir, 'findings', `${day}.jsonl`), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let f: Finding;
      try {
        f = JSON.parse(line) as Finding;
      } catch {
        badLines++;
        continue;
      }
      const ts = typeof f?.ts === 'string' ? Date.parse(f.ts) : NaN;
      if (Number.isNaN(ts) || !Array.isArray(f.key) || typeof f.table !== 'string') {
        badLines++;
        continue;
      }
      if (ts >= fromMs && ts < toMs && tables.has(f.table)) findings.push(f);
    }
  }
  findings.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts) || a.identifier.localeCompare(b.identifier));
  return { findings, badLines };
}

/** Tables that have interval CSVs under reports/tables (for ad-hoc reports without config tables). */
export function tablesOnDisk(reportsDir: string): string[] {
  try {
    return fs
      .readdirSync(path.join(reportsDir, 'tables'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
