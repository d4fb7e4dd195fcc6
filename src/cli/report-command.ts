// `spanwatch report`: summary reports on demand — a configured report now (for system
// crontab users too), any period of any tables into any folder, and the list of schedules
// with their next run times. The same code builds the reports the scheduler runs inside
// `spanwatch run`.

import path from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../config/duration.js';
import type { Plan } from '../config/load-config.js';
import { pruneReports } from '../report/retention.js';
import { nextRuns, readScheduleState, stateFilePath } from '../report/schedule.js';
import { jobForSpec } from '../report/summary-jobs.js';
import { mailReport, reportText } from '../report/summary-mail.js';
import { produceReport, summaryDir, type ReportJob } from '../report/summary-run.js';
import { tablesOnDisk } from '../report/summary-input.js';
import { loadPlan } from './load-plan.js';
import { openRunAlerts } from './alerts-command.js';
import { UsageError } from './usage-error.js';
import { log } from './log.js';

interface ReportOptions {
  config?: string;
  reports?: string;
  out?: string;
  table: string[];
  since?: string;
  from?: string;
  to?: string;
  only?: string;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .argument('[name]', 'a report from the config\'s "reports:" list, or "list"')
    .description('build a summary report (CSV sections + HTML page) now, or list the scheduled ones')
    .option('-c, --config <file>', 'config file (default: ./spanwatch.yaml if present, else built-in)')
    .option('--reports <dir>', 'reports directory, overrides reports_dir (default: reports)')
    .option('--out <dir>', 'write the report here (default: reports/summary/<name>/<YYYY-MM-DD>/)')
    .option('--table <name>', 'a table to cover (repeat for more; default: every table)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--since <duration>', 'the period ending now, e.g. 24h, 7d')
    .option('--from <time>', 'period start, ISO 8601 (e.g. 2026-11-01T00:00Z)')
    .option('--to <time>', 'period end, ISO 8601 (default: now)')
    .option('--only <what>', '"findings": only the new/gone rows sections')
    .addHelpText(
      'after',
      `
Examples:
  spanwatch report daily                        # the configured report "daily", period ending now
  spanwatch report --since 24h --table conn --out /tmp/r
  spanwatch report --from 2026-11-01T00:00Z --to 2026-11-02T00:00Z --out /tmp/r
  spanwatch report list                         # schedules and their next run times`,
    )
    .action(async (name: string | undefined, opts: ReportOptions) => {
      const plan = loadPlan(opts);
      if (name === 'list') process.stdout.write(listReports(plan));
      else await runReport(plan, name, opts);
    });
}

function listReports(plan: Plan): string {
  if (plan.reports.length === 0) return `${plan.file}: no reports configured\n`;
  const state = readScheduleState(stateFilePath(path.resolve(plan.reportsDir)));
  const lines: string[] = [];
  for (const r of plan.reports) {
    const tz = r.timezone ?? 'local time';
    lines.push(`${r.name}: cron "${r.cron}" (${tz}), period ${r.periodSec}s, tables ${r.tables?.join(', ') ?? 'all'}${r.only ? `, only ${r.only}` : ''}${r.email ? ', mailed' : ''}`);
    lines.push(`  last run: ${state[r.name]?.last_run ?? 'never'}`);
    lines.push(`  next runs: ${nextRuns(r, 3).map((d) => d.toISOString()).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

function parseTime(text: string, flag: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} "${text}": expected an ISO 8601 time such as 2026-11-01T00:00Z`);
  return ms;
}

async function runReport(plan: Plan, name: string | undefined, opts: ReportOptions): Promise<void> {
  const now = Date.now();
  let job: ReportJob;
  if (name !== undefined) {
    const spec = plan.reports.find((r) => r.name === name);
    if (!spec) {
      const known = plan.reports.map((r) => r.name).join(', ') || 'none configured';
      throw new UsageError(`report "${name}" is not in ${plan.file} (reports: ${known})`);
    }
    if (opts.since !== undefined || opts.from !== undefined) throw new UsageError('a named report has its own period; drop --since/--from');
    const end = opts.to !== undefined ? parseTime(opts.to, '--to') : Math.floor(now / 1000) * 1000;
    job = jobForSpec(plan, spec, end, opts.out);
    if (opts.table.length > 0) job.tables = opts.table;
  } else {
    const toMs = opts.to !== undefined ? parseTime(opts.to, '--to') : Math.floor(now / 1000) * 1000;
    let fromMs: number;
    if (opts.since !== undefined) {
      if (opts.from !== undefined) throw new UsageError('give --since or --from, not both');
      const sec = parseDuration(opts.since);
      if (sec === null || sec <= 0) throw new UsageError(`--since "${opts.since}": expected a duration such as 24h or 7d`);
      fromMs = toMs - sec * 1000;
    } else if (opts.from !== undefined) fromMs = parseTime(opts.from, '--from');
    else throw new UsageError('report: name a configured report, or give a period with --since DURATION or --from TIME');
    if (fromMs >= toMs) throw new UsageError('the period is empty: --from must be before --to');
    if (opts.only !== undefined && opts.only !== 'findings') throw new UsageError(`--only "${opts.only}": the one choice is "findings"`);
    const reportsDir = path.resolve(plan.reportsDir);
    const configured = plan.tables.map((t) => t.name);
    const tables = opts.table.length > 0 ? opts.table : configured.length > 0 ? configured : tablesOnDisk(reportsDir);
    job = {
      name: 'adhoc',
      reportsDir,
      baselinesDir: path.resolve(plan.baselinesDir),
      tables,
      fromMs,
      toMs,
      intervalSec: plan.intervalSec,
      only: opts.only === 'findings' ? 'findings' : null,
      historySec: plan.retentionSec,
      outDir: opts.out !== undefined ? path.resolve(opts.out) : summaryDir(reportsDir, 'adhoc', fromMs, toMs),
    };
  }
  const result = await produceReport(job);
  process.stdout.write(reportText(result));
  process.stdout.write(`files: ${result.files.join(', ')}\n`);
  const spec = plan.reports.find((r) => r.name === name);
  if (spec?.email) {
    const alerts = openRunAlerts(plan);
    if (alerts === null) process.stdout.write('not mailed: the config has no alerts: block (recipients, SMTP)\n');
    else {
      await mailReport(alerts, plan.sensor, result);
      await alerts.close({ deliverWithinMs: 10_000 }); // undelivered mail stays queued in the outbox
      process.stdout.write(`mailed: queued in ${alerts.outbox.dir}\n`);
    }
  }
  if (plan.retentionSec !== null) {
    const pruned = await pruneReports(job.reportsDir, plan.retentionSec, now);
    if (pruned.removed.length > 0) process.stdout.write(`retention: removed ${pruned.removed.length} expired day folder(s)/file(s)\n`);
    for (const e of pruned.errors) log(e);
  }
}
