// Tests for the benchmark capture generator and harness plumbing, with tcpdump, tshark and
// capinfos as oracles: the capture is well-formed (no bad checksums, nothing malformed),
// byte-identical across runs, has the traffic mix the benchmark promises, the 96-byte file
// is the same traffic cut short, and the harness measures and parses a spanwatch run.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FULL_SNAPLEN, generateCapture } from './gen-capture.js';
import { runSpanwatch } from './peers.js';

const PACKETS = 50_000;
let dir = '';
let full = '';
let snap = '';

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function count(file: string, filter: string): number {
  const out = execFileSync('tcpdump', ['-nr', file, filter], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
  return out === '' ? 0 : out.trimEnd().split('\n').length;
}

function tshark(file: string, args: string[]): string[] {
  const out = execFileSync('tshark', ['-r', file, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
  return out === '' ? [] : out.trimEnd().split('\n');
}

/** Minimal independent pcap reader: [caplen, wirelen, data] per record. */
function records(file: string): Array<[number, number, Buffer]> {
  const b = fs.readFileSync(file);
  const out: Array<[number, number, Buffer]> = [];
  for (let o = 24; o < b.length; ) {
    const caplen = b.readUInt32LE(o + 8);
    out.push([caplen, b.readUInt32LE(o + 12), b.subarray(o + 16, o + 16 + caplen)]);
    o += 16 + caplen;
  }
  return out;
}

/** A tcpdump filter matching `f` untagged, 802.1Q-tagged or double-tagged. */
function any(f: string): string {
  return `(${f}) or (vlan and ${f}) or (vlan and vlan and ${f})`;
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
  full = path.join(dir, 'full.pcap');
  snap = path.join(dir, 'snap96.pcap');
  generateCapture({ packets: PACKETS, outputs: [{ file: full, snaplen: FULL_SNAPLEN }, { file: snap, snaplen: 96 }] });
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('byte-identical across runs, and a different seed gives a different capture', () => {
  const again = path.join(dir, 'again.pcap');
  generateCapture({ packets: PACKETS, outputs: [{ file: again, snaplen: FULL_SNAPLEN }] });
  assert.equal(sha256(again), sha256(full));
  generateCapture({ packets: PACKETS, outputs: [{ file: again, snaplen: FULL_SNAPLEN }], seed: 7 });
  assert.notEqual(sha256(again), sha256(full));
});

test('capinfos: packet count, classic pcap, Ethernet, average size near 850, ten minutes', () => {
  const info = execFileSync('capinfos', ['-M', '-c', '-t', '-E', '-z', '-u', '-T', '-r', full], { encoding: 'utf8' });
  const fields = info.trim().split('\t');
  assert.equal(fields[1], 'pcap');
  assert.equal(fields[2], 'ether');
  assert.equal(Number(fields[3]), PACKETS);
  const duration = Number(fields[4]);
  assert.ok(duration > 540 && duration < 660, `duration ${duration}`);
  const avg = Number(fields[5]);
  assert.ok(avg > 750 && avg < 950, `average packet size ${avg}`);
});

test('tshark finds no bad checksum and nothing malformed', () => {
  const checks = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];
  const bad = tshark(full, [
    ...checks,
    '-Y', 'ip.checksum.status==0 || tcp.checksum.status==0 || udp.checksum.status==0 || icmp.checksum.status==0 || icmpv6.checksum.status==0 || _ws.malformed || _ws.expert.severity>=error',
  ]);
  assert.deepEqual(bad, []);
  // The checks really ran: every TCP segment's checksum was verified good.
  const good = tshark(full, [...checks, '-Y', 'tcp.checksum.status==1']).length;
  // (tshark counts TCP here: tcpdump's `tcp` misses IPv6 TCP behind a hop-by-hop header.)
  assert.equal(good, tshark(full, ['-Y', 'tcp']).length);
  assert.ok(good > PACKETS * 0.7);
});

test('traffic mix: VLAN, QinQ, IPv6 with hop-by-hop, DNS, NTP, ICMP, ARP, full segments', () => {
  const vlan = count(full, 'vlan');
  assert.ok(vlan > PACKETS * 0.05 && vlan < PACKETS * 0.4, `vlan ${vlan}`);
  assert.ok(count(full, 'ether proto 0x88a8') > 0, 'QinQ');
  const v6 = count(full, any('ip6'));
  assert.ok(v6 > PACKETS * 0.05 && v6 < PACKETS * 0.15, `ipv6 ${v6}`);
  assert.ok(tshark(full, ['-Y', 'ipv6.hopopts and tcp']).length > 0, 'hop-by-hop TCP');
  assert.ok(tshark(full, ['-Y', 'ipv6.hopopts and udp']).length > 0, 'hop-by-hop UDP');
  assert.ok(count(full, any('udp port 53')) > PACKETS * 0.01, 'DNS');
  assert.ok(count(full, any('udp port 123')) > 0, 'NTP');
  assert.ok(count(full, any('icmp[icmptype] == icmp-echo')) > 0, 'ICMP echo');
  assert.ok(count(full, any('icmp6')) > 0, 'ICMPv6');
  assert.ok(count(full, any('arp')) > 0, 'ARP');
  assert.ok(count(full, 'greater 1514') > PACKETS * 0.2, 'full-size segments');
  assert.ok(count(full, 'less 100') > PACKETS * 0.15, 'small ACKs');
  for (const port of [443, 80, 25, 587, 993, 22, 3389]) {
    assert.ok(count(full, any(`tcp dst port ${port} and tcp[tcpflags] == tcp-syn`)) > 0, `SYN to ${port}`);
  }
});

test('TCP clients use ephemeral ports 32768-60999 and sessions open and close', () => {
  const syns = tshark(full, ['-Y', 'tcp.flags.syn==1 && tcp.flags.ack==0', '-T', 'fields', '-e', 'tcp.srcport']);
  assert.ok(syns.length > 100);
  const ephemeral = syns.map(Number).filter((p) => p >= 32768 && p <= 60999).length;
  // Every TCP client, inside servers included, picks its port from the ephemeral range.
  assert.equal(ephemeral, syns.length);
  assert.ok(count(full, any('tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)')) > syns.length * 0.8);
  assert.ok(count(full, any('tcp[tcpflags] & tcp-fin != 0')) > syns.length);
});

test('96-byte capture is the same traffic cut short, wire length kept', () => {
  const a = records(full);
  const b = records(snap);
  assert.equal(b.length, a.length);
  let cut = 0;
  for (let i = 0; i < a.length; i++) {
    const [caplenA, wireA, dataA] = a[i]!;
    const [caplenB, wireB, dataB] = b[i]!;
    assert.equal(caplenA, wireA);
    assert.equal(wireB, wireA);
    assert.equal(caplenB, Math.min(wireA, 96));
    assert.ok(dataB.equals(dataA.subarray(0, caplenB)), `record ${i}`);
    if (caplenB < wireB) cut++;
  }
  assert.ok(cut > a.length / 3);
  assert.equal(execFileSync('capinfos', ['-l', '-M', '-T', '-r', snap], { encoding: 'utf8' }).trim().split('\t')[1], '96');
});

test('harness: spanwatch skipped until built, then timed and its JSON summary parsed', async () => {
  const root = path.join(dir, 'repo');
  const skip = await runSpanwatch(full, 'full', PACKETS, dir, root);
  assert.equal(skip.status, 'skipped');
  // A stand-in CLI that checks its arguments the way the harness passes them.
  fs.mkdirSync(path.join(root, 'dist', 'cli'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'dist', 'cli', 'main.js'),
    `const a = process.argv.slice(2);
     if (a[0] !== 'run' || a[1] !== '--read' || a[3] !== '--reports' || a[5] !== '--summary' || a[6] !== 'json') process.exit(3);
     require('fs').accessSync(a[2]); require('fs').accessSync(a[4]);
     console.log('reading...'); console.log(JSON.stringify({ packets: ${PACKETS} }));`,
  );
  fs.writeFileSync(path.join(root, 'package.json'), '{"type":"commonjs"}');
  const r = await runSpanwatch(full, 'full', PACKETS, dir, root);
  assert.equal(r.status, 'ok', r.note);
  assert.deepEqual(r.detail, { summary: { packets: PACKETS } });
  assert.ok(r.wallS !== null && r.wallS > 0);
  assert.ok(r.peakRssMiB !== null && r.peakRssMiB > 10, `rss ${r.peakRssMiB}`); // a node process
});
