// `spanwatch run`: read a capture (or capture live with -i), count it into the configured
// tables, write one CSV per table per interval, and print what was read. The live daemon
// itself lives in live-run.ts; this module builds the engine and what hangs off it for both.

import path from 'node:path';
import type { Command } from 'commander';
import type { Plan } from '../config/load-config.js';
import { CountingEngine } from '../count/counting-engine.js';
import type { TableSnapshot } from '../count/table.js';
import type { FindingSink } from '../diff/finding.js';
import { SnapshotCSVWriter } from '../report/csv-writer.js';
import { buildSummary, formatSummaryText } from '../report/run-summary.js';
import { CaptureFileSource } from '../source/capture-file.js';
import { openRunAlerts } from './alerts-command.js';
import type { AlertSink } from '../alert/alert-sink.js';
import { addBaselineRunOptions, openBaselineRun, openFindings, readBaselinesInTurns, type BaselineRunOptions, type ReadBaselines } from './baseline-run.js';
import { ActionRunner } from '../policy/exec-action.js';
import { PolicyRun } from '../policy/policy-run.js';
import type { EngineBundle } from './live-run.js';
import { loadPlan } from './load-plan.js';
import { ProgressBar } from './progress-bar.js';
import { EXIT, UsageError } from './usage-error.js';
import { log } from './log.js';

interface RunOptions extends BaselineRunOptions {
  read?: string;
  config?: string;
  interval?: string;
  reports?: string;
  summary: string;
  progress: boolean;
  /** -i NAME, or true for -i alone (capture.interface, else libpcap's default device). */
  interface?: string | true;
  stayRoot?: boolean;
  quiet?: boolean;
}

export function registerRunCommand(program: Command): void {
  addBaselineRunOptions(program.command('run'))
    .description('count packets from a capture file, stdin or a live interface into connectivity tables')
    .option('-r, --read <file>', 'pcap or pcapng file to read; "-" reads stdin')
    .option('-i, --interface [name]', 'capture live on this interface ("any": all); alone: capture.interface, else the default device')
    .option('--stay-root', 'live: keep running as root when no run_as is configured')
    .option('--quiet', 'live: no status line on stderr each interval')
    .option('-c, --config <file>', 'config file (default: ./spanwatch.yaml if present, else built-in)')
    .option('--interval <duration>', 'interval length, overrides the config (e.g. 60s, 5m)')
    .option('--reports <dir>', 'reports directory, overrides reports_dir (default: reports)')
    .option('--summary <format>', 'run summary on stdout: text, json or none', 'text')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addHelpText(
      'after',
      `
Output: reports/tables/<table>/<YYYY-MM-DD>/<table>-<YYYYMMDDTHHMMSSZ>.csv per interval
(stamp = interval start, UTC) and reports/tables/<table>/latest.csv.

Examples:
  spanwatch run --read capture.pcapng --config spanwatch.yaml
  tcpdump -i eth0 -w - | spanwatch run --read -
  spanwatch run --read week1.pcap --interval 5m --summary json
  spanwatch run -i eth0 --config /etc/spanwatch/spanwatch.yaml     # live; SIGHUP reloads, SIGTERM stops
  spanwatch run -i any                                             # all interfaces (Linux cooked capture)`,
    )
    .action(async (opts: RunOptions) => {
      process.exitCode = await runCommand(opts);
    });
}

async function runCommand(opts: RunOptions): Promise<number> {
  if (!['text', 'json', 'none'].includes(opts.summary)) throw new UsageError(`--summary "${opts.summary}": expected text, json or none`);
  if (opts.read !== undefined && opts.interface !== undefined) throw new UsageError('run: give --read FILE or -i IFACE, not both');
  const plan = loadPlan(opts);
  // Live when -i is given, or the config names an interface and no file is given.
  const device = opts.read !== undefined ? undefined : opts.interface === true ? (plan.live.interface ?? null) : (opts.interface ?? plan.live.interface ?? undefined);
  if (opts.read === undefined && device === undefined) {
    throw new UsageError('run: give a capture to read with --read FILE (or --read - for stdin), or an interface to capture on with -i IFACE');
  }
  const reportsDir = path.resolve(plan.reportsDir);
  const writer = new SnapshotCSVWriter(reportsDir, log);
  if (opts.read === undefined) return runLiveCommand(opts, plan, device ?? null, writer);
  const alerts = openRunAlerts(plan); // alert mail (issue 5): gets every finding, see alerts-command.ts
  const { engine, close } = openEngine(plan, opts, writer, false, undefined, alerts);
  const bar = new ProgressBar('reading');
  const source = new CaptureFileSource(opts.read, {
    onProgress: opts.progress ? (offset, total) => bar.update(offset, total, engine.packets) : undefined,
  });
  const started = performance.now();
  try {
    await source.open();
  } catch (err) {
    throw new UsageError(`cannot read capture: ${(err as Error).message}`);
  }
  const { stats, error } = await source.run(engine.handle);
  engine.flush();
  // The last interval's CSVs (another thread) and the baseline store's last write (this
  // one) do not depend on each other: both at once.
  await Promise.all([writer.close(), close()]);
  await alerts?.close({ deliverWithinMs: 10_000 }); // what is not delivered by then stays queued
  bar.done();
  const summary = buildSummary({
    source: source.displayName,
    config: plan.file,
    engine,
    stats,
    elapsedMs: performance.now() - started,
    filesWritten: writer.written,
    writeFailures: writer.failed,
    error: error ? { message: error.message, offset: error.offset, record: error.record } : null,
  });
  if (opts.summary === 'json') process.stdout.write(JSON.stringify(summary) + '\n');
  else if (opts.summary === 'text') process.stdout.write(formatSummaryText(summary) + '\n');
  if (error) {
    log(`${error.message} (everything before it was counted and written)`);
    return EXIT.RUN_FAILED;
  }
  return writer.failed > 0 ? EXIT.RUN_FAILED : EXIT.OK;
}

/**
 * The engine and what hangs off it (CSV writer, differ): once for a file, once per config
 * load for a live run (SIGHUP builds another). Live, libpcap already ran capture.filter in
 * the kernel; files filter here.
 */
function openEngine(
  plan: Plan,
  opts: RunOptions,
  writer: SnapshotCSVWriter,
  live: boolean,
  onInterval?: (snapshots: readonly TableSnapshot[]) => void,
  alerts: FindingSink | null = null,
  baselines: ReadBaselines | null = null,
): EngineBundle {
  // Policy (issue 8, src/policy/): decides rows before the differ; kind actions see every finding.
  const actions = plan.policy ? new ActionRunner(log) : null;
  const sinks = [...(alerts ? [alerts] : []), ...(actions && plan.policy ? [actions.kindSink(plan.policy.kindActions)] : [])];
  const baseline = openBaselineRun(plan, opts, sinks, baselines);
  // With --no-baseline the policy still decides rows; its findings need a sink of their own.
  const ownFindings = baseline === null && plan.policy ? openFindings(plan, sinks) : null;
  const findings = baseline?.sink ?? ownFindings?.sink;
  const policy =
    actions && plan.policy && findings
      ? new PolicyRun({ policy: plan.policy, onGrey: baseline?.onFirstSight ?? (() => undefined), sink: findings, actions })
      : null;
  const engine = new CountingEngine({
    tables: plan.tables,
    intervalSec: plan.intervalSec,
    servicePorts: plan.servicePorts,
    home: plan.home,
    sensor: plan.sensor,
    captureFilter: live ? null : plan.captureFilter,
    onInterval: (snapshots) => {
      writer.enqueue(snapshots);
      baseline?.onInterval(snapshots);
      if (snapshots[0]) policy?.onInterval(snapshots[0].end);
      onInterval?.(snapshots);
    },
    onFirstSight: policy?.gate.onFirstSight ?? baseline?.onFirstSight,
    onPacket: policy?.gate.onPacket,
    onRow: policy?.gate.onRow,
  });
  return {
    engine,
    close: async () => {
      await baseline?.close();
      await ownFindings?.close();
      if (policy) policy.logSummary(log);
      await actions?.drain();
    },
  };
}

/** `run -i`: the daemon (live-run.ts) with this run's engine factory and shutdown steps. */
async function runLiveCommand(opts: RunOptions, plan: Plan, device: string | null, writer: SnapshotCSVWriter): Promise<number> {
  // Loaded here, not at the top: a file replay needs neither the capture addon nor cron.
  const { runLive } = await import('./live-run.js');
  const { CloseOrder, Lifecycle } = await import('./lifecycle.js');
  const { startReportScheduler } = await import('../report/summary-jobs.js');
  const lifecycle = new Lifecycle(log);
  lifecycle.onClose(CloseOrder.REPORTS, 'interval CSVs', () => writer.close());
  // Alert mail (issue 5) and scheduled summary reports (issue 7) create files, so they start
  // after the privilege drop. One alert sink for the whole run, kept across reloads, also
  // mails the reports; reports are built in a worker thread, never on the packet loop, and a
  // reload keeps the first schedule. The outbox gets 2 s to deliver within the 4.5 s shutdown.
  let alerts: AlertSink | null = null;
  const start = (): void => {
    alerts = openRunAlerts(plan);
    const sink = alerts;
    if (sink) lifecycle.onClose(CloseOrder.OUTBOX, 'alert outbox', () => sink.close({ deliverWithinMs: 2_000 }));
    const reports = startReportScheduler(plan, { mailer: alerts, log });
    if (reports) lifecycle.onClose(CloseOrder.REPORTS, 'scheduled reports', () => reports.stop());
  };
  const mailsQueued = (): number => alerts?.outbox.queued ?? 0;
  return runLive({
    device,
    plan,
    reloadPlan: () => loadPlan(opts),
    openEngine: (p, onInterval) => openEngine(p, opts, writer, true, onInterval, alerts),
    prepareEngine: async (p) => {
      const baselines = await readBaselinesInTurns(p, opts);
      return (q, onInterval) => openEngine(q, opts, writer, true, onInterval, alerts, baselines);
    },
    afterDrop: start,
    lifecycle,
    stayRoot: opts.stayRoot === true,
    quiet: opts.quiet === true,
    mailsQueued,
    log,
  });
}
