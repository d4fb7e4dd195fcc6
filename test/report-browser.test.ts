// The HTML report in a real browser (Debian's headless chromium, no npm packages): loaded
// from disk, every chart renders (SVG present, non-zero size, drawn elements), nothing is
// logged to the console (no script errors, no blocked network loads), hostile values stay
// text, and a screenshot is written to reports/screenshots/report-browser.png to look at.
//
// How: `--dump-dom` on a copy of the page with one measuring script added (allowed by a CSP
// nonce, the page's own CSP otherwise unchanged) that writes each chart's
// getBoundingClientRect into the DOM; `--enable-logging=stderr --v=0` makes chromium print
// every console message as an `INFO:CONSOLE` line, which must not appear. Skips when
// chromium is not installed (CI: apt-get install -y chromium).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { produceReport } from '../src/report/summary-run.js';
import { tempDir } from './support/cli.js';
import { REPO } from './support/paths.js';

const CHROMIUM = ['chromium', 'chromium-browser'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const HOSTILE = '<img src=x onerror=alert(1)>';

function chromium(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const profile = fs.mkdtempSync(path.join(dir, 'profile-'));
  const r = spawnSync(
    CHROMIUM!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 },
  );
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

async function buildReport(): Promise<string> {
  const reports = path.join(dir, 'reports');
  const start = Date.parse('2026-11-29T06:00:00Z');
  for (let i = 0; i < 30; i++) {
    const t = start + i * 60_000;
    const stamp = new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
    const f = path.join(reports, 'tables', 'conn', '2026-11-29', `conn-${stamp}.csv`);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    const iso = new Date(t).toISOString();
    const rows = [
      `10.0.0.1,192.0.2.1,tcp,443,${10 + i},${1000 * (i + 1)},${iso},${iso}`,
      `10.0.0.2,192.0.2.2,udp,53,${i % 5},${90 * (i % 5)},${iso},${iso}`,
      `"${HOSTILE.replace(/"/g, '""')}",192.0.2.3,tcp,25,2,120,${iso},${iso}`,
    ];
    fs.writeFileSync(f, ['client_host,server_host,proto,server_port,packets,bytes,first_seen,last_seen', ...rows].join('\n') + '\n');
  }
  const findings = [3, 3, 10, 17].map((m, i) =>
    JSON.stringify({
      kind: 'new_row',
      table: 'conn',
      key_fields: ['client_host', 'server_host', 'proto', 'server_port'],
      key: [i === 0 ? HOSTILE : `10.0.1.${i}`, '192.0.2.9', 'tcp', String(8000 + i)],
      counters: { packets: 1, bytes: 60, first_seen: '', last_seen: '' },
      ts: new Date(start + m * 60_000 + 5000).toISOString(),
      identifier: `conn|new_row|${i}`,
    }),
  );
  fs.mkdirSync(path.join(reports, 'findings'), { recursive: true });
  fs.writeFileSync(path.join(reports, 'findings', '2026-11-29.jsonl'), findings.join('\n') + '\n');
  const r = await produceReport({
    name: 'browser',
    reportsDir: reports,
    baselinesDir: null,
    tables: ['conn'],
    fromMs: start,
    toMs: start + 30 * 60_000,
    intervalSec: 60,
    only: null,
    historySec: null,
    outDir: path.join(dir, 'out'),
  });
  return path.join(r.outDir, 'report.html');
}

const MEASURE = `<script nonce="sw-test">
document.body.insertAdjacentHTML('beforeend', '<pre id="sw-measure"></pre>');
document.getElementById('sw-measure').textContent = JSON.stringify([...document.querySelectorAll('svg.chart')].map((s) => {
  const r = s.getBoundingClientRect();
  return { chart: s.dataset.chart, width: r.width, height: r.height, drawn: s.querySelectorAll('path, rect.bar, circle, text').length };
}));
</script>`;

test('every chart renders in chromium, with no console messages, and a screenshot is kept', { skip: CHROMIUM ? false : 'chromium not installed (apt-get install -y chromium)' }, async () => {
  const page = await buildReport();
  const html = fs.readFileSync(page, 'utf8');
  assert.ok(!html.includes(HOSTILE), 'the hostile value is escaped in the page');
  const probe = path.join(dir, 'probe.html');
  fs.writeFileSync(
    probe,
    html.replace(`default-src 'none';`, `default-src 'none'; script-src 'nonce-sw-test';`).replace('</body>', `${MEASURE}</body>`),
  );
  const r = chromium(['--enable-logging=stderr', '--v=0', '--window-size=1200,900', '--dump-dom', `file://${probe}`]);
  assert.equal(r.status, 0, r.stderr);
  const m = /<pre id="sw-measure">(\[[^<]*)<\/pre>/.exec(r.stdout);
  assert.ok(m && m[1], `the measuring script ran: ${r.stderr.split("\n").filter((l) => /CONSOLE/.test(l)).join("\n")}`);
  const charts = JSON.parse(m[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as { chart: string; width: number; height: number; drawn: number }[];
  assert.deepEqual(charts.map((c) => c.chart).sort(), ['new-rows-conn', 'services-conn', 'traffic-conn']);
  for (const c of charts) {
    assert.ok(c.width > 100 && c.height > 50, `${c.chart} has a size: ${c.width}×${c.height}`);
    assert.ok(c.drawn > 3, `${c.chart} draws something`);
  }
  // The new-rows chart has one bar per interval with findings: minutes 3, 10, 17.
  assert.equal((html.match(/<rect class="bar"[^>]*><title>/g) ?? []).length, 3);
  // No console messages at all: no script errors, no blocked loads, no alert.
  const consoleLines = r.stderr.split('\n').filter((l) => /CONSOLE|Uncaught/.test(l));
  assert.deepEqual(consoleLines, []);
  // The hostile text is shown as text, not run as markup (no <img> element in the DOM).
  assert.ok(!/<img/i.test(r.stdout), 'no img element was created');

  const shots = path.join(REPO, 'reports', 'screenshots');
  fs.mkdirSync(shots, { recursive: true });
  const shot = path.join(shots, 'report-browser.png');
  fs.rmSync(shot, { force: true });
  const s = chromium([`--screenshot=${shot}`, '--window-size=1200,2000', `file://${page}`]);
  assert.equal(s.status, 0, s.stderr);
  const png = fs.readFileSync(shot);
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.equal(png.readUInt32BE(16), 1200, 'the screenshot is the window width');
});
