// Report content that needs history: each row's rate against its own median and p95 over
// the retained days (values worked out by hand below), the per-day rollup cache, and
// retention pruning of interval CSVs, findings, summaries and rollups.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { pruneReports } from '../src/report/retention.js';
import { produceReport } from '../src/report/summary-run.js';
import { listFiles, readCSV, tempDir } from './support/cli.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const HEADER = 'client_host,server_host,proto,server_port,packets,bytes,first_seen,last_seen';

function day(reports: string, date: string, rows: [string, number][]): void {
  const f = path.join(reports, 'tables', 'conn', date, `conn-${date.replace(/-/g, '')}T120000Z.csv`);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  const t = `${date}T12:00:00.000Z`;
  fs.writeFileSync(f, [HEADER, ...rows.map(([host, bytes]) => `${host},192.0.2.1,tcp,443,1,${bytes},${t},${t}`)].join('\n') + '\n');
}

test('rows far above their own p95 are flagged; median and p95 as worked out by hand', async () => {
  const reports = path.join(dir, 'rates');
  // Row A: 100..500 bytes a day; row B: 1000 every day; row C only on the 28th.
  [100, 200, 300, 400, 500].forEach((a, i) => day(reports, `2026-11-2${4 + i}`, [['10.0.0.1', a], ['10.0.0.2', 1000], ...(i === 4 ? [['10.0.0.3', 50] as [string, number]] : [])]));
  day(reports, '2026-11-29', [['10.0.0.1', 2000], ['10.0.0.2', 1000], ['10.0.0.3', 40]]);
  const job = {
    name: 'daily',
    reportsDir: reports,
    baselinesDir: null,
    tables: ['conn'],
    fromMs: Date.parse('2026-11-29T00:00:00Z'),
    toMs: Date.parse('2026-11-30T00:00:00Z'),
    intervalSec: 60,
    only: null,
    historySec: null,
    outDir: path.join(dir, 'rates-out'),
  };
  await produceReport(job);
  const rates = readCSV(path.join(job.outDir, 'rates-conn.csv'));
  // A: samples 100,200,300,400,500 → median 300; p95 (linear, R-7) = 400 + 0.8·100 = 480;
  //    2000 > 2·480 → flagged, ratio 2000/480 = 4.17.
  // C: samples 0,0,0,0,50 → median 0, p95 = 0 + 0.8·50 = 40; 40 is not above 80.
  // B: 1000 against p95 1000 → ratio 1.
  assert.deepEqual(
    rates.map((r) => [r.client_host, r.bytes_per_day, r.history_days, r.median_per_day, r.p95_per_day, r.ratio_to_p95, r.flagged]),
    [
      ['10.0.0.1', '2000', '5', '300', '480', '4.17', 'yes'],
      ['10.0.0.2', '1000', '5', '1000', '1000', '1', 'no'],
      ['10.0.0.3', '40', '5', '0', '40', '1', 'no'],
    ],
  );
  assert.match(fs.readFileSync(path.join(job.outDir, 'totals.csv'), 'utf8'), /^conn,1,3,3,3040,0,0,1$/m);
  // The finished days are cached as rollups and give the same answer from the cache.
  assert.deepEqual(listFiles(path.join(reports, 'state', 'rollups', 'conn')), ['2026-11-24.csv', '2026-11-25.csv', '2026-11-26.csv', '2026-11-27.csv', '2026-11-28.csv']);
  fs.rmSync(path.join(reports, 'tables', 'conn', '2026-11-24'), { recursive: true });
  await produceReport({ ...job, outDir: path.join(dir, 'rates-again') });
  assert.equal(fs.readFileSync(path.join(dir, 'rates-again', 'rates-conn.csv'), 'utf8'), fs.readFileSync(path.join(job.outDir, 'rates-conn.csv'), 'utf8'));
});

test('retention removes whole days older than the limit, and nothing else', async () => {
  const reports = path.join(dir, 'retention');
  for (const d of ['2026-11-24', '2026-11-26', '2026-11-27', '2026-11-28']) {
    day(reports, d, [['10.0.0.1', 1]]);
    fs.mkdirSync(path.join(reports, 'findings'), { recursive: true });
    fs.writeFileSync(path.join(reports, 'findings', `${d}.jsonl`), '\n');
    fs.mkdirSync(path.join(reports, 'summary', 'daily', d), { recursive: true });
    fs.writeFileSync(path.join(reports, 'summary', 'daily', d, 'totals.csv'), 'x\n');
  }
  fs.mkdirSync(path.join(reports, 'state', 'rollups', 'conn'), { recursive: true });
  fs.writeFileSync(path.join(reports, 'state', 'rollups', 'conn', '2026-11-24.csv'), 'x\n');
  fs.writeFileSync(path.join(reports, 'tables', 'conn', 'latest.csv'), 'x\n');
  fs.writeFileSync(path.join(reports, 'findings', 'notes-2026-11-01.txt'), 'kept\n');
  // 3 days before 2026-11-30T12:00Z is 2026-11-27T12:00Z: the 24th and 26th ended before it.
  const r = await pruneReports(reports, 3 * 86400, Date.parse('2026-11-30T12:00:00Z'));
  assert.deepEqual(r.removed, [
    'findings/2026-11-24.jsonl',
    'findings/2026-11-26.jsonl',
    'state/rollups/conn/2026-11-24.csv',
    'summary/daily/2026-11-24',
    'summary/daily/2026-11-26',
    'tables/conn/2026-11-24',
    'tables/conn/2026-11-26',
  ]);
  assert.deepEqual(r.errors, []);
  assert.ok(fs.existsSync(path.join(reports, 'tables', 'conn', '2026-11-27')));
  assert.ok(fs.existsSync(path.join(reports, 'tables', 'conn', 'latest.csv')));
  assert.ok(fs.existsSync(path.join(reports, 'findings', 'notes-2026-11-01.txt')));
});
