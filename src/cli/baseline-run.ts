// The baseline side of `spanwatch run`: its options (--baselines, --learn, --no-baseline),
// and the differ with its findings sink, ready to hang on the engine's two hooks. Kept
// here so run-command.ts only calls it.

import path from 'node:path';
import type { Command } from 'commander';
import { BaselineStore } from '../baseline/baseline-store.js';
import type { TableBaseline } from '../baseline/table-baseline.js';
import { StoreError } from '../baseline/store-error.js';
import type { Plan } from '../config/load-config.js';
import { parseDuration } from '../config/duration.js';
import type { Table, TableSnapshot } from '../count/table.js';
import { Differ } from '../diff/differ.js';
import { FanOutSink } from '../diff/fan-out-sink.js';
import type { FindingSink } from '../diff/finding.js';
import { FindingsLog } from '../report/findings-log.js';
import { UsageError } from './usage-error.js';
import { log } from './log.js';

export interface BaselineRunOptions {
  baselines?: string;
  learn?: string;
  /** false with --no-baseline */
  baseline?: boolean;
}

export function addBaselineRunOptions(cmd: Command): Command {
  return cmd
    .option('--baselines <dir>', 'baseline store, overrides baselines_dir (default: baselines)')
    .option('--learn <duration>', 'learn for this long from the first packet (e.g. 7d, 3m): rows seen join the baseline silently')
    .option('--no-baseline', 'count only: no comparison with the baseline (a configured policy still applies)');
}

export interface BaselineRun {
  onFirstSight: (table: Table, row: number) => void;
  onInterval: (snapshots: readonly TableSnapshot[]) => void;
  /** Where findings go (findings log and the extra sinks): the policy emits its denied rows here too. */
  sink: FindingSink;
  /** Writes what is left, flushes the findings; returns the number of findings. */
  close: () => Promise<number>;
}

/** The run's store: --baselines, else the config's baselines_dir. */
function storeOf(plan: Plan, opts: BaselineRunOptions): BaselineStore {
  return new BaselineStore(opts.baselines ?? plan.baselinesDir);
}

/** A run's baseline store with its tables already read. */
export interface ReadBaselines {
  store: BaselineStore;
  tables: Map<string, TableBaseline>;
}

/**
 * Reads the baselines of the plan's tables in turns of the event loop, for a differ to be
 * built later (a SIGHUP reload: the engine running meanwhile goes on counting). Null with
 * --no-baseline. Rejects with the store's error for a bad file.
 */
export async function readBaselinesInTurns(plan: Plan, opts: BaselineRunOptions): Promise<ReadBaselines | null> {
  if (opts.baseline === false) return null;
  const store = storeOf(plan, opts);
  const tables = new Map<string, TableBaseline>();
  for (const t of plan.tables) tables.set(t.name, await store.loadInTurns(t.name, t.parts.map((p) => p.name)));
  return { store, tables };
}

/**
 * The differ for a run, or null with --no-baseline. `extraSinks` also receive every finding.
 * `read`: the baselines as readBaselinesInTurns read them; else they are read here.
 */
export function openBaselineRun(plan: Plan, opts: BaselineRunOptions, extraSinks: readonly FindingSink[] = [], read: ReadBaselines | null = null): BaselineRun | null {
  if (opts.baseline === false) return null;
  let forceLearnMs: number | null = null;
  if (opts.learn !== undefined) {
    const sec = parseDuration(opts.learn);
    if (sec === null || sec <= 0) throw new UsageError(`--learn "${opts.learn}": expected a duration such as 3m, 12h or 7d`);
    forceLearnMs = sec * 1000;
  }
  const { sink, close } = openFindings(plan, extraSinks);
  let differ: Differ;
  try {
    differ = new Differ({
      store: read?.store ?? storeOf(plan, opts),
      baselines: read?.tables,
      tables: plan.tables.map((t) => ({ name: t.name, keyColumns: t.parts.map((p) => p.name) })),
      sink,
      learnForMs: plan.learnForSec * 1000,
      forceLearnMs,
      goneAfterMs: plan.goneAfterSec === null ? null : plan.goneAfterSec * 1000,
      reportsDir: path.resolve(plan.reportsDir),
      log,
    });
  } catch (err) {
    if (err instanceof StoreError) throw new UsageError(err.message);
    throw err;
  }
  return {
    onFirstSight: differ.onFirstSight,
    onInterval: (s) => differ.onInterval(s),
    sink,
    close: async () => {
      await differ.close();
      return close();
    },
  };
}

/**
 * Where a run's findings go: the findings log (stderr and reports/findings/), and
 * `extraSinks` (alert mail, policy kind actions). `close` flushes, returns how many.
 */
export function openFindings(plan: Plan, extraSinks: readonly FindingSink[] = []): { sink: FindingSink; close: () => Promise<number> } {
  const findings = new FindingsLog(path.resolve(plan.reportsDir));
  const sink = extraSinks.length === 0 ? findings : new FanOutSink([findings, ...extraSinks]);
  return {
    sink,
    close: async () => {
      await sink.flush();
      return findings.emitted;
    },
  };
}
