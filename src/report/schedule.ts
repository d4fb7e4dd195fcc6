// Report schedules: the only module that imports node-cron (DESIGN rule 8). It validates
// cron expressions for the config loader, lists next run times, and runs reports on their
// ticks inside `spanwatch run`:
//
// - a run missed while the process was down is caught up once at start (the last run of
//   every report is kept in reports/state/report-schedule.json);
// - runs never overlap: every report run goes through one queue, and a tick that finds its
//   report still queued or running is skipped (and said so);
// - the tick handler only queues work and returns: building a report happens elsewhere
//   (a worker thread, see summary-runner.ts), so the packet loop is never held up.
//
// Nothing here knows what a report contains.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { DetailedValidation, ScheduledTask } from 'node-cron';
import { writeFileAtomic } from './atomic-write.js';

// node-cron is loaded on first use, not at start-up: the config loader imports this module
// for validateCron, but only configs with `reports:` need cron, and a file replay without
// them should not pay for loading it. The config loader is synchronous, hence require()
// (node-cron ships a CommonJS build; this module is the only one that loads it).
const require = createRequire(import.meta.url);
let cronModule: typeof import('node-cron') | undefined;
function cron(): typeof import('node-cron') {
  return (cronModule ??= require('node-cron') as typeof import('node-cron'));
}

export interface CronProblem {
  /** 0-based index of the whitespace-separated field at fault, or -1 for the whole expression. */
  fieldIndex: number;
  /** second, minute, hour, day of month, month, day of week, or "expression". */
  field: string;
  message: string;
}

const FIELD_NAMES = ['second', 'minute', 'hour', 'day of month', 'month', 'day of week'];
const CRON_FIELD_KEYS: Readonly<Record<string, string>> = {
  second: 'second',
  minute: 'minute',
  hour: 'hour',
  day: 'day of month',
  dayOfMonth: 'day of month',
  month: 'month',
  weekday: 'day of week',
  dayOfWeek: 'day of week',
};

/** Problems in a node-cron expression (5 fields, or 6 with seconds first); empty when valid. */
export function validateCron(expression: string): CronProblem[] {
  const parts = expression.trim().split(/\s+/);
  let result: DetailedValidation;
  try {
    result = cron().validateDetailed(expression);
  } catch (err) {
    return [{ fieldIndex: -1, field: 'expression', message: (err as Error).message }];
  }
  if (result.valid) return [];
  const names = parts.length === 5 ? FIELD_NAMES.slice(1) : FIELD_NAMES;
  const problems = result.errors.map((e) => {
    const field = CRON_FIELD_KEYS[e.field] ?? e.field;
    const fieldIndex = names.indexOf(field);
    const message = e.message.replace(/ is a invalid expression for /, ' is not valid for the ');
    return { fieldIndex, field, message: fieldIndex >= 0 ? `${field} field: ${message}` : message };
  });
  return problems.length > 0 ? problems : [{ fieldIndex: -1, field: 'expression', message: 'not a valid cron expression' }];
}

/** Whether `zone` is an IANA time zone this Node knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export interface Schedule {
  name: string;
  cron: string;
  timezone: string | null;
}

/** The next `count` run times of a schedule after `from` (default: now). */
export function nextRuns(s: Schedule, count: number, from = new Date()): Date[] {
  const task = cron().createTask(s.cron, () => undefined, taskOptions(s));
  const out: Date[] = [];
  let t = from;
  for (let i = 0; i < count; i++) {
    t = nextMatchAfter(task, t);
    out.push(t);
  }
  void task.destroy();
  return out;
}

/** The latest scheduled time in (after, now], or null when none fell in between. */
export function lastMissedRun(s: Schedule, after: Date, now: Date): Date | null {
  const task = cron().createTask(s.cron, () => undefined, taskOptions(s));
  let missed: Date | null = null;
  let t = after;
  // Bounded: a seconds-level schedule down for days would otherwise walk millions of ticks;
  // past the bound the catch-up simply ends at `now`.
  for (let i = 0; i < 100_000; i++) {
    const next = nextMatchAfter(task, t);
    if (next.getTime() > now.getTime()) break;
    missed = next;
    t = next;
    if (i === 99_999) missed = now;
  }
  void task.destroy();
  return missed;
}

function taskOptions(s: Schedule): { name: string; timezone?: string; noOverlap: boolean } {
  return s.timezone === null ? { name: s.name, noOverlap: true } : { name: s.name, timezone: s.timezone, noOverlap: true };
}

// node-cron 4 computes next matches from any date internally but exposes it only from
// "now" (getNextRuns); catch-up needs it from the last run. Its TimeMatcher is reached
// through the task, and if a future version hides it we fall back to scanning seconds
// with the public match() (slow but bounded to one day).
interface Matcher {
  getNextMatch(d: Date): Date;
}
function nextMatchAfter(task: ScheduledTask, after: Date): Date {
  const m = (task as unknown as { timeMatcher?: Matcher }).timeMatcher;
  if (m && typeof m.getNextMatch === 'function') return m.getNextMatch(after);
  const start = Math.floor(after.getTime() / 1000) * 1000 + 1000;
  for (let t = start; t < start + 86_400_000; t += 1000) if (task.match(new Date(t))) return new Date(t);
  return new Date(start + 86_400_000);
}

// ---------------------------------------------------------------------------------------

export interface ScheduledReport extends Schedule {
  periodSec: number;
}

export interface SchedulerOptions {
  /** reports/state/report-schedule.json */
  stateFile: string;
  /** Builds, writes and mails one report for the period ending at `end`. */
  run: (report: ScheduledReport, end: Date, reason: 'scheduled' | 'catch-up' | 'manual') => Promise<void>;
  log: (message: string) => void;
  /** Injected clock for tests. */
  now?: () => Date;
}

type State = Record<string, { last_run: string }>;

export function stateFilePath(reportsDir: string): string {
  return path.join(reportsDir, 'state', 'report-schedule.json');
}

export function readScheduleState(file: string): State {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as State) : {};
  } catch {
    return {};
  }
}

export class ReportScheduler {
  private readonly tasks: ScheduledTask[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly pending = new Set<string>();
  private state: State;
  private saving: Promise<void> = Promise.resolve();
  private readonly now: () => Date;
  /** Runs finished, failed, and ticks skipped because the report was still busy. */
  completed = 0;
  failed = 0;
  skipped = 0;

  constructor(
    private readonly reports: readonly ScheduledReport[],
    private readonly opts: SchedulerOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
    this.state = readScheduleState(opts.stateFile);
  }

  /** Catches up missed runs (once each), then starts the cron tasks. */
  start(): void {
    const now = this.now();
    for (const r of this.reports) {
      const last = this.state[r.name]?.last_run;
      const lastDate = last === undefined ? null : new Date(last);
      if (lastDate === null || Number.isNaN(lastDate.getTime())) {
        // First start: nothing was missed yet; remember from when we are watching.
        this.state[r.name] = { last_run: now.toISOString() };
        continue;
      }
      const missed = lastMissedRun(r, lastDate, now);
      if (missed !== null) {
        this.opts.log(`report ${r.name}: missed the run at ${missed.toISOString()}, catching up now`);
        this.enqueue(r, missed, 'catch-up');
      }
    }
    void this.saveState();
    for (const r of this.reports) {
      const task = cron().schedule(
        r.cron,
        (ctx) => {
          const end = new Date(Math.floor(ctx.date.getTime() / 1000) * 1000);
          this.enqueue(r, end, 'scheduled');
        },
        { ...taskOptions(r), unref: false },
      );
      this.tasks.push(task);
    }
  }

  /** Queues one run; skipped if the same report is already waiting or running. */
  enqueue(r: ScheduledReport, end: Date, reason: 'scheduled' | 'catch-up' | 'manual'): Promise<void> {
    if (this.pending.has(r.name)) {
      this.skipped++;
      this.opts.log(`report ${r.name}: the previous run is still going; skipping the run at ${end.toISOString()}`);
      return this.queue;
    }
    this.pending.add(r.name);
    this.queue = this.queue.then(async () => {
      try {
        await this.opts.run(r, end, reason);
        this.completed++;
      } catch (err) {
        this.failed++;
        this.opts.log(`report ${r.name} failed: ${(err as Error).message}`);
      } finally {
        this.pending.delete(r.name);
        // A failed run counts as run: it is not retried on every restart.
        this.state[r.name] = { last_run: end.toISOString() };
        await this.saveState();
      }
    });
    return this.queue;
  }

  /** Resolves when every queued run has finished. */
  async idle(): Promise<void> {
    await this.queue;
    await this.saving;
  }

  /** Stops the cron tasks and waits for the run in progress. */
  async stop(): Promise<void> {
    for (const t of this.tasks.splice(0)) await t.destroy();
    await this.idle();
  }

  // Writes one after another: two at once would share the temp file name.
  private saveState(): Promise<void> {
    this.saving = this.saving.then(async () => {
      try {
        await writeFileAtomic(this.opts.stateFile, JSON.stringify(this.state, null, 2) + '\n');
      } catch (err) {
        this.opts.log(`cannot write ${this.opts.stateFile}: ${(err as Error).message}`);
      }
    });
    return this.saving;
  }
}
