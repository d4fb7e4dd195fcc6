// `spanwatch run` end to end: summary against capinfos, stdin, truncated captures (exit 1,
// everything before the damage still written), and the malformed captures (never fatal).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { listFiles, readCSV, spanwatch, tempDir } from './support/cli.js';
import { MALFORMED_PCAPS, REAL_PCAPS } from './support/paths.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function capinfosCount(file: string): number {
  const out = execFileSync('capinfos', ['-M', '-c', '-T', '-r', file], { encoding: 'utf8' });
  return Number(out.trim().split('\t')[1]);
}

test('the JSON summary counts what capinfos counts, per link type, with rows per table', () => {
  const file = path.join(REAL_PCAPS, 'isakmp4500.pcap');
  const r = spanwatch(['run', '--read', file, '--reports', path.join(dir, 'sum'), '--summary', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.packets, capinfosCount(file));
  assert.deepEqual(s.link_types, { ethernet: capinfosCount(file) });
  assert.equal(s.decoded + Object.values<number>(s.malformed).reduce((a, b) => a + b, 0), s.packets);
  assert.deepEqual(s.tables.map((t: { name: string }) => t.name), ['conn', 'ether']);
  // ARP frames lack hosts and ports: skipped by conn, counted by ether.
  const conn = s.tables[0];
  const ether = s.tables[1];
  assert.equal(ether.counted, s.packets);
  assert.equal(conn.counted + conn.skipped, s.packets);
  assert.equal(conn.skipped, 8);
  assert.ok(s.elapsed_ms >= 0 && s.packets_per_second >= 0);
  assert.equal(s.error, null);
});

test('text summary is readable and names the tables', () => {
  const r = spanwatch(['run', '--read', path.join(REAL_PCAPS, 'ssh.pcap'), '--reports', path.join(dir, 'txt')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^read {6}.*ssh\.pcap \(config: \(built-in default\)\)$/m);
  assert.match(r.stdout, /^packets {3}54 \(/m);
  assert.match(r.stdout, /^conn +1 +54 +0$/m);
});

test('reads stdin with --read -', () => {
  const file = path.join(REAL_PCAPS, 'bgp-role.pcapng');
  const reports = path.join(dir, 'stdin');
  const r = spanwatch(['run', '--read', '-', '--reports', reports, '--summary', 'json'], { input: fs.readFileSync(file) });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).packets, capinfosCount(file));
  assert.ok(listFiles(path.join(reports, 'tables/conn')).length >= 2);
});

test('a truncated capture: exit 1, the message names offset and record, earlier packets are written', () => {
  const whole = fs.readFileSync(path.join(REAL_PCAPS, 'ssh.pcap'));
  const cut = path.join(dir, 'cut.pcap');
  fs.writeFileSync(cut, whole.subarray(0, whole.length - 30));
  const reports = path.join(dir, 'cut');
  const r = spanwatch(['run', '--read', cut, '--reports', reports, '--summary', 'json']);
  assert.equal(r.status, 1);
  const s = JSON.parse(r.stdout);
  assert.equal(s.packets, 53);
  assert.equal(s.error.record, 54);
  assert.match(r.stderr, /cut\.pcap: byte offset \d+, record 54: .*everything before it was counted and written/);
  const rows = readCSV(path.join(reports, 'tables/conn/latest.csv'));
  assert.equal(rows.reduce((n, row) => n + Number(row.packets), 0), 53);
});

test('every malformed capture is read to the end: no crash, no stack trace, malformed counted', () => {
  const files = fs.readdirSync(MALFORMED_PCAPS).filter((f) => /\.pcap(ng)?$/.test(f));
  assert.ok(files.length >= 50);
  let malformed = 0;
  for (const f of files) {
    const file = path.join(MALFORMED_PCAPS, f);
    const r = spanwatch(['run', '--read', file, '--reports', path.join(dir, 'mal', f), '--summary', 'json']);
    assert.equal(r.status, 0, `${f}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${f} printed a stack trace`);
    const s = JSON.parse(r.stdout);
    assert.equal(s.packets, capinfosCount(file), f);
    malformed += Object.values<number>(s.malformed).reduce((a, b) => a + b, 0);
  }
  assert.ok(malformed > 30, `only ${malformed} packets counted as malformed`);
});
