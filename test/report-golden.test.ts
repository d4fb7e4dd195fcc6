// Summary report from a fixed capture (the deterministic benchmark generator, one hour of
// traffic), fixed findings and a hand-written baseline store: the CSV sections must equal
// test/golden/report-golden exactly, and the numbers printed in the HTML page must equal
// sums computed without spanwatch (tshark over the capture) and from the interval CSVs.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { listFiles, readCSV, spanwatch, tempDir } from './support/cli.js';
import { assertGoldenTree } from './support/golden.js';
import { REPO } from './support/paths.js';

const dir = tempDir();
const reports = path.join(dir, 'reports');
const out = path.join(dir, 'out');
const capture = path.join(dir, 'capture.pcap');
const config = path.join(dir, 'spanwatch.yaml');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const CONFIG = `interval: 60s
tables:
  - name: conn
    key: [client_host, server_host, proto, server_port]
  - name: ether
    key: [src_mac, dst_mac, ether_type]
`;

const K = ['client_host', 'server_host', 'proto', 'server_port'];
function finding(kind: string, ts: string, key: string[], packets: number, bytes: number, table = 'conn', fields = K): string {
  return JSON.stringify({
    kind,
    table,
    key_fields: fields,
    key,
    counters: { packets, bytes, first_seen: ts, last_seen: ts },
    ts,
    identifier: `${table}|${kind}|${key.join(' ')}`,
  });
}

// Three new rows whose state now is approved, pending and denied; one not in the store;
// a denied row alerted twice (listed once); a gone row; one finding after the period and
// one broken line (skipped and said so in the notes).
const FINDINGS = [
  finding('new_row', '2024-03-04T09:00:30.000Z', ['10.9.0.1', '192.0.2.10', 'tcp', '443'], 3, 180),
  finding('new_row', '2024-03-04T09:05:10.500Z', ['10.9.0.2', '192.0.2.11', 'udp', '53'], 1, 70),
  finding('new_row', '2024-03-04T09:05:40.000Z', ['10.9.0.3', '192.0.2.12', 'tcp', '22'], 5, 400),
  finding('new_row', '2024-03-04T09:59:59.999Z', ['10.9.0.4', '192.0.2.13', 'tcp', '8080'], 2, 120),
  finding('denied_row', '2024-03-04T09:30:00.000Z', ['10.9.0.5', '198.51.100.1', 'tcp', '23'], 1, 60),
  finding('denied_row', '2024-03-04T09:31:00.000Z', ['10.9.0.5', '198.51.100.1', 'tcp', '23'], 4, 240),
  finding('gone_row', '2024-03-04T09:45:00.000Z', ['10.9.0.6', '192.0.2.14', 'tcp', '25'], 10, 9000),
  finding('new_row', '2024-03-04T10:00:00.000Z', ['10.9.0.7', '192.0.2.15', 'tcp', '443'], 1, 60),
  finding('new_row', '2024-03-04T09:20:00.000Z', ['02:00:00:00:00:99', '02:00:00:00:00:01', 'ipv4'], 1, 60, 'ether', ['src_mac', 'dst_mac', 'ether_type']),
  '{"kind":"new_row","table":"conn"', // a line cut short by a crash
];

function baselineFile(status: string, timeColumn: string, rows: string[][]): void {
  const f = path.join(dir, 'baselines', 'conn', `${status}.csv`);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  const header = [...K, 'first_seen', 'last_seen', timeColumn, 'note'].join(',');
  const t = '2024-03-04T09:00:30.000Z';
  fs.writeFileSync(f, [header, ...rows.map((k) => [...k, t, t, t, ''].join(','))].join('\n') + '\n');
}

before(() => {
  const gen = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'test/bench/gen-capture.ts', '--packets', '20000', '--snaplen', '96', '--duration', '3600', '--out', capture],
    { cwd: REPO, encoding: 'utf8' },
  );
  assert.equal(gen.status, 0, gen.stderr);
  fs.writeFileSync(config, CONFIG);
  const r = spanwatch(['run', '--read', capture, '--config', config, '--reports', reports, '--summary', 'none'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  // The run's own differ writes findings and a learning baseline; this test fixes both.
  fs.rmSync(path.join(reports, 'findings'), { recursive: true, force: true });
  fs.rmSync(path.join(dir, 'baselines'), { recursive: true, force: true });
  fs.mkdirSync(path.join(reports, 'findings'), { recursive: true });
  fs.writeFileSync(path.join(reports, 'findings', '2024-03-04.jsonl'), FINDINGS.join('\n') + '\n');
  baselineFile('approved', 'approved_at', [['10.9.0.1', '192.0.2.10', 'tcp', '443']]);
  baselineFile('pending', 'reported_at', [['10.9.0.2', '192.0.2.11', 'udp', '53']]);
  baselineFile('denied', 'denied_at', [
    ['10.9.0.3', '192.0.2.12', 'tcp', '22'],
    ['10.9.0.5', '198.51.100.1', 'tcp', '23'],
  ]);
  const rep = spanwatch(['report', '--from', '2024-03-04T09:00Z', '--to', '2024-03-04T10:00Z', '--config', config, '--reports', reports, '--out', out], { cwd: dir });
  assert.equal(rep.status, 0, rep.stderr);
});

test('CSV sections equal the golden files', () => {
  const csvOnly = path.join(dir, 'csv-only');
  for (const f of listFiles(out).filter((f) => f.endsWith('.csv'))) {
    fs.mkdirSync(csvOnly, { recursive: true });
    fs.copyFileSync(path.join(out, f), path.join(csvOnly, f));
  }
  assertGoldenTree('report-golden', csvOnly);
});

test('new rows carry their state now; duplicates, late findings and broken lines are handled', () => {
  const rows = readCSV(path.join(out, 'new-rows-conn.csv'));
  assert.deepEqual(
    rows.map((r) => [r.client_host, r.kind, r.state_now]),
    [
      ['10.9.0.1', 'new_row', 'approved'],
      ['10.9.0.2', 'new_row', 'pending'],
      ['10.9.0.3', 'new_row', 'denied'],
      ['10.9.0.5', 'denied_row', 'denied'],
      ['10.9.0.4', 'new_row', 'unknown'],
    ],
  );
  assert.deepEqual(readCSV(path.join(out, 'gone-rows-conn.csv')).map((r) => r.client_host), ['10.9.0.6']);
  const perInterval = readCSV(path.join(out, 'findings-per-interval.csv')).filter((r) => r.table === 'conn');
  assert.equal(perInterval.length, 60);
  const byStart = new Map(perInterval.map((r) => [r.interval_start, Number(r.new_rows)]));
  assert.equal(byStart.get('2024-03-04T09:05:00.000Z'), 2);
  assert.equal(byStart.get('2024-03-04T09:59:00.000Z'), 1);
  assert.match(fs.readFileSync(path.join(out, 'report.html'), 'utf8'), /1 unreadable line\(s\) in the findings files were skipped/);
});

/** Numbers the page shows in its totals table, by data-key (`conn.packets`). */
function htmlTotals(html: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of html.matchAll(/<td class="n" data-value="(\d+)" data-key="([a-z0-9_.-]+)">([\d,]+)<\/td>/g)) {
    assert.equal(Number(m[3]!.replace(/,/g, '')), Number(m[1]), `the shown and the data value of ${m[2]} agree`);
    out.set(m[2]!, Number(m[1]));
  }
  return out;
}

test('the HTML page shows the totals tshark and the interval CSVs give', () => {
  const totals = htmlTotals(fs.readFileSync(path.join(out, 'report.html'), 'utf8'));
  // tshark: IP packets and their IP lengths (IPv4 total length, IPv6 40 + payload length).
  const t = spawnSync('tshark', ['-r', capture, '-T', 'fields', '-e', 'ip.len', '-e', 'ipv6.plen'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(t.status, 0, t.stderr);
  let packets = 0;
  let bytes = 0;
  for (const line of t.stdout.split('\n')) {
    const [v4, v6] = line.split('\t');
    if (v4) bytes += Number(v4.split(',')[0]);
    else if (v6) bytes += 40 + Number(v6.split(',')[0]);
    else continue;
    packets++;
  }
  assert.equal(totals.get('conn.packets'), packets);
  assert.equal(totals.get('conn.bytes'), bytes);
  // Every frame is in the ether table: capinfos-style count from tshark.
  const frames = spawnSync('tshark', ['-r', capture, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(totals.get('ether.packets'), frames.stdout.trim().split('\n').length);
  // Intervals and distinct rows, from the interval CSVs themselves.
  for (const table of ['conn', 'ether']) {
    const files = listFiles(path.join(reports, 'tables', table)).filter((f) => f !== 'latest.csv');
    const keys = new Set<string>();
    for (const f of files) {
      for (const row of readCSV(path.join(reports, 'tables', table, f))) {
        keys.add(Object.entries(row).filter(([c]) => !['packets', 'bytes', 'first_seen', 'last_seen'].includes(c)).map(([, v]) => v).join(' '));
      }
    }
    assert.equal(totals.get(`${table}.intervals`), files.length);
    assert.equal(totals.get(`${table}.rows`), keys.size);
  }
  assert.equal(totals.get('conn.new_rows'), 5);
  assert.equal(totals.get('conn.gone_rows'), 1);
  assert.equal(totals.get('ether.new_rows'), 1);
});

test('top services agree with a plain fold of the interval CSVs', () => {
  const sums = new Map<string, number>();
  const dayDir = path.join(reports, 'tables', 'conn', '2024-03-04');
  for (const f of fs.readdirSync(dayDir)) {
    for (const row of readCSV(path.join(dayDir, f))) {
      const s = `${row.proto}/${row.server_port}`;
      sums.set(s, (sums.get(s) ?? 0) + Number(row.bytes));
    }
  }
  const expected = [...sums].sort((a, b) => b[1] - a[1]).slice(0, 3);
  const got = readCSV(path.join(out, 'top-services.csv')).filter((r) => r.table === 'conn' && r.by === 'bytes').slice(0, 3);
  assert.deepEqual(
    got.map((r) => [r.service, Number(r.bytes)]),
    expected,
  );
});
