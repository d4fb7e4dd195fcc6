// The admin's decisions on rows: approve (→ white), deny (→ black), forget (→ unknown
// again), approve --all-pending, and prune (forget approved rows unseen for a while).
// Each is one locked read-modify-write of the store plus one history line per row.

import { currentUser, type HistoryAction, type HistoryEntry } from '../baseline/history-log.js';
import { newRow, splitKey, type RowStatus, type TableBaseline } from '../baseline/table-baseline.js';
import type { BaselineContext } from './baseline-context.js';
import { UsageError } from './usage-error.js';

export interface Decision {
  table: string;
  key: string;
}

/** Sets rows to `status` (approve/deny), or removes them (forget). Returns rows changed. */
export async function decide(
  ctx: BaselineContext,
  action: 'approve' | 'deny' | 'forget',
  decisions: readonly Decision[],
  note: string | undefined,
): Promise<number> {
  const at = ctx.now();
  const byTable = new Map<string, string[]>();
  for (const d of decisions) byTable.set(d.table, [...(byTable.get(d.table) ?? []), d.key]);
  return ctx.store.update(async () => {
    const history: HistoryEntry[] = [];
    let changed = 0;
    for (const [table, keys] of byTable) {
      const tb = ctx.store.load(table, ctx.keyColumns(table));
      const touched = new Set<RowStatus>();
      for (const key of keys) {
        const row = tb.rows.get(key);
        if (action === 'forget') {
          if (row === undefined) throw new UsageError(`${table} ${key}: not in the baseline (not approved, pending or denied): nothing to forget`);
          tb.rows.delete(key);
          touched.add(row.status);
        } else {
          const status: RowStatus = action === 'approve' ? 'approved' : 'denied';
          if (row?.status === status && note === undefined) continue;
          if (row) touched.add(row.status);
          tb.rows.set(key, newRow(status, row?.firstSeen ?? NaN, row?.lastSeen ?? NaN, at, note ?? row?.note ?? ''));
          touched.add(status);
        }
        changed++;
        history.push(entry(action, table, key, note ?? '', at));
      }
      await writeChanged(ctx, tb, touched, action === 'forget' ? null : action === 'approve' ? 'approved' : 'denied');
    }
    await ctx.store.history.append(history);
    return changed;
  });
}

/** Keys of every pending row (of one table, or all). */
export function pendingDecisions(ctx: BaselineContext, table: string | undefined): Decision[] {
  const out: Decision[] = [];
  for (const t of table ? [table] : ctx.tableNames()) {
    const tb = ctx.store.load(t, ctx.keyColumns(t));
    for (const [key] of tb.sorted('pending')) out.push({ table: t, key });
  }
  return out;
}

/** Forgets approved rows last seen before now − `unseenMs` (never-seen rows: approved before then). */
export async function prune(ctx: BaselineContext, tables: readonly string[], unseenMs: number, dryRun: boolean): Promise<{ table: string; key: string[]; last_seen: string }[]> {
  const now = ctx.now();
  const cutoff = now - unseenMs;
  return ctx.store.update(async () => {
    const out: { table: string; key: string[]; last_seen: string }[] = [];
    const history: HistoryEntry[] = [];
    for (const table of tables) {
      const tb = ctx.store.load(table, ctx.keyColumns(table));
      let n = 0;
      for (const [key, r] of tb.sorted('approved')) {
        const last = Number.isFinite(r.lastSeen) ? r.lastSeen : r.at;
        if (last >= cutoff) continue;
        out.push({ table, key: splitKey(key), last_seen: Number.isFinite(r.lastSeen) ? new Date(r.lastSeen).toISOString() : '' });
        if (dryRun) continue;
        tb.rows.delete(key);
        history.push(entry('prune', table, key, `unseen since ${new Date(last).toISOString()}`, now));
        n++;
      }
      if (n > 0) await writeChanged(ctx, tb, new Set(['approved']), null);
    }
    await ctx.store.history.append(history);
    return out;
  });
}

async function writeChanged(ctx: BaselineContext, tb: TableBaseline, touched: ReadonlySet<RowStatus>, into: RowStatus | null): Promise<void> {
  if (touched.size === 0) return;
  // The file a row moves into is written first: a crash in between leaves it in both.
  const order = [...(into ? [into] : []), ...(['approved', 'denied', 'pending'] as const).filter((s) => touched.has(s) && s !== into)];
  await ctx.store.write(tb, order);
}

function entry(action: HistoryAction, table: string, key: string, note: string, at: number): HistoryEntry {
  return { time: new Date(at).toISOString(), action, table, key: splitKey(key), note, user: currentUser() };
}
