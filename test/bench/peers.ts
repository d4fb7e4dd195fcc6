// The three contestants of `make bench`, each run once on a capture file and checked for
// having done real work:
//   - tcpdump -r FILE -w /dev/null: the floor, libpcap reading and writing records back out;
//   - pmacctd: the established C accounting daemon, aggregating src_host, dst_host, proto,
//     dst_port into CSV, the closest peer to one spanwatch table; its CSV's packet total is
//     checked, because with default buffers pmacctd silently drops most of a savefile;
//   - spanwatch run --read FILE --summary json with the default config, from dist/.
// Timing and RSS come from measure.ts; the table and ratios from run-bench.ts.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { haveCommand, measure, tail } from './measure.js';

export interface ToolResult {
  tool: 'tcpdump' | 'pmacctd' | 'spanwatch' | 'spanwatch-count';
  capture: string;
  status: 'ok' | 'skipped' | 'failed' | 'suspect';
  wallS: number | null;
  mpps: number | null;
  peakRssMiB: number | null;
  note: string;
  /** Tool-specific evidence: pmacctd's CSV rows and packet total, spanwatch's summary. */
  detail?: Record<string, unknown>;
}

/** Packets in the capture used to measure pmacctd's fixed start-up and shut-down cost. */
export const PMACCTD_OVERHEAD_PACKETS = 1000;

const TIMEOUT_S = 300;

function skipped(tool: ToolResult['tool'], capture: string, note: string): ToolResult {
  return { tool, capture, status: 'skipped', wallS: null, mpps: null, peakRssMiB: null, note };
}

function base(tool: ToolResult['tool'], capture: string, packets: number, m: { wallS: number; peakRssKiB: number }): ToolResult {
  return {
    tool,
    capture,
    status: 'ok',
    wallS: m.wallS,
    mpps: packets / m.wallS / 1e6,
    peakRssMiB: m.peakRssKiB / 1024,
    note: '',
  };
}

export async function runTcpdump(file: string, label: string, packets: number, logDir: string): Promise<ToolResult> {
  if (!haveCommand('tcpdump')) return skipped('tcpdump', label, 'tcpdump not installed');
  const m = await measure(`tcpdump-${label}`, 'tcpdump', ['-r', file, '-w', '/dev/null'], logDir, TIMEOUT_S);
  const r = base('tcpdump', label, packets, m);
  if (m.exitCode !== 0) return { ...r, status: 'failed', note: `exit ${m.exitCode}: ${tail(m.stderrFile, 2)}` };
  return r;
}

/**
 * pmacctd's wall time carries a fixed cost: a hard-coded 2 s sleep before it reads a
 * savefile, and about as long again starting its plugin and draining it at the end (4.4 s
 * for a 1,000-packet file here). `overheadS`, measured on such a tiny file, is reported
 * separately so its steady-state rate can be compared too.
 */
export async function runPmacctd(
  file: string,
  label: string,
  packets: number,
  logDir: string,
  overheadS: number | null,
): Promise<ToolResult> {
  if (!haveCommand('pmacctd')) return skipped('pmacctd', label, 'pmacctd not installed');
  const csv = path.join(logDir, `pmacctd-${label}.csv`);
  const conf = path.join(logDir, `pmacctd-${label}.conf`);
  fs.rmSync(csv, { force: true });
  fs.writeFileSync(
    conf,
    [
      'daemonize: false',
      `pcap_savefile: ${path.resolve(file)}`,
      'pcap_savefile_wait: false', // exit at end of file (the 1.7.7 default, stated anyway)
      'aggregate: src_host, dst_host, proto, dst_port',
      'plugins: print',
      'print_output: csv',
      `print_output_file: ${csv}`,
      'print_output_file_append: true', // every purge lands in the file, none overwrites
      'print_refresh_time: 60',
      // The default 4 MB pipe without buffering drops ~90 % of a fast savefile read
      // (measured: 0.2 M of 1.9 M packets accounted) and 10 MB still lost 5 % once;
      // 100 MB in 100 KB chunks (the 1:1000 ratio pmacct's docs suggest) loses none.
      'plugin_pipe_size: 102400000',
      'plugin_buffer_size: 102400',
      '',
    ].join('\n'),
  );
  const m = await measure(`pmacctd-${label}`, 'pmacctd', ['-f', conf], logDir, TIMEOUT_S);
  const r = base('pmacctd', label, packets, m);
  if (m.exitCode !== 0 || m.timedOut) {
    return { ...r, status: 'failed', note: `exit ${m.exitCode}${m.timedOut ? ' (timed out)' : ''}: ${tail(m.stderrFile, 2)}` };
  }
  // Verify the aggregation happened: rows written and packets accounted.
  let rows = 0;
  let accounted = 0;
  if (fs.existsSync(csv)) {
    for (const line of fs.readFileSync(csv, 'utf8').split('\n')) {
      const cols = line.split(',');
      if (cols.length < 6 || cols[0] === 'SRC_IP') continue;
      rows++;
      accounted += Number(cols[4]);
    }
  }
  const share = accounted / packets;
  r.detail = { csvRows: rows, packetsAccounted: accounted, accountedShare: share };
  // ARP and QinQ (0x88a8) frames are not accounted by pmacctd: a few % short is expected.
  r.note = `${rows} CSV rows, ${(share * 100).toFixed(1)} % of packets accounted`;
  if (overheadS !== null && m.wallS > overheadS) {
    const steady = packets / (m.wallS - overheadS) / 1e6;
    r.detail.fixedOverheadS = overheadS;
    r.detail.mppsExcludingOverhead = steady;
    r.note += `; ${steady.toFixed(3)} M/s without its ${overheadS.toFixed(1)} s fixed start/stop cost`;
  }
  // 0.95: this traffic has ~3 % ARP and QinQ, which pmacctd does not account.
  if (rows === 0 || share < 0.95) {
    r.status = 'suspect';
    r.note = `dropped packets, rate not comparable: ${r.note}`;
  }
  return r;
}

/**
 * `spanwatch`: the default config as a user runs it (tables, learning baseline, offline
 * alert outbox). `spanwatch-count`: the same tables with --no-baseline, counting only, the
 * like-for-like comparison with tcpdump and pmacctd, which diff nothing.
 */
export async function runSpanwatch(
  file: string,
  label: string,
  packets: number,
  logDir: string,
  repoRoot: string,
  tool: 'spanwatch' | 'spanwatch-count' = 'spanwatch',
): Promise<ToolResult> {
  const main = path.join(repoRoot, 'dist', 'cli', 'main.js');
  if (!fs.existsSync(main)) {
    return skipped(tool, label, `${path.relative(repoRoot, main)} not built (run make build first)`);
  }
  // A fresh working directory each run: nothing learned by one run leaks into the next.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-bench-'));
  const reports = path.join(work, 'reports');
  fs.mkdirSync(reports);
  const extra = tool === 'spanwatch-count' ? ['--no-baseline'] : ['--baselines', path.join(work, 'baselines')];
  try {
    const m = await measure(
      `${tool}-${label}`,
      process.execPath,
      [main, 'run', '--read', path.resolve(file), '--reports', reports, '--summary', 'json', ...extra],
      logDir,
      TIMEOUT_S,
      work,
    );
    const r = base(tool, label, packets, m);
    if (m.exitCode !== 0 || m.timedOut) {
      return { ...r, status: 'failed', note: `exit ${m.exitCode}${m.timedOut ? ' (timed out)' : ''}: ${tail(m.stderrFile, 3)}` };
    }
    const summary = parseSummary(fs.readFileSync(m.stdoutFile, 'utf8'));
    if (summary === undefined) {
      r.status = 'suspect';
      r.note = `no JSON summary on stdout: ${tail(m.stdoutFile, 2)}`;
    } else {
      r.detail = { summary };
    }
    return r;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The summary is the whole of stdout, or failing that its last line that parses. */
function parseSummary(text: string): Record<string, unknown> | undefined {
  const candidates = [text, ...text.trim().split('\n').reverse()];
  for (const c of candidates) {
    try {
      const v: unknown = JSON.parse(c);
      if (v !== null && typeof v === 'object') return v as Record<string, unknown>;
    } catch {
      // not JSON; try the next candidate
    }
  }
  return undefined;
}
