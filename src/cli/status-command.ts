// `spanwatch status`: what a running `spanwatch run -i` reports, read back from its state
// file (reports/state/status.json). Also holds that file's record, its one-line rendering
// (the same line the daemon prints to stderr every interval) and its atomic writer.

import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../report/atomic-write.js';
import { loadPlan } from './load-plan.js';
import { EXIT } from './usage-error.js';
import { processAlive } from '../baseline/store-lock.js';

/** One interval as the status line shows it. */
export interface IntervalStatus {
  /** Interval start and end, ISO 8601 UTC. */
  start: string;
  end: string;
  packets: number;
  packets_per_sec: number;
  /** Rows written, summed over the tables. */
  rows: number;
  malformed: number;
  /** Alert mails waiting in the outbox. */
  mails_queued: number;
  /** Interface counters' packets in this interval (null: unreadable). */
  kernel_packets: number | null;
  /**
   * Packets the interface counted but spanwatch never saw (kernel ring overflow, a stall):
   * kernel_packets − packets, never below 0. null with a capture filter (the kernel drops
   * what does not match, so the difference means nothing) or without counters.
   */
  unseen: number | null;
  /** The interface's rx_dropped in this interval. */
  rx_dropped: number | null;
  /** Longest event-loop delay in the interval, and its 99th percentile (ms). */
  loop_delay_max_ms: number;
  loop_delay_p99_ms: number;
}

export interface StatusRecord {
  state: 'starting' | 'running' | 'stopped';
  pid: number;
  uid: number;
  /** ISO 8601 UTC */
  started: string;
  updated: string;
  device: string;
  link_type: number;
  config: string;
  capture_filter: string | null;
  interval_sec: number;
  reloads: number;
  last_interval: IntervalStatus | null;
  totals: {
    packets: number;
    malformed: number;
    truncated: number;
    intervals: number;
    kernel_packets: number | null;
    unseen: number | null;
    rx_dropped: number | null;
  };
}

export const STATE_FILE = path.join('state', 'status.json');

export function stateFilePath(reportsDir: string): string {
  return path.join(reportsDir, STATE_FILE);
}

export async function writeStateFile(reportsDir: string, record: StatusRecord): Promise<void> {
  await writeFileAtomic(stateFilePath(reportsDir), JSON.stringify(record, null, 2) + '\n');
}

const opt = (n: number | null): string => (n === null ? 'n/a' : String(n));

/** The status line: interval end, packets, rate, rows, malformed, mails, loss, loop delay. */
export function formatStatusLine(device: string, s: IntervalStatus): string {
  return (
    `${s.end.replace(/\.\d{3}Z$/, 'Z')} ${device}: packets ${s.packets} (${s.packets_per_sec}/s) rows ${s.rows}` +
    ` malformed ${s.malformed} mails_queued ${s.mails_queued} unseen ${opt(s.unseen)} rx_dropped ${opt(s.rx_dropped)}` +
    ` loop_delay_max ${s.loop_delay_max_ms}ms`
  );
}

interface StatusOptions {
  config?: string;
  reports?: string;
  json?: boolean;
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('what a running `spanwatch run -i` reports (from reports/state/status.json)')
    .option('-c, --config <file>', 'config file, for reports_dir (default: ./spanwatch.yaml if present)')
    .option('--reports <dir>', 'reports directory, overrides reports_dir')
    .option('--json', 'print the state file as it is')
    .addHelpText('after', '\nExit status: 0 running, 1 not running or no state file.')
    .action((opts: StatusOptions) => {
      process.exitCode = statusCommand(opts);
    });
}

function statusCommand(opts: StatusOptions): number {
  const reportsDir = path.resolve(loadPlan({ config: opts.config, reports: opts.reports }).reportsDir);
  const file = stateFilePath(reportsDir);
  let rec: StatusRecord;
  try {
    rec = JSON.parse(fs.readFileSync(file, 'utf8')) as StatusRecord;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`spanwatch: no status in ${file} (${e.code === 'ENOENT' ? 'no such file: has `spanwatch run -i` run here?' : e.message})\n`);
    return EXIT.RUN_FAILED;
  }
  const running = rec.state !== 'stopped' && processAlive(rec.pid);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ ...rec, running }) + '\n');
    return running ? EXIT.OK : EXIT.RUN_FAILED;
  }
  const state = running ? `running (pid ${rec.pid})` : rec.state === 'stopped' ? 'stopped' : `not running (pid ${rec.pid} is gone)`;
  const t = rec.totals;
  const lines = [
    `${state} on ${rec.device}, since ${rec.started}, last update ${rec.updated}`,
    `config ${rec.config}, interval ${rec.interval_sec}s, reloads ${rec.reloads}${rec.capture_filter ? `, capture filter "${rec.capture_filter}"` : ''}`,
    rec.last_interval ? formatStatusLine(rec.device, rec.last_interval) : 'no interval closed yet',
    `totals: packets ${t.packets} malformed ${t.malformed} truncated ${t.truncated} intervals ${t.intervals}` +
      ` kernel_packets ${opt(t.kernel_packets)} unseen ${opt(t.unseen)} rx_dropped ${opt(t.rx_dropped)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return running ? EXIT.OK : EXIT.RUN_FAILED;
}

