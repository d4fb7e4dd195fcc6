// Every `spanwatch baseline` command through the real CLI, with --format json where it
// lists rows, the findings a run makes from the decisions (denied_row, new_row, gone_row),
// and the exit-2 errors for wrong input.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { spanwatch, tempDir } from './support/cli.js';
import { writePcap } from './support/pcap-builder.js';

process.env.SPANWATCH_NOW = '2026-11-05T00:00:00.000Z';
const cwd = tempDir();
after(() => fs.rmSync(cwd, { recursive: true, force: true }));
const T0 = Date.parse('2026-11-01T10:00:00Z') / 1000;
fs.writeFileSync(path.join(cwd, 'spanwatch.yaml'), 'gone_after: 2m\nlearn_for: 0\ntables:\n  - name: conn\n    key: [client_host, server_host, proto, server_port]\n');
writePcap(path.join(cwd, 'week.pcap'), [
  { t: T0, src: '10.0.0.10', dst: '198.51.100.25', proto: 'tcp', sport: 40000, dport: 25, flags: 'S' },
  { t: T0 + 1, src: '10.0.0.20', dst: '10.0.0.53', proto: 'udp', sport: 50000, dport: 53 },
  { t: T0 + 3, src: '10.0.0.30', dst: '10.0.0.5', proto: 'tcp', sport: 42000, dport: 22, flags: 'S' },
]);
writePcap(path.join(cwd, 'today.pcap'), [
  { t: T0 + 60, src: '10.0.0.10', dst: '198.51.100.25', proto: 'tcp', sport: 40001, dport: 25, flags: 'S' },
  { t: T0 + 70, src: '10.0.0.20', dst: '8.8.8.8', proto: 'udp', sport: 50001, dport: 53 },
  { t: T0 + 80, src: '10.0.0.40', dst: '10.0.0.5', proto: 'tcp', sport: 42001, dport: 22, flags: 'S' },
  { t: T0 + 170, src: '10.0.0.10', dst: '198.51.100.25', proto: 'tcp', sport: 40002, dport: 25, flags: 'S' },
]);

function sw(...args: string[]): string {
  const r = spanwatch(args, { cwd });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const json = (...args: string[]): unknown => JSON.parse(sw(...args, '--format', 'json'));

test('snapshot, deny, run (denied_row, new_row, gone_row), pending, approve --all-pending, show, list, history', () => {
  assert.deepEqual(json('baseline', 'snapshot', '--read', 'week.pcap'), [{ table: 'conn', seen: 3, added: 3, promoted: 0, already: 0, denied: 0 }]);
  assert.equal(sw('baseline', 'approve', 'conn', '10.0.0.9', '2001:DB8::9', 'TCP', '0022', '--note', 'by hand'), 'approved conn 10.0.0.9 2001:db8::9 tcp 22\n');
  assert.equal(sw('baseline', 'deny', 'conn', '10.0.0.20', '8.8.8.8', 'udp', '53', '--note', 'no public DNS'), 'denied conn 10.0.0.20 8.8.8.8 udp 53\n');

  const run = spanwatch(['run', '--read', 'today.pcap', '--summary', 'none'], { cwd });
  assert.equal(run.status, 0, run.stderr);
  const findings = fs.readFileSync(path.join(cwd, 'reports/findings/2026-11-01.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { identifier: string; ts: string; detail?: string });
  assert.deepEqual(findings.map((f) => f.identifier), [
    'conn|denied_row|10.0.0.20 8.8.8.8 udp 53',
    'conn|new_row|10.0.0.40 10.0.0.5 tcp 22',
    // Last seen at T0+1 and T0+3 in week.pcap, not in today.pcap: gone 2 minutes later,
    // inside the 10:02 interval. 10.0.0.10 → 198.51.100.25 is seen again: not gone.
    'conn|gone_row|10.0.0.20 10.0.0.53 udp 53',
    'conn|gone_row|10.0.0.30 10.0.0.5 tcp 22',
  ]);
  assert.equal(findings[0]!.detail, 'denied: no public DNS');
  assert.deepEqual(findings.slice(2).map((f) => f.ts), ['2026-11-01T10:02:01.000Z', '2026-11-01T10:02:03.000Z']);
  assert.match(run.stderr, /^spanwatch: finding new_row conn 10\.0\.0\.40 10\.0\.0\.5 tcp 22 \(first seen 2026-11-01T10:01:20\.000Z\)$/m);
  const diff = fs.readFileSync(path.join(cwd, 'reports/tables/conn/2026-11-01/conn-20261101T100100Z.new.csv'), 'utf8');
  assert.equal(diff, 'client_host,server_host,proto,server_port,packets,bytes,first_seen,last_seen,status\n10.0.0.20,8.8.8.8,udp,53,1,28,2026-11-01T10:01:10.000Z,2026-11-01T10:01:10.000Z,denied\n10.0.0.40,10.0.0.5,tcp,22,1,40,2026-11-01T10:01:20.000Z,2026-11-01T10:01:20.000Z,new\n');

  const pending = json('baseline', 'pending') as { table: string; key: string[]; reported_at: string }[];
  assert.deepEqual(pending.map((p) => [p.table, p.key.join(' '), p.reported_at]), [['conn', '10.0.0.40 10.0.0.5 tcp 22', '2026-11-01T10:01:20.000Z']]);
  assert.equal(sw('baseline', 'approve', '--all-pending', '--table', 'conn'), 'approved 1 pending row\n');

  // show --format csv prints exactly the approved file.
  assert.equal(sw('baseline', 'show', 'conn', '--format', 'csv'), fs.readFileSync(path.join(cwd, 'baselines/conn/approved.csv'), 'utf8'));
  const all = json('baseline', 'show', 'conn', '--status', 'all') as { key: string[]; status: string }[];
  assert.deepEqual(all.map((r) => `${r.status} ${r.key.join(' ')}`), [
    'approved 10.0.0.9 2001:db8::9 tcp 22', // hand-approved, never seen: sorted by client_host first
    'approved 10.0.0.10 198.51.100.25 tcp 25',
    'denied 10.0.0.20 8.8.8.8 udp 53', // 8.8.8.8 before 10.0.0.53: addresses sort numerically
    'approved 10.0.0.20 10.0.0.53 udp 53',
    'approved 10.0.0.30 10.0.0.5 tcp 22',
    'approved 10.0.0.40 10.0.0.5 tcp 22',
  ]);
  assert.deepEqual(json('baseline', 'list'), [{ table: 'conn', key_fields: ['client_host', 'server_host', 'proto', 'server_port'], approved: 5, pending: 0, denied: 1, learning: 'no', last_change: '2026-11-05T00:00:00.000Z' }]);
  const history = json('baseline', 'history', '--table', 'conn') as { action: string }[];
  assert.deepEqual(history.map((h) => h.action), ['snapshot', 'snapshot', 'snapshot', 'approve', 'deny', 'pending', 'approve']);
  assert.match(sw('baseline', 'history', '--limit', '1'), /^time +action +table +key +note +user\n2026-11-05T00:00:00\.000Z +approve +conn +10\.0\.0\.40 10\.0\.0\.5 tcp 22 /);
});

test('save, forget, diff, restore, saves, prune', () => {
  assert.equal(sw('baseline', 'save', '--label', 'before-upgrade'), 'saved 1 table as before-upgrade\n');
  assert.equal(sw('baseline', 'forget', 'conn', '10.0.0.20', '8.8.8.8', 'udp', '53'), 'forgot conn 10.0.0.20 8.8.8.8 udp 53\n');
  assert.deepEqual(json('baseline', 'diff', 'before-upgrade'), [{ table: 'conn', key: ['10.0.0.20', '8.8.8.8', 'udp', '53'], before: 'denied', now: 'absent' }]);
  assert.match(sw('baseline', 'restore', 'before-upgrade'), /^restored conn from before-upgrade; undo with: spanwatch baseline restore pre-restore-20261105T000000Z\n$/);
  assert.deepEqual(json('baseline', 'diff', 'before-upgrade'), []);
  assert.deepEqual((json('baseline', 'saves') as { label: string }[]).map((s) => s.label).sort(), ['before-upgrade', 'pre-restore-20261105T000000Z']);
  // 2027-02-01 less 90 days is 2026-11-03: rows last seen on 2026-11-01 go; the row approved
  // by hand on 2026-11-05 and never seen stays (its approval counts as its last sign of life).
  process.env.SPANWATCH_NOW = '2027-02-01T00:00:00.000Z';
  try {
    const dry = json('baseline', 'prune', '--unseen-for', '90d', '--dry-run') as { key: string[] }[];
    const expected = ['10.0.0.10 198.51.100.25 tcp 25', '10.0.0.20 10.0.0.53 udp 53', '10.0.0.30 10.0.0.5 tcp 22', '10.0.0.40 10.0.0.5 tcp 22'];
    assert.deepEqual(dry.map((p) => p.key.join(' ')), expected);
    assert.equal((json('baseline', 'show', 'conn') as unknown[]).length, 5, '--dry-run changes nothing');
    const pruned = json('baseline', 'prune', '--unseen-for', '90d') as { key: string[]; last_seen: string }[];
    assert.deepEqual(pruned.map((p) => p.key.join(' ')), expected);
    assert.deepEqual((json('baseline', 'show', 'conn') as { key: string[] }[]).map((r) => r.key.join(' ')), ['10.0.0.9 2001:db8::9 tcp 22']);
  } finally {
    process.env.SPANWATCH_NOW = '2026-11-05T00:00:00.000Z';
  }
});

test('clear errors, exit 2: unknown table, wrong number of key values, bad value, bad file, unknown save', () => {
  const cases: [string[], RegExp][] = [
    [['baseline', 'show', 'nope'], /^spanwatch: unknown table "nope"; tables: conn\n$/],
    [['baseline', 'approve', 'conn', '10.0.0.1', 'tcp'], /^spanwatch: table conn takes 4 key values \(client_host server_host proto server_port\); got 2\n$/],
    [['baseline', 'deny', 'conn', '10.0.0.1', '10.0.0.2', 'tcp', '99999'], /^spanwatch: server_port "99999" is not a port/],
    [['baseline', 'restore', 'nosuch'], /^spanwatch: no save named "nosuch"; saves: /],
    [['baseline', 'show', 'conn', '--format', 'xml'], /--format "xml": expected table, csv or json/],
  ];
  for (const [args, err] of cases) {
    const r = spanwatch(args, { cwd });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, err);
  }
  fs.appendFileSync(path.join(cwd, 'baselines/conn/approved.csv'), '10.0.0.1,10.0.0.2,tcp\n');
  const lines = fs.readFileSync(path.join(cwd, 'baselines/conn/approved.csv'), 'utf8').trimEnd().split('\n').length;
  for (const args of [['baseline', 'list'], ['run', '--read', 'today.pcap', '--summary', 'none']]) {
    const r = spanwatch(args, { cwd });
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stderr, `spanwatch: baselines/conn/approved.csv:${lines}: 3 fields; expected 8 (client_host,server_host,proto,server_port,first_seen,last_seen,approved_at,note)\n`);
  }
});
