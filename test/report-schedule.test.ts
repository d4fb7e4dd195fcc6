// Report schedules: a real node-cron schedule with a seconds field fires inside ~2 s, and the
// run writes the report files and queues a mail (HTML + CSV attachments); a missed run is
// caught up exactly once at start from the state file; runs of a report never overlap.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { compileConfig } from '../src/config/load-config.js';
import { ReportScheduler, lastMissedRun, nextRuns, readScheduleState, stateFilePath } from '../src/report/schedule.js';
import type { ReportAttachment, ReportMailer } from '../src/report/summary-mail.js';
import { startReportScheduler } from '../src/report/summary-jobs.js';
import type { ReportResult } from '../src/report/summary-run.js';
import { tempDir } from './support/cli.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeInterval(reports: string, startMs: number, rows: string[]): void {
  const stamp = new Date(startMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  const f = path.join(reports, 'tables', 'conn', new Date(startMs).toISOString().slice(0, 10), `conn-${stamp}.csv`);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, ['client_host,server_host,proto,server_port,packets,bytes,first_seen,last_seen', ...rows].join('\n') + '\n');
}

test('a seconds-level schedule fires (within 5 s; every second), writes the report and queues the mail', async () => {
  const reports = path.join(dir, 'live');
  // Traffic in the last minute, so the report has something to show.
  const now = Date.now();
  const t = new Date(now - 30_000).toISOString();
  writeInterval(reports, Math.floor((now - 30_000) / 60_000) * 60_000, [`10.0.0.1,10.0.0.2,tcp,443,7,700,${t},${t}`]);
  const plan = compileConfig(
    'test.yaml',
    `reports_dir: ${reports}
baselines_dir: ${path.join(dir, 'no-baselines')}
tables:
  - name: conn
    key: [client_host, server_host, proto, server_port]
reports:
  - name: every-second
    cron: "* * * * * *"
    period: 5m
    email: true
`,
  );
  const mails: { subject: string; text: string; html: string; attachments: ReportAttachment[] }[] = [];
  const mailer: ReportMailer = {
    queue: async (subject, text, html, attachments) => void mails.push({ subject, text, html, attachments }),
  };
  let first: ReportResult | null = null;
  const fired = new Promise<void>((resolve) => {
    const handle = startReportScheduler(plan, {
      mailer,
      log: () => undefined,
      onReport: (r) => {
        first ??= r;
        resolve();
      },
    });
    assert.ok(handle);
    handles.push(handle);
  });
  const started = Date.now();
  await Promise.race([fired, new Promise((_, reject) => setTimeout(() => reject(new Error('no report within 5 s')), 5000))]);
  await handles.pop()!.stop();
  assert.ok(Date.now() - started < 5000);
  const r = first as ReportResult | null;
  assert.ok(r);
  assert.ok(fs.existsSync(path.join(r.outDir, 'report.html')));
  assert.match(fs.readFileSync(path.join(r.outDir, 'totals.csv'), 'utf8'), /^conn,1,1,7,700,0,0,0$/m);
  assert.ok(r.outDir.startsWith(path.join(reports, 'summary', 'every-second')));
  assert.ok(mails.length >= 1);
  assert.match(mails[0]!.subject, /report every-second/);
  assert.match(mails[0]!.html, /<svg class="chart"/);
  assert.ok(mails[0]!.attachments.some((a) => a.filename === 'totals.csv' && a.content.includes('conn,1,1,7,700')));
  assert.ok(readScheduleState(stateFilePath(reports))['every-second']?.last_run);
});
const handles: { stop(): Promise<void> }[] = [];

test('a run missed while down is caught up once, for the latest missed time', async () => {
  const stateFile = path.join(dir, 'catch-up', 'state', 'report-schedule.json');
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  // Last run two days ago; 07:00 Berlin (06:00 UTC in winter) passed twice since.
  fs.writeFileSync(stateFile, JSON.stringify({ daily: { last_run: '2026-11-27T06:00:00.000Z' } }));
  const runs: [string, string, string][] = [];
  const s = new ReportScheduler([{ name: 'daily', cron: '0 7 * * *', timezone: 'Europe/Berlin', periodSec: 86400 }], {
    stateFile,
    now: () => new Date('2026-11-29T12:00:00Z'),
    log: () => undefined,
    run: async (r, end, reason) => void runs.push([r.name, end.toISOString(), reason]),
  });
  s.start();
  await s.stop();
  assert.deepEqual(runs, [['daily', '2026-11-29T06:00:00.000Z', 'catch-up']]);
  assert.equal(readScheduleState(stateFile).daily?.last_run, '2026-11-29T06:00:00.000Z');
  // Started again right after: nothing was missed.
  const again = new ReportScheduler([{ name: 'daily', cron: '0 7 * * *', timezone: 'Europe/Berlin', periodSec: 86400 }], {
    stateFile,
    now: () => new Date('2026-11-29T12:00:05Z'),
    log: () => undefined,
    run: async (r, end, reason) => void runs.push([r.name, end.toISOString(), reason]),
  });
  again.start();
  await again.stop();
  assert.equal(runs.length, 1);
});

test('first start: no catch-up, and the start time is remembered', async () => {
  const stateFile = path.join(dir, 'first', 'report-schedule.json');
  let ran = 0;
  const s = new ReportScheduler([{ name: 'hourly', cron: '5 * * * *', timezone: null, periodSec: 3600 }], {
    stateFile,
    now: () => new Date('2026-11-29T12:00:00Z'),
    log: () => undefined,
    run: async () => void ran++,
  });
  s.start();
  await s.stop();
  assert.equal(ran, 0);
  assert.equal(readScheduleState(stateFile).hourly?.last_run, '2026-11-29T12:00:00.000Z');
});

test('runs never overlap: a tick while the report is still running is skipped', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let running = 0;
  let maxRunning = 0;
  const logs: string[] = [];
  const report = { name: 'slow', cron: '0 0 1 1 *', timezone: null, periodSec: 3600 };
  const s = new ReportScheduler([report, { ...report, name: 'other' }], {
    stateFile: path.join(dir, 'overlap', 'state.json'),
    log: (m) => logs.push(m),
    run: async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await gate;
      running--;
    },
  });
  void s.enqueue(report, new Date('2026-11-29T10:00:00Z'), 'manual');
  void s.enqueue(report, new Date('2026-11-29T11:00:00Z'), 'manual');
  void s.enqueue({ ...report, name: 'other' }, new Date('2026-11-29T11:00:00Z'), 'manual');
  release();
  await s.idle();
  assert.equal(s.skipped, 1);
  assert.equal(s.completed, 2);
  assert.equal(maxRunning, 1, 'two reports never run at once either');
  assert.match(logs.join('\n'), /slow: the previous run is still going/);
});

test('next run times and missed runs follow the cron expression and time zone', () => {
  const s = { name: 'd', cron: '0 7 * * *', timezone: 'Europe/Berlin' };
  // Summer time (CEST, UTC+2) in July, winter time (CET, UTC+1) in December.
  assert.deepEqual(nextRuns(s, 2, new Date('2026-07-01T12:00:00Z')).map((d) => d.toISOString()), ['2026-07-02T05:00:00.000Z', '2026-07-03T05:00:00.000Z']);
  assert.deepEqual(nextRuns(s, 1, new Date('2026-12-01T12:00:00Z')).map((d) => d.toISOString()), ['2026-12-02T06:00:00.000Z']);
  assert.equal(lastMissedRun(s, new Date('2026-12-02T06:00:00Z'), new Date('2026-12-02T07:00:00Z')), null);
  assert.equal(lastMissedRun({ name: 'h', cron: '5 * * * *', timezone: null }, new Date('2026-12-02T06:00:00Z'), new Date('2026-12-02T09:30:00Z'))?.toISOString(), '2026-12-02T09:05:00.000Z');
});
