// `spanwatch baseline snapshot`: accept everything seen as normal — the rows of a capture
// (counted by the engine exactly as `run` counts them) or of interval CSVs already written
// under reports/ for a range of days. New rows are approved, pending rows become approved,
// denied rows stay denied (a snapshot never overrides an explicit deny).

import fs from 'node:fs';
import path from 'node:path';
import { parseCSV } from '../baseline/csv-codec.js';
import { currentUser, type HistoryEntry } from '../baseline/history-log.js';
import { canonicalValue, KEY_SEP } from '../baseline/key-values.js';
import { StoreFormatError } from '../baseline/store-error.js';
import { newRow, splitKey, widenSeen } from '../baseline/table-baseline.js';
import { CountingEngine } from '../count/counting-engine.js';
import { COUNTER_COLUMNS, snapshotRow } from '../count/table-snapshot.js';
import { CaptureFileSource } from '../source/capture-file.js';
import type { BaselineContext } from './baseline-context.js';
import { UsageError } from './usage-error.js';
import { dayOf } from '../report/report-paths.js';

/** Rows seen per table: key text → [first_seen, last_seen]. */
export type Seen = Map<string, Map<string, [number, number]>>;

export interface SnapshotResult {
  table: string;
  seen: number;
  added: number;
  promoted: number;
  already: number;
  denied: number;
}

export async function seenInCapture(ctx: BaselineContext, file: string, tables: readonly string[]): Promise<Seen> {
  const seen: Seen = new Map(tables.map((t) => [t, new Map()]));
  const plan = ctx.plan;
  const engine = new CountingEngine({
    tables: plan.tables.filter((t) => tables.includes(t.name)),
    intervalSec: plan.intervalSec,
    servicePorts: plan.servicePorts,
    home: plan.home,
    sensor: plan.sensor,
    captureFilter: plan.captureFilter,
    onInterval: (snapshots) => {
      for (const s of snapshots) {
        for (let i = 0; i < s.size; i++) {
          const r = snapshotRow(s, i);
          note(seen.get(s.table)!, r.key.join(KEY_SEP), r.firstSeen, r.lastSeen);
        }
      }
    },
  });
  const source = new CaptureFileSource(file);
  try {
    await source.open();
  } catch (err) {
    throw new UsageError(`cannot read capture: ${(err as Error).message}`);
  }
  const { error } = await source.run(engine.handle);
  engine.flush();
  if (error) throw new UsageError(`${error.message}: nothing was approved (snapshot a capture that reads to the end)`);
  return seen;
}

/** `2026-11-01..2026-11-07` or one day → every day in it. */
export function daysIn(range: string): string[] {
  const m = /^(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?$/.exec(range);
  const from = m ? Date.parse(`${m[1]}T00:00:00Z`) : NaN;
  const to = m ? Date.parse(`${m[2] ?? m[1]}T00:00:00Z`) : NaN;
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) throw new UsageError(`--from-reports "${range}": expected a day or a range such as 2026-11-01..2026-11-07`);
  const out: string[] = [];
  for (let t = from; t <= to; t += 86_400_000) out.push(dayOf(t));
  return out;
}

export function seenInReports(ctx: BaselineContext, range: string, tables: readonly string[]): { seen: Seen; files: number } {
  const seen: Seen = new Map(tables.map((t) => [t, new Map()]));
  const reports = path.resolve(ctx.plan.reportsDir);
  let files = 0;
  for (const table of tables) {
    const cols = ctx.keyColumns(table);
    const expected = [...cols, ...COUNTER_COLUMNS].join(',');
    for (const day of daysIn(range)) {
      const dir = path.join(reports, 'tables', table, day);
      if (!fs.existsSync(dir)) continue;
      for (const name of fs.readdirSync(dir).sort()) {
        if (!name.startsWith(`${table}-`) || !name.endsWith('.csv') || name.endsWith('.new.csv')) continue;
        const file = path.join(dir, name);
        const records = parseCSV(fs.readFileSync(file, 'utf8'), file);
        if (records.length === 0) continue;
        if (records[0]!.fields.join(',') !== expected) throw new StoreFormatError(file, 1, `header is not "${expected}" (written with another key for table ${table}?)`);
        files++;
        for (const { line, fields } of records.slice(1)) {
          const values = cols.map((c, i) => {
            const v = canonicalValue(c, fields[i] ?? '');
            if ('error' in v) throw new StoreFormatError(file, line, v.error);
            return v.value;
          });
          const first = Date.parse(fields[cols.length + 2] ?? '');
          const last = Date.parse(fields[cols.length + 3] ?? '');
          if (!Number.isFinite(first) || !Number.isFinite(last)) throw new StoreFormatError(file, line, 'first_seen/last_seen are not ISO 8601 times');
          note(seen.get(table)!, values.join(KEY_SEP), first, last);
        }
      }
    }
  }
  return { seen, files };
}

function note(m: Map<string, [number, number]>, key: string, first: number, last: number): void {
  const s = m.get(key);
  if (s === undefined) m.set(key, [first, last]);
  else {
    if (first < s[0]) s[0] = first;
    if (last > s[1]) s[1] = last;
  }
}

/** Approves what was seen, in one locked update. */
export async function applySnapshot(ctx: BaselineContext, seen: Seen, source: string): Promise<SnapshotResult[]> {
  const at = ctx.now();
  const user = currentUser();
  return ctx.store.update(async () => {
    const results: SnapshotResult[] = [];
    const history: HistoryEntry[] = [];
    for (const [table, rows] of seen) {
      const tb = ctx.store.load(table, ctx.keyColumns(table));
      const res: SnapshotResult = { table, seen: rows.size, added: 0, promoted: 0, already: 0, denied: 0 };
      for (const [key, [first, last]] of rows) {
        const r = tb.rows.get(key);
        if (r === undefined) {
          tb.rows.set(key, newRow('approved', first, last, at, 'snapshot'));
          res.added++;
        } else {
          widenSeen(r, first, last);
          if (r.status === 'approved') res.already++;
          if (r.status === 'denied') res.denied++;
          if (r.status !== 'pending') continue;
          r.status = 'approved';
          r.at = at;
          r.line = undefined;
          res.promoted++;
        }
        history.push({ time: new Date(at).toISOString(), action: 'snapshot', table, key: splitKey(key), note: source, user });
      }
      await ctx.store.write(tb, ['approved', 'denied', 'pending']);
      results.push(res);
    }
    await ctx.store.history.append(history);
    return results;
  });
}
