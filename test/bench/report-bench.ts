// Report benchmark (a script, not a test): time and memory to build a 24 h summary report
// from 1,440 one-minute interval CSVs of 10,000 rows each, generated into a temp dir
// (about 1.1 GB, removed afterwards). Rows come from a pool of 20,000 keys, so the period
// has a realistic, bounded number of distinct rows. Prints one JSON object.
//
//   node --expose-gc --import tsx test/bench/report-bench.ts [--intervals 1440] [--rows 10000]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { produceReport } from '../../src/report/summary-run.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const intervals = arg('intervals', 1440);
const rowsPer = arg('rows', 10_000);
const POOL = 2 * rowsPer;
const start = Date.parse('2026-11-28T00:00:00Z');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-report-bench-'));
const reports = path.join(dir, 'reports');

try {
  const genStart = performance.now();
  const keys = Array.from({ length: POOL }, (_, k) => `10.${(k >> 8) & 255}.${k & 255}.${(k * 7) % 250},192.0.2.${k % 200},${k % 3 === 0 ? 'udp' : 'tcp'},${[443, 80, 53, 25, 22][k % 5]}`);
  let bytesOnDisk = 0;
  for (let i = 0; i < intervals; i++) {
    const t = start + i * 60_000;
    const iso = new Date(t).toISOString();
    const stamp = iso.replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
    const f = path.join(reports, 'tables', 'conn', iso.slice(0, 10), `conn-${stamp}.csv`);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    const lines = ['client_host,server_host,proto,server_port,packets,bytes,first_seen,last_seen'];
    const offset = (i * 137) % POOL;
    for (let r = 0; r < rowsPer; r++) lines.push(`${keys[(offset + r) % POOL]},${1 + ((r + i) % 50)},${64 * (1 + ((r * 31 + i) % 400))},${iso},${iso}`);
    const text = lines.join('\n') + '\n';
    bytesOnDisk += text.length;
    fs.writeFileSync(f, text);
  }
  const genMs = performance.now() - genStart;
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  const t0 = performance.now();
  const result = await produceReport({
    name: 'bench',
    reportsDir: reports,
    baselinesDir: null,
    tables: ['conn'],
    fromMs: start,
    toMs: start + intervals * 60_000,
    intervalSec: 60,
    only: null,
    historySec: null,
    outDir: path.join(dir, 'out'),
  });
  const buildMs = performance.now() - t0;
  clearInterval(sampler);
  const t = result.summary.tables[0]!;
  process.stdout.write(
    JSON.stringify({
      intervals,
      rows_per_interval: rowsPer,
      input_rows: intervals * rowsPer,
      input_mb: +(bytesOnDisk / 1e6).toFixed(1),
      distinct_rows: t.rows,
      generate_s: +(genMs / 1000).toFixed(2),
      build_s: +(buildMs / 1000).toFixed(2),
      rows_per_s: Math.round((intervals * rowsPer) / (buildMs / 1000)),
      peak_rss_mb: +(peakRss / 1e6).toFixed(1),
      rss_before_mb: +(rssBefore / 1e6).toFixed(1),
      peak_heap_mb: +(peakHeap / 1e6).toFixed(1),
      packets: t.packets,
      html_kb: +(result.html.length / 1e3).toFixed(1),
    }) + '\n',
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
