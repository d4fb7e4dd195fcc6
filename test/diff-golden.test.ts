// Golden scenarios for the differ, end to end through the CLI: a baseline is taken from one
// capture ("last week"), and a second capture ("today") adds three known new connections —
// a new outbound SMTP server, a new DNS resolver, a known host on a new port. The oracle is
// the list of those three rows, stated here by hand from how the captures are built.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { listFiles, spanwatch, tempDir } from './support/cli.js';
import { assertGoldenTree } from './support/golden.js';
import { writePcap, type PacketSpec } from './support/pcap-builder.js';

process.env.SPANWATCH_NOW = '2026-11-07T12:00:00.000Z'; // approvals by the CLI are stamped with it
const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const WEEK1 = Date.parse('2026-11-01T09:00:00Z') / 1000;
const TODAY = Date.parse('2026-11-08T09:00:00Z') / 1000;

/** The normal traffic: mail server to its relay, DNS to the local resolver, web, ssh. */
function normal(t0: number): PacketSpec[] {
  const out: PacketSpec[] = [];
  for (let i = 0; i < 4; i++) {
    const t = t0 + i * 50;
    out.push(
      { t, src: '10.0.0.10', dst: '198.51.100.25', proto: 'tcp', sport: 40000 + i, dport: 25, flags: 'S' },
      { t: t + 1, src: '10.0.0.20', dst: '10.0.0.53', proto: 'udp', sport: 50000 + i, dport: 53, payload: 30 },
      { t: t + 2, src: '10.0.0.20', dst: '203.0.113.80', proto: 'tcp', sport: 41000 + i, dport: 443, flags: 'S' },
      { t: t + 3, src: '10.0.0.30', dst: '10.0.0.5', proto: 'tcp', sport: 42000 + i, dport: 22, flags: 'S' },
    );
  }
  return out;
}

/** The three new rows, each sent several times and in two intervals. */
const NEW_SMTP = (t: number, i: number): PacketSpec => ({ t, src: '10.0.0.10', dst: '192.0.2.99', proto: 'tcp', sport: 43000 + i, dport: 25, flags: 'S' });
const NEW_DNS = (t: number, i: number): PacketSpec => ({ t, src: '10.0.0.20', dst: '8.8.8.8', proto: 'udp', sport: 51000 + i, dport: 53, payload: 30 });
const NEW_PORT = (t: number, i: number): PacketSpec => ({ t, src: '10.0.0.30', dst: '10.0.0.5', proto: 'tcp', sport: 44000 + i, dport: 3389, flags: 'S' });

const EXPECTED = ['conn|new_row|10.0.0.10 192.0.2.99 tcp 25', 'conn|new_row|10.0.0.20 8.8.8.8 udp 53', 'conn|new_row|10.0.0.30 10.0.0.5 tcp 3389'];

function today(): PacketSpec[] {
  const news = [NEW_SMTP(TODAY + 10, 0), NEW_SMTP(TODAY + 11, 1), NEW_DNS(TODAY + 20, 0), NEW_SMTP(TODAY + 70, 2), NEW_DNS(TODAY + 80, 1)];
  // The new port shows up only in the second half (after TODAY + 120).
  news.push(NEW_PORT(TODAY + 130, 0), NEW_PORT(TODAY + 131, 1), NEW_PORT(TODAY + 190, 2));
  return [...normal(TODAY), ...news].sort((a, b) => a.t - b.t);
}

const week1 = path.join(dir, 'week1.pcap');
const todayPcap = path.join(dir, 'today.pcap');
const todayFirstHalf = path.join(dir, 'today-first-half.pcap');
writePcap(week1, normal(WEEK1));
writePcap(todayPcap, today());
writePcap(todayFirstHalf, today().filter((p) => p.t < TODAY + 120));

function run(cwd: string, capture: string, ...extra: string[]): { findings: string[]; stderr: string } {
  const r = spanwatch(['run', '--read', capture, '--summary', 'none', ...extra], { cwd });
  assert.equal(r.status, 0, r.stderr);
  const findings = r.stderr.split('\n').filter((l) => l.startsWith('spanwatch: finding '));
  return { findings, stderr: r.stderr };
}

function identifiers(cwd: string): string[] {
  const files = listFiles(path.join(cwd, 'reports/findings'));
  return files.flatMap((f) => fs.readFileSync(path.join(cwd, 'reports/findings', f), 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { identifier: string }).identifier));
}

test('a snapshot of last week, then today: exactly the three new rows, each once; a repeat finds nothing', () => {
  const cwd = path.join(dir, 'main');
  fs.mkdirSync(cwd);
  const snap = spanwatch(['baseline', 'snapshot', '--read', week1], { cwd });
  assert.equal(snap.status, 0, snap.stderr);
  assert.match(snap.stdout, /^conn: 4 rows seen: 4 added/m);

  const first = run(cwd, todayPcap);
  assert.equal(first.findings.length, 3, first.stderr);
  assert.deepEqual(identifiers(cwd).sort(), EXPECTED);
  assert.doesNotMatch(first.stderr, /learning/, 'a table with a baseline does not learn');

  // The same capture again: the three rows are pending now, so nothing is new.
  const again = run(cwd, todayPcap);
  assert.deepEqual(again.findings, []);
  assert.deepEqual(identifiers(cwd).sort(), EXPECTED);

  const pending = spanwatch(['baseline', 'pending', '--table', 'conn', '--format', 'json'], { cwd });
  assert.deepEqual((JSON.parse(pending.stdout) as { key: string[] }[]).map((r) => r.key.join(' ')), EXPECTED.map((e) => e.split('|')[2]));

  // Golden: the store, the findings, the per-interval diffs (history holds the user name: left out).
  const out = path.join(dir, 'golden-main');
  for (const f of [...listFiles(path.join(cwd, 'baselines')).filter((f) => f.endsWith('.csv')).map((f) => `baselines/${f}`), ...listFiles(path.join(cwd, 'reports')).filter((f) => f.startsWith('findings/') || f.endsWith('.new.csv')).map((f) => `reports/${f}`)]) {
    fs.mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
    fs.copyFileSync(path.join(cwd, f), path.join(out, f));
  }
  assertGoldenTree('baseline-scenario', out);
});

test('a restart mid-run finds nothing again for rows already pending', () => {
  const cwd = path.join(dir, 'restart');
  fs.mkdirSync(cwd);
  assert.equal(spanwatch(['baseline', 'snapshot', '--read', week1], { cwd }).status, 0);
  const before = run(cwd, todayFirstHalf); // stopped half way through the day
  assert.deepEqual(identifiers(cwd).sort(), EXPECTED.slice(0, 2));
  const after = run(cwd, todayPcap); // restarted from the start of the day
  assert.equal(before.findings.length + after.findings.length, 3);
  assert.deepEqual(identifiers(cwd).sort(), EXPECTED, 'only the row first seen in the second half is new after the restart');
});

test('learning: --learn covers last week; today is compared; a table with no baseline says it learns', () => {
  const cwd = path.join(dir, 'learn');
  fs.mkdirSync(cwd);
  // Last week's traffic at 09:00, today's at 09:10 of the same capture: learn for 5 minutes.
  const both = path.join(dir, 'both.pcap');
  const shift = TODAY - WEEK1 - 600;
  writePcap(both, [...normal(WEEK1), ...today().map((p) => ({ ...p, t: p.t - shift }))]);
  const r = run(cwd, both, '--learn', '5m');
  assert.match(r.stderr, /table conn: learning for 5m from its first packet/);
  assert.match(r.stderr, /table conn: learning ended at 2026-11-01T09:05:00\.000Z with 4 approved rows/);
  assert.deepEqual(identifiers(cwd).sort(), EXPECTED);
  const approved = fs.readFileSync(path.join(cwd, 'baselines/conn/approved.csv'), 'utf8').trim().split('\n');
  assert.equal(approved.length, 5);
  assert.ok(approved.slice(1).every((l) => l.endsWith(',learned')));

  // With no baseline and no --learn, the default learn_for (7d) applies and it says so.
  const fresh = path.join(dir, 'fresh');
  fs.mkdirSync(fresh);
  const f = run(fresh, week1);
  assert.match(f.stderr, /table conn: no baseline yet: learning for 1w from its first packet/);
  assert.deepEqual(f.findings, []);
  assert.ok(fs.existsSync(path.join(fresh, 'baselines/conn/learning-until.txt')));
});
