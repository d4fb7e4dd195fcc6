// Intervals: aligned to multiples of their length in UTC, driven by packet time, one CSV per
// table per interval that had packets, the last partial interval written at end of file.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { listFiles, readCSV, spanwatch, tempDir } from './support/cli.js';
import { writePcap, type PacketSpec } from './support/pcap-builder.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

// 2026-11-01T23:58:30Z: the run crosses midnight, so files land in two day folders.
const T0 = Date.UTC(2026, 10, 1, 23, 58, 30) / 1000;
const dns = (t: number, client: string): PacketSpec => ({ t, src: client, dst: '192.0.2.53', proto: 'udp', sport: 40000, dport: 53 });

test('packets are cut into aligned intervals by packet time, across days, skipping empty ones', () => {
  const pcap = path.join(dir, 'intervals.pcap');
  writePcap(pcap, [
    dns(T0, '10.0.0.1'), // 23:58:30 → interval 23:58
    dns(T0 + 29.999, '10.0.0.1'), // 23:58:59.999 → still 23:58
    dns(T0 + 30, '10.0.0.2'), // 23:59:00 → 23:59
    dns(T0 + 90, '10.0.0.3'), // 00:00:00 next day
    dns(T0 + 400, '10.0.0.1'), // 00:05:10: 00:01–00:04 had nothing
  ]);
  const reports = path.join(dir, 'r1');
  const r = spanwatch(['run', '--read', pcap, '--reports', reports, '--summary', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const conn = listFiles(path.join(reports, 'tables/conn'));
  assert.deepEqual(conn, [
    '2026-11-01/conn-20261101T235800Z.csv',
    '2026-11-01/conn-20261101T235900Z.csv',
    '2026-11-02/conn-20261102T000000Z.csv',
    '2026-11-02/conn-20261102T000500Z.csv',
    'latest.csv',
  ]);
  const first = readCSV(path.join(reports, 'tables/conn/2026-11-01/conn-20261101T235800Z.csv'));
  assert.deepEqual(first, [
    {
      client_host: '10.0.0.1',
      server_host: '192.0.2.53',
      proto: 'udp',
      server_port: '53',
      packets: '2',
      bytes: '56',
      first_seen: '2026-11-01T23:58:30.000Z',
      last_seen: '2026-11-01T23:58:59.999Z',
    },
  ]);
  // latest.csv is the last (partial) interval, written at end of file.
  assert.equal(readCSV(path.join(reports, 'tables/conn/latest.csv'))[0]?.first_seen, '2026-11-02T00:05:10.000Z');
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.intervals, 4);
  assert.equal(summary.packets, 5);
});

test('--interval 5m aligns to five-minute multiples; the ether table has a file for each interval too', () => {
  const pcap = path.join(dir, 'five.pcap');
  writePcap(pcap, [dns(T0, '10.0.0.1'), dns(T0 + 90, '10.0.0.2'), dns(T0 + 400, '10.0.0.3')]);
  const reports = path.join(dir, 'r2');
  const r = spanwatch(['run', '--read', pcap, '--reports', reports, '--interval', '5m', '--summary', 'none']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(listFiles(path.join(reports, 'tables/conn')), [
    '2026-11-01/conn-20261101T235500Z.csv',
    '2026-11-02/conn-20261102T000000Z.csv',
    '2026-11-02/conn-20261102T000500Z.csv',
    'latest.csv',
  ]);
  assert.equal(listFiles(path.join(reports, 'tables/ether')).length, 4);
});

test('a packet older than the open interval is counted in it and reported as late', () => {
  const pcap = path.join(dir, 'late.pcap');
  writePcap(pcap, [dns(T0 + 90, '10.0.0.1'), dns(T0, '10.0.0.2')]);
  const reports = path.join(dir, 'r3');
  const r = spanwatch(['run', '--read', pcap, '--reports', reports, '--summary', 'json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).late_packets, 1);
  const rows = readCSV(path.join(reports, 'tables/conn/latest.csv'));
  assert.deepEqual(rows.map((row) => row.client_host), ['10.0.0.1', '10.0.0.2']);
});

test('rows sort numerically by key: 10.0.0.2 before 10.0.0.10, IPv4 before IPv6', () => {
  const pcap = path.join(dir, 'sort.pcap');
  writePcap(pcap, [
    { t: T0, src: '2001:db8::1', dst: '2001:db8::53', proto: 'udp', sport: 40000, dport: 53 },
    dns(T0, '10.0.0.10'),
    dns(T0, '10.0.0.2'),
    { t: T0, src: '10.0.0.2', dst: '192.0.2.53', proto: 'tcp', sport: 40000, dport: 53, flags: 'S' },
  ]);
  const reports = path.join(dir, 'r4');
  assert.equal(spanwatch(['run', '--read', pcap, '--reports', reports, '--summary', 'none']).status, 0);
  const rows = readCSV(path.join(reports, 'tables/conn/latest.csv'));
  assert.deepEqual(
    rows.map((row) => `${row.client_host} ${row.proto}`),
    ['10.0.0.2 tcp', '10.0.0.2 udp', '10.0.0.10 udp', '2001:db8::1 udp'],
  );
});
