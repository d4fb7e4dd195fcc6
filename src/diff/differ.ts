// The differ: compares what the engine sees with each table's baseline.
//
// At a row's first sight in an interval (engine hook, during the packet) it looks the row
// up — by its key words if it was met before in this run (known-rows.ts), else by printing
// the key and looking the text up in one Map: approved → silent; pending → silent
// (reported before); denied → `denied_row`; unknown → learned silently while the table
// learns, else `new_row` at once and the row becomes pending. At each interval close it
// widens the seen times of known rows, reports approved rows whose last sighting is now
// `gone_after` old (`gone_row`, once, when the age crosses the threshold), writes the
// interval's .new.csv, and writes the changes to the store (pending rows also right after
// they are found, so a restart does not report them again). Store writes run off the
// packet loop and fail soft.

import type { BaselineStore } from '../baseline/baseline-store.js';
import { currentUser, type HistoryEntry } from '../baseline/history-log.js';
import { isoOrEmpty, joinKey, newRow, splitKey, widenSeen, type BaselineRow, type RowStatus, type TableBaseline } from '../baseline/table-baseline.js';
import { COUNTER_FIRST, COUNTER_LAST } from '../count/key-hash-table.js';
import type { Table } from '../count/table.js';
import { snapshotRow, sortByKey, type SnapshotRow, type TableSnapshot } from '../count/table-snapshot.js';
import { writeFileAtomic } from '../report/atomic-write.js';
import { findingFromRow, type FindingKind, type FindingSink } from './finding.js';
import { diffCSVPath, formatDiffCSV, type DiffRow, type DiffStatus } from './interval-diff.js';
import { TableWatch } from './table-watch.js';

/** Seen times of known rows are written at most this often (packet time): they churn. */
const SEEN_WRITE_EVERY_MS = 10 * 60_000;
/**
 * Learned rows are written at most this often (wall clock), and always at the end: a
 * learning table rewrites its whole approved.csv, which at every interval of a fast replay
 * cost more than the counting. A crash loses at most this much learning: those rows are
 * learned again if seen again in the window, else reported as new — never lost silently.
 * Pending rows, decisions and the end of learning are written at once.
 */
const LEARNED_WRITE_EVERY_MS = 10_000;

export interface WatchedTable {
  name: string;
  keyColumns: readonly string[];
}

export interface DifferOptions {
  store: BaselineStore;
  tables: readonly WatchedTable[];
  sink: FindingSink;
  /** `learn_for`: how long a table with no baseline learns (ms); 0 = it does not. */
  learnForMs: number;
  /** `run --learn`: every table learns this long from its first packet, baseline or not. */
  forceLearnMs: number | null;
  /** `gone_after` (ms), or null: no gone_row findings. */
  goneAfterMs: number | null;
  reportsDir: string;
  log: (message: string) => void;
  /** The tables' baselines already read from `store` (a reload reads them in turns); else read here. */
  baselines?: ReadonlyMap<string, TableBaseline>;
}

export class Differ {
  /** Findings emitted, by kind. */
  readonly counts: Record<FindingKind, number> = { new_row: 0, denied_row: 0, gone_row: 0, volume_change: 0 };
  private readonly watches = new Map<string, TableWatch>();
  private work: Promise<void> = Promise.resolve();
  private persistScheduled = false;
  private learnedWrittenAt = Date.now();
  private readonly user = currentUser();

  /** Loads every table's baseline (throws StoreFormatError for a bad file) and says which learn. */
  constructor(private readonly opts: DifferOptions) {
    for (const t of opts.tables) {
      const w = new TableWatch(t.name, t.keyColumns, opts.baselines?.get(t.name) ?? opts.store.load(t.name, t.keyColumns));
      this.watches.set(t.name, w);
      const b = w.baseline;
      if (opts.forceLearnMs !== null) {
        this.startLearning(w, opts.forceLearnMs, `learning for ${duration(opts.forceLearnMs)} from its first packet (--learn)`);
      } else if (b.learningUntil !== null) {
        w.learning = true;
        w.lockedSince = Number.POSITIVE_INFINITY;
        w.learningUntil = b.learningUntil;
        opts.log(`table ${t.name}: learning until ${isoOrEmpty(b.learningUntil)} (${b.count('approved')} rows so far)`);
      } else if (!b.exists && opts.learnForMs > 0) {
        this.startLearning(w, opts.learnForMs, `no baseline yet: learning for ${duration(opts.learnForMs)} from its first packet; rows seen then become the baseline`);
      } else if (!b.exists) {
        opts.log(`table ${t.name}: no baseline yet and learn_for is 0: every row is new`);
      }
    }
  }

  private startLearning(w: TableWatch, ms: number, message: string): void {
    w.learning = true;
    w.lockedSince = Number.POSITIVE_INFINITY;
    w.learnForMs = ms;
    w.learningUntil = null;
    this.opts.log(`table ${w.name}: ${message}`);
  }

  /** The engine's onFirstSight hook. */
  readonly onFirstSight = (table: Table, row: number): void => {
    const w = this.watches.get(table.name);
    if (w === undefined) return;
    const { data, stride, width } = table.rows;
    const base = row * stride;
    w.known.check(w.baseline, table.epoch);
    const k = w.known.find(data, base, width);
    if (k >= 0) {
      // Met before in this run: approved and pending rows stay silent without printing.
      const b = w.known.rows[k]!;
      if (b.status === 'denied') this.emitDenied(w, table.formatRow(row), b);
      return;
    }
    const r = table.formatRow(row);
    const key = joinKey(r.key);
    const known = w.baseline.rows.get(key);
    if (known !== undefined) {
      w.known.add(data, base, width, key, known);
      if (known.status === 'denied') this.emitDenied(w, r, known);
      return;
    }
    if (w.learning) {
      if (w.learningUntil === null) w.learningUntil = r.firstSeen + w.learnForMs;
      if (r.firstSeen < w.learningUntil) {
        const learned = newRow('approved', r.firstSeen, r.lastSeen, r.firstSeen, 'learned');
        this.add(w, key, learned);
        w.known.add(data, base, width, key, learned);
        return;
      }
      this.endLearning(w);
    }
    const pending = newRow('pending', r.firstSeen, r.lastSeen, r.firstSeen, '');
    this.add(w, key, pending);
    w.known.add(data, base, width, key, pending);
    this.emit('new_row', w, r, r.firstSeen);
    if (!this.persistScheduled) {
      this.persistScheduled = true;
      setImmediate(() => {
        this.persistScheduled = false;
        this.enqueue(() => this.persist(false));
      });
    }
  };

  private emitDenied(w: TableWatch, r: SnapshotRow, b: BaselineRow): void {
    this.emit('denied_row', w, r, r.firstSeen, b.note ? `denied: ${b.note}` : 'denied');
  }

  /** The engine's onInterval hook (call it beside the CSV writer). */
  onInterval(snapshots: readonly TableSnapshot[]): void {
    for (const s of snapshots) {
      const w = this.watches.get(s.table);
      if (w === undefined) continue;
      if (w.learning && w.learningUntil !== null && s.end >= w.learningUntil) this.endLearning(w);
      const compared = w.lockedSince < s.end;
      const unapproved: number[] = [];
      const statuses = new Map<number, DiffStatus>();
      w.known.check(w.baseline, s.epoch);
      for (let i = 0; i < s.size; i++) {
        const base = i * s.stride;
        let k = w.known.find(s.data, base, s.width);
        if (k < 0) {
          // Not met at first sight in this baseline (the store was reloaded meanwhile).
          const key = joinKey(snapshotRow(s, i).key);
          const b = w.baseline.rows.get(key);
          if (b === undefined) continue; // forgotten by the admin during this interval
          k = w.known.add(s.data, base, s.width, key, b);
        }
        const b = w.known.rows[k]!;
        const c = base + s.width;
        w.markSeen(w.known.keys[k]!, b, s.data[c + COUNTER_FIRST]!, s.data[c + COUNTER_LAST]!);
        if (compared && b.status !== 'approved') {
          unapproved.push(i);
          statuses.set(i, b.status === 'pending' && b.at >= s.start ? 'new' : b.status);
        }
      }
      if (compared && this.opts.goneAfterMs !== null) this.findGone(w, s, this.opts.goneAfterMs);
      if (compared) {
        const diff: DiffRow[] = sortByKey(s, unapproved).map((i) => ({ row: snapshotRow(s, i), status: statuses.get(i)! }));
        const file = diffCSVPath(this.opts.reportsDir, s.table, s.start);
        const text = formatDiffCSV(w.keyColumns, diff);
        this.enqueue(() => writeFileAtomic(file, text, { durable: false }));
      }
      w.lastEnd = s.end;
      if (w.seenWrittenAt === Number.NEGATIVE_INFINITY) w.seenWrittenAt = s.start; // the run's first interval starts the clock
      if (s.end - w.seenWrittenAt >= SEEN_WRITE_EVERY_MS) w.seenDue = true;
    }
    this.enqueue(() => this.persist(false));
  }

  /** Writes everything still unwritten and flushes the findings; call at the end of a run. */
  async close(): Promise<void> {
    this.enqueue(() => this.persist(true));
    await this.work;
    await this.opts.sink.flush();
  }

  private findGone(w: TableWatch, s: TableSnapshot, after: number): void {
    for (const [key, b] of w.baseline.rows) {
      if (b.status !== 'approved' || !Number.isFinite(b.lastSeen)) continue;
      const t = b.lastSeen + after;
      if (t > s.start && t <= s.end) {
        const row: SnapshotRow = { key: splitKey(key), packets: 0, bytes: 0, firstSeen: b.firstSeen, lastSeen: b.lastSeen };
        this.emit('gone_row', w, row, t, `not seen for ${duration(after)}`);
      }
    }
  }

  private endLearning(w: TableWatch): void {
    const at = w.learningUntil ?? 0;
    w.learning = false;
    w.learningUntil = null;
    w.lockedSince = at;
    w.lockChanged = true;
    this.opts.log(`table ${w.name}: learning ended at ${isoOrEmpty(at)} with ${w.baseline.count('approved')} approved rows; new rows are findings from now on`);
  }

  private add(w: TableWatch, key: string, row: BaselineRow): void {
    w.baseline.rows.set(key, row);
    w.adds.set(key, row);
    if (row.status !== 'approved') w.urgentAdds = true;
  }

  private emit(kind: FindingKind, w: TableWatch, r: SnapshotRow, at: number, detail?: string): void {
    this.counts[kind]++;
    this.opts.sink.emit(findingFromRow(kind, w.name, w.keyColumns, r, at, detail));
  }

  private enqueue(job: () => Promise<void>): void {
    this.work = this.work.then(job).catch((err: Error) => this.opts.log(`baseline store: ${err.message} (counting goes on; retried at the next interval)`));
  }

  /**
   * Writes each table's changes into the store: under the lock, re-read the table if
   * someone else changed it (CLI approvals, hand edits), apply our additions and seen
   * times on top, write the files that changed, and adopt the result as the loaded baseline.
   */
  private async persist(final: boolean): Promise<void> {
    const learnedDue = final || Date.now() - this.learnedWrittenAt >= LEARNED_WRITE_EVERY_MS;
    const due = [...this.watches.values()].filter(
      (w) =>
        w.urgentAdds ||
        w.lockChanged ||
        (learnedDue && (w.adds.size > 0 || (w.learning && !w.baseline.exists))) ||
        ((final || w.seenDue) && w.seen.size > 0),
    );
    if (due.length === 0) return;
    if (learnedDue) this.learnedWrittenAt = Date.now();
    await this.opts.store.update(async () => {
      for (const w of due) await this.persistTable(w, final || w.seenDue);
    });
  }

  private async persistTable(w: TableWatch, withSeen: boolean): Promise<void> {
    const adds = w.adds;
    const seen = withSeen ? w.seen : new Map<string, BaselineRow>();
    const lockChanged = w.lockChanged;
    const urgentAdds = w.urgentAdds;
    w.adds = new Map();
    w.urgentAdds = false;
    if (withSeen) w.seen = new Map();
    w.lockChanged = false;
    let fresh: TableBaseline;
    try {
      fresh = await this.opts.store.loadIfChanged(w.baseline);
    } catch (err) {
      for (const [k, r] of adds) if (!w.adds.has(k)) w.adds.set(k, r);
      for (const [k, s] of seen) if (!w.seen.has(k)) w.seen.set(k, s);
      w.lockChanged ||= lockChanged;
      w.urgentAdds ||= urgentAdds;
      throw err;
    }
    const touched = new Set<RowStatus>();
    if (!fresh.exists) touched.add('approved');
    for (const [k, r] of adds) {
      if (fresh !== w.baseline && fresh.rows.has(k)) continue;
      fresh.rows.set(k, r);
      touched.add(r.status);
    }
    for (const [k, times] of seen) {
      const r = fresh.rows.get(k);
      if (r === undefined) continue;
      widenSeen(r, times.firstSeen, times.lastSeen);
      touched.add(r.status);
    }
    fresh.learningUntil = w.learning ? w.learningUntil : null;
    const order = (['approved', 'denied', 'pending'] as const).filter((s) => touched.has(s));
    await this.opts.store.write(fresh, order);
    fresh.exists ||= touched.has('approved');
    if (withSeen) {
      w.seenWrittenAt = w.lastEnd;
      w.seenDue = false;
    }
    await this.opts.store.history.append(this.historyOf(w, fresh, adds, lockChanged));
    if (fresh !== w.baseline) {
      // Rows found while we wrote belong in the adopted baseline too.
      for (const [k, r] of w.adds) if (!fresh.rows.has(k)) fresh.rows.set(k, r);
      for (const [k, times] of w.seen) {
        const r = fresh.rows.get(k);
        if (r !== undefined) widenSeen(r, times.firstSeen, times.lastSeen);
      }
      w.baseline = fresh;
    }
  }

  /**
   * The history lines of a write, made one at a time as they are appended: a learning
   * table adds a line per row, tens of thousands at its first write.
   */
  private *historyOf(w: TableWatch, fresh: TableBaseline, adds: ReadonlyMap<string, BaselineRow>, lockChanged: boolean): Generator<HistoryEntry> {
    for (const [k, r] of adds) {
      if (fresh.rows.get(k) !== r) continue;
      yield { time: isoOrEmpty(r.at), action: r.status === 'approved' ? 'learn' : 'pending', table: w.name, key: splitKey(k), note: r.note, user: this.user };
    }
    if (lockChanged) yield { time: isoOrEmpty(w.lockedSince), action: 'lock', table: w.name, key: null, note: 'learning ended', user: this.user };
  }
}

function duration(ms: number): string {
  const s = ms / 1000;
  for (const [unit, n] of [['w', 604800], ['d', 86400], ['h', 3600], ['m', 60]] as const) if (s >= n && s % n === 0) return `${s / n}${unit}`;
  return `${s}s`;
}
