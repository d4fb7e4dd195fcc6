// `spanwatch run`: read a capture, count it into the configured tables, write one CSV per
// table per interval, and print what was read.

import path from 'node:path';
import type { Command } from 'commander';
import { CountingEngine } from '../count/counting-engine.js';
import { SnapshotCSVWriter } from '../report/csv-writer.js';
import { buildSummary, formatSummaryText } from '../report/run-summary.js';
import { CaptureFileSource } from '../source/capture-file.js';
import { loadPlan } from './load-plan.js';
import { ProgressBar } from './progress-bar.js';
import { EXIT, UsageError } from './usage-error.js';

interface RunOptions {
  read?: string;
  config?: string;
  interval?: string;
  reports?: string;
  summary: string;
  progress: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('count packets from a capture file (or stdin) into connectivity tables')
    .option('-r, --read <file>', 'pcap or pcapng file to read; "-" reads stdin')
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
  spanwatch run --read week1.pcap --interval 5m --summary json`,
    )
    .action(async (opts: RunOptions) => {
      process.exitCode = await runCommand(opts);
    });
}

async function runCommand(opts: RunOptions): Promise<number> {
  if (opts.read === undefined) throw new UsageError('run: give a capture to read with --read FILE (or --read - for stdin)');
  if (!['text', 'json', 'none'].includes(opts.summary)) throw new UsageError(`--summary "${opts.summary}": expected text, json or none`);
  const plan = loadPlan(opts);
  const reportsDir = path.resolve(plan.reportsDir);
  const writer = new SnapshotCSVWriter(reportsDir, (msg) => process.stderr.write(`spanwatch: ${msg}\n`));
  const engine = new CountingEngine({
    tables: plan.tables,
    intervalSec: plan.intervalSec,
    servicePorts: plan.servicePorts,
    home: plan.home,
    sensor: plan.sensor,
    captureFilter: plan.captureFilter,
    onInterval: (snapshots) => writer.enqueue(snapshots),
  });
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
  await writer.drain();
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
    process.stderr.write(`spanwatch: ${error.message} (everything before it was counted and written)\n`);
    return EXIT.RUN_FAILED;
  }
  return writer.failed > 0 ? EXIT.RUN_FAILED : EXIT.OK;
}
