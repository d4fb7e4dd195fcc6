// `make bench`: how fast spanwatch counts a capture compared with the floor (tcpdump just
// reading it) and with the established C peer (pmacctd aggregating the same key), on the
// same generated enterprise-like traffic, full-size and cut to a 96-byte snap length
// (what a SPAN sensor capturing headers only sees). tcpdump and spanwatch run `--repeat`
// times per file (3), taking turns, and each keeps its fastest run; pmacctd runs once. Wall
// time from process start to exit, packets per second and peak RSS are printed as a table
// with spanwatch's throughput ratios, and written to test/bench/data/results.json.
//
//   node --import tsx test/bench/run-bench.ts [--packets N] [--repeat N] [--regen]
//
// Assumes `make build` ran (spanwatch is run from dist/); skips it with a note otherwise.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PACKETS, FULL_SNAPLEN, generateCapture } from './gen-capture.js';
import { PMACCTD_OVERHEAD_PACKETS, ToolResult, runPmacctd, runSpanwatch, runTcpdump } from './peers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const DATA = path.join(HERE, 'data');

interface Capture {
  label: 'full' | 'snap96';
  file: string;
  snaplen: number;
}

function parseArgs(argv: string[]): { packets: number; regen: boolean; repeat: number } {
  let packets = DEFAULT_PACKETS;
  let regen = false;
  let repeat = 3;
  const count = (v: string | undefined): boolean => Number.isInteger(Number(v)) && Number(v) > 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--regen') regen = true;
    else if (a === '--packets' && count(argv[i + 1])) packets = Number(argv[++i]);
    else if (a === '--repeat' && count(argv[i + 1])) repeat = Number(argv[++i]);
    else throw new Error(`usage: run-bench.ts [--packets N] [--repeat N] [--regen] (bad argument: ${a})`);
  }
  return { packets, regen, repeat };
}

/**
 * The fastest of a tool's runs, noting the others. This shared machine's speed drifts
 * within minutes, so tcpdump and spanwatch run `repeat` times, taking turns, and each keeps
 * its best: the ratios compare the tools, not two moments of the machine.
 */
function fastest(runs: ToolResult[]): ToolResult {
  const ok = runs.filter((r) => r.status === 'ok' && r.wallS !== null);
  if (ok.length === 0 || runs.length === 1) return runs[0]!;
  const best = ok.reduce((a, b) => (b.wallS! < a.wallS! ? b : a));
  const walls = runs.map((r) => fmt(r.wallS, 2)).join(', ');
  return { ...best, note: [best.note, `best of ${runs.length}: ${walls} s`].filter((n) => n !== '').join('; ') };
}

/**
 * Flush the file to disk (a freshly generated capture would otherwise still be written
 * back while the tools run) and read it once, so every tool starts from the page cache.
 */
function warm(file: string): void {
  const fd = fs.openSync(file, 'r');
  fs.fsyncSync(fd);
  const buf = Buffer.allocUnsafe(8 << 20);
  while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  fs.closeSync(fd);
}

function firstLine(cmd: string, args: string[]): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown';
  }
}

function fmt(v: number | null, digits: number): string {
  return v === null || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

function ratio(a: ToolResult | undefined, b: ToolResult | undefined): number | null {
  if (a?.mpps == null || b?.mpps == null || a.status !== 'ok' || b.status === 'skipped' || b.status === 'failed') return null;
  return a.mpps / b.mpps;
}

async function main(): Promise<void> {
  const { packets, regen, repeat } = parseArgs(process.argv.slice(2));
  fs.mkdirSync(DATA, { recursive: true });
  const captures: Capture[] = [
    { label: 'full', file: path.join(DATA, `capture-${packets}-full.pcap`), snaplen: FULL_SNAPLEN },
    { label: 'snap96', file: path.join(DATA, `capture-${packets}-snap96.pcap`), snaplen: 96 },
  ];
  let generator: Record<string, number> | null = null;
  if (regen || captures.some((c) => !fs.existsSync(c.file))) {
    console.log(`generating ${packets} packets into ${path.relative(REPO, DATA)}/ (full-size and 96-byte snaplen, one pass)...`);
    const g = generateCapture({ packets, outputs: captures.map((c) => ({ file: c.file, snaplen: c.snaplen })) });
    generator = { seconds: g.seconds, averageWireLen: g.averageWireLen, mpps: packets / g.seconds / 1e6 };
    console.log(`  ${g.seconds.toFixed(1)} s, average ${g.averageWireLen.toFixed(1)} bytes on the wire`);
  } else {
    console.log(`reusing ${captures.map((c) => path.relative(REPO, c.file)).join(', ')} (--regen to rebuild)`);
  }

  // pmacctd's fixed start/stop cost, from a run on a tiny capture of the same traffic.
  const tiny = path.join(DATA, `capture-${PMACCTD_OVERHEAD_PACKETS}-full.pcap`);
  if (!fs.existsSync(tiny)) generateCapture({ packets: PMACCTD_OVERHEAD_PACKETS, outputs: [{ file: tiny, snaplen: FULL_SNAPLEN }] });
  const overheadRun = await runPmacctd(tiny, 'overhead', PMACCTD_OVERHEAD_PACKETS, DATA, null);
  // Its share of accounted packets is irrelevant here (ARP and QinQ weigh more in 1,000).
  const overheadS = overheadRun.status === 'ok' || overheadRun.status === 'suspect' ? overheadRun.wallS : null;
  console.log(`  pmacctd fixed start/stop cost (${PMACCTD_OVERHEAD_PACKETS} packets): ${fmt(overheadS, 2)} s`);

  const results: ToolResult[] = [];
  for (const c of captures) {
    warm(c.file);
    const rounds: Record<'tcpdump' | 'spanwatch-count' | 'spanwatch', ToolResult[]> = { tcpdump: [], 'spanwatch-count': [], spanwatch: [] };
    for (let i = 0; i < repeat; i++) {
      const t = await runTcpdump(c.file, c.label, packets, DATA);
      rounds.tcpdump.push(t);
      console.log(`  ${c.label} tcpdump: ${t.status} ${fmt(t.wallS, 2)} s`);
      for (const tool of ['spanwatch-count', 'spanwatch'] as const) {
        const s = await runSpanwatch(c.file, c.label, packets, DATA, REPO, tool);
        rounds[tool].push(s);
        console.log(s.status === 'skipped' ? `  ${c.label} ${tool}: SKIPPED, ${s.note}` : `  ${c.label} ${tool}: ${s.status} ${fmt(s.wallS, 2)} s`);
      }
    }
    let p = await runPmacctd(c.file, c.label, packets, DATA, overheadS);
    if (p.status === 'suspect') {
      // pmacctd drops rather than waits when its plugin falls behind (a busy machine): one
      // retry, so a single bad run does not leave the table without a comparable figure.
      console.log(`  ${c.label} pmacctd: ${p.note}; retrying once`);
      p = await runPmacctd(c.file, c.label, packets, DATA, overheadS);
      p.note = `retried: ${p.note}`;
    }
    console.log(`  ${c.label} pmacctd: ${p.status} ${fmt(p.wallS, 2)} s`);
    // pmacctd runs once: it takes some 18 s, and its ratio is tenfold, far beyond the drift.
    results.push(fastest(rounds.tcpdump), p, fastest(rounds['spanwatch-count']), fastest(rounds.spanwatch));
  }

  const ratios = captures.flatMap((c) => (['spanwatch-count', 'spanwatch'] as const).map((tool) => {
    const get = (t: ToolResult['tool']): ToolResult | undefined => results.find((r) => r.capture === c.label && r.tool === t);
    const sw = get(tool);
    const pm = get('pmacctd');
    const pmEx = pm?.detail?.mppsExcludingOverhead;
    return {
      capture: c.label,
      spanwatch: tool,
      spanwatchVsTcpdump: ratio(sw, get('tcpdump')),
      spanwatchVsPmacctd: ratio(sw, pm),
      spanwatchVsPmacctdExcludingOverhead:
        sw?.status === 'ok' && sw.mpps !== null && typeof pmEx === 'number' ? sw.mpps / pmEx : null,
    };
  }));

  console.log(`\n${packets} packets per file; wall time from process start to exit, peak RSS from GNU time\n`);
  const header = ['capture', 'tool', 'status', 'wall s', 'M pkt/s', 'peak RSS MiB', 'note'];
  const rows = results.map((r) => [r.capture, r.tool, r.status, fmt(r.wallS, 2), fmt(r.mpps, 3), fmt(r.peakRssMiB, 1), r.note]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.slice().map((row) => (i < 6 ? (row[i] ?? '').length : 0))));
  const line = (cells: string[]): string => cells.map((cell, i) => (i < 6 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log('');
  for (const r of ratios) {
    console.log(
      `${r.capture}: ${r.spanwatch}/tcpdump ${fmt(r.spanwatchVsTcpdump, 2)}x, ${r.spanwatch}/pmacctd ${fmt(r.spanwatchVsPmacctd, 2)}x ` +
        `(${fmt(r.spanwatchVsPmacctdExcludingOverhead, 2)}x against pmacctd without its fixed start/stop cost)`,
    );
  }

  const cpus = os.cpus();
  const out = {
    packets,
    captures: captures.map((c) => ({ label: c.label, file: path.relative(REPO, c.file), snaplen: c.snaplen, bytes: fs.statSync(c.file).size })),
    generator,
    pmacctdFixedOverheadS: overheadS,
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cpus: cpus.length,
      memoryGiB: os.totalmem() / 2 ** 30,
      node: process.version,
      tcpdump: firstLine('tcpdump', ['--version']),
      pmacctd: firstLine('pmacctd', ['-V']),
    },
    results,
    ratios,
  };
  const jsonFile = path.join(DATA, 'results.json');
  fs.writeFileSync(jsonFile, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwritten ${path.relative(REPO, jsonFile)}`);
  if (results.some((r) => r.status === 'failed')) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`run-bench: ${(err as Error).message}`);
  process.exit(2);
});
