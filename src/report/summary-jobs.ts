// From the config to report runs: a configured report (ReportSpec) and the end of its
// period become a ReportJob; startReportScheduler wires the scheduler (schedule.ts), the
// worker thread (summary-runner.ts), mail (summary-mail.ts) and retention (retention.ts)
// together for `spanwatch run`. `spanwatch report` uses jobForSpec and runs jobs itself.

import path from 'node:path';
import type { Plan } from '../config/load-config.js';
import type { ReportSpec } from '../config/reports-config.js';
import { pruneReports } from './retention.js';
import { ReportScheduler, stateFilePath } from './schedule.js';
import { mailReport, type ReportMailer } from './summary-mail.js';
import { SummaryRunner } from './summary-runner.js';
import { summaryDir, type ReportJob, type ReportResult } from './summary-run.js';

export function jobForSpec(plan: Plan, spec: ReportSpec, endMs: number, outDir?: string): ReportJob {
  const reportsDir = path.resolve(plan.reportsDir);
  const fromMs = endMs - spec.periodSec * 1000;
  return {
    name: spec.name,
    reportsDir,
    baselinesDir: path.resolve(plan.baselinesDir),
    tables: spec.tables !== null ? [...spec.tables] : plan.tables.map((t) => t.name),
    fromMs,
    toMs: endMs,
    intervalSec: plan.intervalSec,
    only: spec.only,
    historySec: plan.retentionSec,
    outDir: outDir ?? summaryDir(reportsDir, spec.name, fromMs, endMs),
  };
}

export interface SchedulerHandle {
  scheduler: ReportScheduler;
  /** Stops the schedules, waits for a report in progress, stops the worker thread. */
  stop(): Promise<void>;
}

export interface SchedulerDeps {
  /** The alert outbox's report mail seam; null: reports with `email: true` are not mailed (logged). */
  mailer: ReportMailer | null;
  log: (message: string) => void;
  /** Called after each report is written (and mailed); for tests and the run summary. */
  onReport?: (r: ReportResult) => void;
}

/** Starts the configured report schedules; null when the config has none. */
export function startReportScheduler(plan: Plan, deps: SchedulerDeps): SchedulerHandle | null {
  if (plan.reports.length === 0) return null;
  const runner = new SummaryRunner();
  const specs = new Map(plan.reports.map((r) => [r.name, r]));
  const reportsDir = path.resolve(plan.reportsDir);
  const scheduler = new ReportScheduler(plan.reports, {
    stateFile: stateFilePath(reportsDir),
    log: deps.log,
    run: async (r, end) => {
      const spec = specs.get(r.name)!;
      const result = await runner.run(jobForSpec(plan, spec, end.getTime()));
      if (spec.email) {
        if (deps.mailer) await mailReport(deps.mailer, plan.sensor, result);
        else deps.log(`report ${spec.name}: written to ${result.outDir}; not mailed (no mail outbox in this run)`);
      }
      if (plan.retentionSec !== null) {
        const pruned = await pruneReports(reportsDir, plan.retentionSec, end.getTime());
        for (const e of pruned.errors) deps.log(e);
      }
      deps.onReport?.(result);
    },
  });
  scheduler.start();
  return {
    scheduler,
    async stop() {
      await scheduler.stop();
      await runner.close();
    },
  };
}
