// Differential test: for every capture in pcaps/real and every expression below, the packets
// spanwatch's filter selects are, packet for packet, the ones tcpdump selects
// (`tcpdump -r FILE -w - EXPR`, whose output records are matched back to packet numbers).
//
// Rules written down here (tcpdump/libpcap 1.10 behaviour we mirror, see filter-lower.ts):
// - Where tcpdump refuses an expression for a file's link type (`ether host` or `vlan` on
//   Linux cooked / BSD loopback / raw IP, or "expression rejects all packets", e.g. `arp`
//   on BSD loopback), spanwatch matches nothing there and refusedFor() names a reason when
//   the refusal is about the link type (not for "rejects all", which is just no match).
// - `ip`, `tcp`, ... do not match 802.1Q frames unless `vlan` comes first; every `vlan`
//   shifts the primitives written after it one tag inward, even across `or` (`ip or vlan`).
// - IPv6 `tcp`/`udp`/`proto N` see the fixed header's next header, or a fragment header
//   followed by N, not other extension headers; `port` over IPv6 sees the fixed header only.
// - `tcp[..]`, `udp[..]`, `icmp[..]` read IPv4 only and skip non-first fragments.
// - `port NAME` uses the transports /etc/services lists (`port ssh` is tcp only).
// - A header read past the captured bytes rejects the whole packet, even under `not`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { CaptureFileSource } from '../src/source/capture-file.js';
import { decodePacket } from '../src/decode/decode.js';
import { Frame } from '../src/decode/frame.js';
import { compileFilter } from '../src/filter/compile-filter.js';
import { PCAPWriter } from '../src/report/pcap-writer.js';
import { REAL_PCAPS } from './support/paths.js';
import { pcapRecords } from './support/pcap-records.js';

const EXPRESSIONS = [
  // network and transport protocols
  'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'icmp', 'icmp6', 'sctp', 'not ip and not ip6',
  'proto 17', 'ip proto 47', 'ip6 proto 58', 'ip proto \\udp', 'proto 103', 'ip6 proto 17',
  'ether proto 0x0806', 'ether proto \\ip6',
  // VLAN
  'vlan', 'not vlan', 'vlan and ip', 'vlan 202', 'vlan 1213 and ip proto 47',
  'vlan 200 and vlan 2001 and arp', 'vlan and vlan', 'ip or vlan', 'vlan 202 and udp port 646',
  // IPv4 hosts and nets (incl. ARP sender/target)
  'host 223.132.53.222', 'src host 202.108.87.165', 'dst host 202.108.87.165 and tcp',
  'host 10.40.1.1', 'arp host 10.40.2.3', 'ip host 10.40.1.1', 'host 1.0.2.1 or 1.0.2.2',
  'src host 10.30.1.1 or 10.40.2.3', 'src and dst host 1.0.2.2', 'src or dst host 192.1.2.23',
  'net 131.151.0.0/16', 'dst net 131.151.1.0 mask 255.255.255.0', 'net 10', 'src net 192.1.2',
  'net 224.0.0.0/4', 'rarp or arp src host 1.0.2.2',
  // IPv6 hosts and nets
  'ip6 net ff02::/16', 'net fe80::/10 and udp', 'host ::1', 'ip6 host fe80::201:2ff:fe03:405',
  'dst host ff02::1:2', 'src net 2001:db8::/32 or dst host ff02::16',
  // Ethernet addresses
  'ether host 74:83:ef:07:d0:a9', 'ether src a6:82:4b:c9:a1:a7', 'ether dst ff:ff:ff:ff:ff:ff',
  // ports
  'port 22', 'port 53', 'tcp port 179', 'udp port 500 or 4500', 'port domain', 'port ssh',
  'port ntp or syslog', 'udp port bootps', 'port https', 'dst port 7000', 'src port 7001 and udp',
  'portrange 1-1023', 'tcp portrange 6000-7000', 'udp dst portrange 7000-7001', 'port 546 or 547',
  'tcp src or dst port 22', 'sctp port 80', 'port 443 and ip6',
  // lengths
  'less 100', 'greater 1000', 'len >= 60 and len <= 120', 'len - 14 > 1400',
  // byte accessors
  'tcp[tcpflags] & (tcp-syn|tcp-ack) != 0', 'tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0',
  'tcp[13] & 2 != 0', 'tcp[tcpflags] & (tcp-rst|tcp-fin) != 0', 'tcp[tcpflags] == tcp-push|tcp-ack',
  'ip[8] < 64', 'ip[6:2] & 0x1fff != 0', 'ip[2:2] > 576', 'icmp[icmptype] == icmp-echo',
  'icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply',
  'icmp6[icmp6type] == icmp6-routeradvert', 'icmp6[icmp6type] >= 130 and icmp6[icmp6type] <= 136',
  'ip6[6] == 0', 'ether[0] & 1 != 0', 'arp[7] == 2', 'udp[4:2] > 100', 'tcp[12] >> 4 > 5',
  'ip[0] & 0xf > 5', 'tcp[(tcp[12] >> 4) * 4] == 0x16', 'ip[2:2] / 100 == 0', 'udp[0:4] % 7 == 3',
  // boolean structure and precedence
  'not tcp and not udp', '!(port 22 || port 179) && tcp', 'udp or tcp and port 53',
  'not host 1.0.2.1 and arp', 'ip and not (udp or tcp)', 'host 131.151.32.21 and not port 7001 or icmp',
];

interface Rec { buf: Buffer; wirelen: number; linkType: number; tsSec: number; tsNsec: number }

async function readRecords(file: string): Promise<Rec[]> {
  const recs: Rec[] = [];
  await new CaptureFileSource(file).run((buf, off, caplen, wirelen, linkType, tsSec, tsNsec) => {
    recs.push({ buf: Buffer.from(buf.subarray(off, off + caplen)), wirelen, linkType, tsSec, tsNsec });
  });
  return recs;
}

type Oracle = { refused: string } | { matches: number[] };

/** tcpdump's selection from `file` as indexes into `recs` (the file's records, in order). */
function runTcpdump(file: string, expr: string, recs: Rec[]): Promise<Oracle> {
  return new Promise((resolve, reject) => {
    execFile('tcpdump', ['-r', file, '-w', '-', expr], { encoding: 'buffer', maxBuffer: 1 << 26 },
      (err, stdout, stderr) => {
        if (err) {
          resolve({ refused: stderr.toString().split('\n').filter((l) => l && !l.startsWith('reading from')).join(' ') });
          return;
        }
        // Output records are a subsequence of the input: match them back in order.
        const matches: number[] = [];
        let i = 0;
        for (const r of pcapRecords(stdout)) {
          while (i < recs.length && !recs[i]!.buf.equals(r)) i++;
          if (i === recs.length) {
            reject(new Error(`${file} '${expr}': tcpdump output record not found in input`));
            return;
          }
          matches.push(i++);
        }
        resolve({ matches });
      });
  });
}

async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const j = next++;
      results[j] = await jobs[j]!();
    }
  }));
  return results;
}

const LINK_REFUSALS = [/ethernet addresses supported only/, /no VLAN support/, /expression rejects all packets/];

interface Origin { file: string; packetNo: number }

// tcpdump costs ~15 ms a run, so instead of 54 files x N expressions runs, the records of all
// captures of one link type are written (with src/report/pcap-writer.ts) into one pcap, each
// record remembering its file and packet number; tcpdump runs once per link type and
// expression, and its selection is mapped back to (file, packet number) and compared per file.
test('filter matches tcpdump packet for packet on every real capture', { timeout: 170_000 }, async () => {
  const started = Date.now();
  assert.ok(EXPRESSIONS.length >= 60);
  const files = fs.readdirSync(REAL_PCAPS).filter((n) => /\.pcap(ng)?$/.test(n)).sort();
  assert.ok(files.length >= 54, 'expected the 54 real captures');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
  try {
    const groups = new Map<number, { recs: Rec[]; origin: Origin[] }>();
    for (const name of files) {
      const recs = await readRecords(path.join(REAL_PCAPS, name));
      recs.forEach((r, i) => {
        let g = groups.get(r.linkType);
        if (!g) groups.set(r.linkType, (g = { recs: [], origin: [] }));
        g.recs.push(r);
        g.origin.push({ file: name, packetNo: i + 1 });
      });
    }
    const frame = new Frame();
    const jobs: (() => Promise<void>)[] = [];
    const failures: string[] = [];
    const refusals = new Map<string, number>();
    const perFile = new Map<string, number>();
    let matchedPackets = 0;
    for (const [linkType, g] of groups) {
      const merged = path.join(dir, `link-${linkType}.pcap`);
      const w = new PCAPWriter(merged, linkType);
      for (const r of g.recs) w.write(r.buf, 0, r.buf.length, r.wirelen, r.linkType, r.tsSec, r.tsNsec);
      w.close();
      for (const expr of EXPRESSIONS) {
        const gen = compileFilter(expr);
        const clo = compileFilter(expr, undefined, 'closure');
        const mine: number[] = [];
        g.recs.forEach((r, i) => {
          frame.buf = r.buf; frame.off = 0; frame.caplen = r.buf.length; frame.wirelen = r.wirelen;
          frame.linkType = r.linkType; frame.packetNo = g.origin[i]!.packetNo;
          frame.tsSec = r.tsSec; frame.tsNsec = r.tsNsec;
          decodePacket(frame);
          const hit = gen.test(frame);
          if (clo.test(frame) !== hit) failures.push(`${g.origin[i]!.file}#${frame.packetNo} '${expr}': closure and codegen disagree`);
          if (hit) mine.push(i);
        });
        jobs.push(async () => {
          const oracle = await runTcpdump(merged, expr, g.recs);
          const byFile = (idx: number[]): Map<string, number[]> => {
            const m = new Map<string, number[]>();
            for (const i of idx) {
              const o = g.origin[i]!;
              m.set(o.file, [...(m.get(o.file) ?? []), o.packetNo]);
            }
            return m;
          };
          if ('refused' in oracle) {
            if (!LINK_REFUSALS.some((re) => re.test(oracle.refused))) failures.push(`link ${linkType} '${expr}': tcpdump refused unexpectedly: ${oracle.refused}`);
            if (mine.length) failures.push(`link ${linkType} '${expr}': tcpdump refuses (${oracle.refused}) but we match ${mine.length}`);
            if (!/rejects all/.test(oracle.refused) && !gen.refusedFor(linkType)) failures.push(`link ${linkType} '${expr}': refusedFor gives no reason`);
            refusals.set(oracle.refused, (refusals.get(oracle.refused) ?? 0) + 1);
          } else {
            const want = byFile(oracle.matches);
            const got = byFile(mine);
            for (const file of new Set([...want.keys(), ...got.keys()])) {
              const a = got.get(file) ?? [];
              const b = want.get(file) ?? [];
              if (a.join() !== b.join()) failures.push(`${file} '${expr}': ours [${a.join(',')}] tcpdump [${b.join(',')}]`);
            }
            matchedPackets += oracle.matches.length;
          }
          for (const o of new Set(g.origin.map((x) => x.file))) perFile.set(o, (perFile.get(o) ?? 0) + 1);
        });
      }
    }
    await pool(jobs, 3);
    assert.deepEqual(failures, []);
    // Every file took part in every expression (empty captures included, via their link type).
    for (const name of files.filter((n) => !n.startsWith('empty'))) assert.equal(perFile.get(name), EXPRESSIONS.length, name);
    assert.ok(matchedPackets > 1000, 'the expressions must select real packets, not only nothing');
    console.log(`# ${EXPRESSIONS.length} expressions x ${files.length} files (${groups.size} link types, ` +
      `${jobs.length} tcpdump runs): ${matchedPackets} matching packets, ` +
      `refusals ${JSON.stringify(Object.fromEntries(refusals))}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
