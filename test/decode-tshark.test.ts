// Differential test against tshark on every well-formed shared capture.
//
// Per (src_host, dst_host, proto) the packet count and byte sum must equal tshark's, and per
// packet our ports / TCP flags / ICMP type and code must equal tshark's where both have them.
//
// How tshark's fields are read (first occurrence = the outer header):
// - which of IPv4/IPv6 is the outer header comes from frame.protocols (the first of "ip"
//   and "ipv6"), since a tunnel puts both in one packet;
// - tunnelled inner headers (GRE, VXLAN, Geneve, IP-in-IP, quoted packets in ICMP errors)
//   are NOT counted by us: only the outer header counts, so only its fields are compared;
// - IPv4 bytes = ip.len; IPv6 bytes = 40 + ipv6.plen, or 40 + ipv6.opt.jumbo for a
//   jumbogram (plen 0), which is what we count;
// - IPv6 proto: ipv6.nxt is the first next header, so an extension header chain is followed
//   through the first occurrence of each extension header's own next-header field
//   (hopopts, routing, fraghdr, dstopts, ah); a chain using one kind twice would stop early;
// - IP reassembly is switched off so first fragments show their UDP/TCP ports, as ours do.
// The IPNET capture (e1000g.pcap, link type 226) is left out: we do not support that link type.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Frame, IPProto } from '../src/decode/frame.js';
import { formatIPv4, formatIPv6 } from '../src/decode/format-address.js';
import { REAL_DIR, decodeRecord, forEachRecord, listCaptures } from './decode-helpers.js';

const run = promisify(execFile);

const FIELDS = [
  'frame.protocols', 'ip.src', 'ip.dst', 'ip.len', 'ip.proto',
  'ipv6.src', 'ipv6.dst', 'ipv6.plen', 'ipv6.nxt',
  'ipv6.hopopts.nxt', 'ipv6.routing.nxt', 'ipv6.fraghdr.nxt', 'ipv6.dstopts.nxt', 'ah.next_header',
  'ipv6.opt.jumbo',
  'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport', 'sctp.srcport', 'sctp.dstport',
  'tcp.flags', 'icmp.type', 'icmp.code', 'icmpv6.type', 'icmpv6.code',
] as const;
type Row = Record<(typeof FIELDS)[number], string>;

async function tshark(file: string): Promise<Row[]> {
  const args = ['-r', file, '-n', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE',
    '-T', 'fields', '-E', 'occurrence=f', '-E', 'separator=/t'];
  for (const f of FIELDS) args.push('-e', f);
  const { stdout } = await run('tshark', args, { maxBuffer: 64 << 20 });
  return stdout.split('\n').filter((l) => l !== '').map((line) => {
    const cols = line.split('\t');
    const row = {} as Row;
    FIELDS.forEach((f, i) => (row[f] = cols[i] ?? ''));
    return row;
  });
}

const num = (s: string): number => (s === '' ? -1 : Number(s));

/** The final upper-layer protocol of tshark's outer IPv6 header (see module comment). */
function ipv6FinalProto(r: Row): number {
  const next: Record<number, string> = {
    [IPProto.HOPOPTS]: r['ipv6.hopopts.nxt'], [IPProto.ROUTING]: r['ipv6.routing.nxt'],
    [IPProto.FRAGMENT]: r['ipv6.fraghdr.nxt'], [IPProto.DSTOPTS]: r['ipv6.dstopts.nxt'],
    [IPProto.AH]: r['ah.next_header'],
  };
  let p = num(r['ipv6.nxt']);
  for (let i = 0; i < 8 && next[p] !== undefined && next[p] !== ''; i++) p = num(next[p]!);
  return p;
}

interface Ours { key: string; bytes: number; proto: number; srcPort: number; dstPort: number;
  tcpFlags: number; icmpType: number; icmpCode: number }

function theirs(r: Row): { key: string; bytes: number; proto: number } | undefined {
  const layers = r['frame.protocols'].split(':');
  const v4 = layers.indexOf('ip');
  const v6 = layers.indexOf('ipv6');
  if (v4 < 0 && v6 < 0) return undefined;
  if (v4 >= 0 && (v6 < 0 || v4 < v6)) {
    const proto = num(r['ip.proto']);
    return { key: `${r['ip.src']} ${r['ip.dst']} ${proto}`, bytes: num(r['ip.len']), proto };
  }
  const plen = num(r['ipv6.plen']);
  const bytes = plen === 0 && r['ipv6.opt.jumbo'] !== '' ? 40 + num(r['ipv6.opt.jumbo']) : 40 + plen;
  const proto = ipv6FinalProto(r);
  return { key: `${r['ipv6.src']} ${r['ipv6.dst']} ${proto}`, bytes, proto };
}

function add(m: Map<string, [number, number]>, key: string, bytes: number): void {
  const c = m.get(key) ?? [0, 0];
  c[0]++;
  c[1] += bytes;
  m.set(key, c);
}

test('per host pair and protocol, packets and bytes equal tshark; ports, flags, ICMP too', async () => {
  const files = listCaptures(REAL_DIR).filter((f) => path.basename(f) !== 'e1000g.pcap');
  const outputs = new Map<string, Row[]>();
  // two tshark processes at a time (the machine has two cores)
  for (let i = 0; i < files.length; i += 2) {
    const batch = files.slice(i, i + 2);
    const rows = await Promise.all(batch.map(tshark));
    batch.forEach((f, j) => outputs.set(f, rows[j]!));
  }
  const mismatches: string[] = [];
  let compared = 0;
  let portsCompared = 0;
  for (const file of files) {
    const name = path.basename(file);
    const f = new Frame();
    const ours: Array<Ours | undefined> = [];
    await forEachRecord(file, (r) => {
      decodeRecord(f, r);
      if (f.ipVersion === 0) return void ours.push(undefined);
      const host = (v4: number, v6: Uint8Array) => (f.ipVersion === 4 ? formatIPv4(v4) : formatIPv6(v6));
      ours.push({
        key: `${host(f.src4, f.src6)} ${host(f.dst4, f.dst6)} ${f.proto}`, bytes: f.bytes,
        proto: f.proto, srcPort: f.srcPort, dstPort: f.dstPort, tcpFlags: f.tcpFlags,
        icmpType: f.icmpType, icmpCode: f.icmpCode,
      });
    });
    const rows = outputs.get(file)!;
    assert.equal(ours.length, rows.length, `${name}: packet count`);
    const a = new Map<string, [number, number]>();
    const b = new Map<string, [number, number]>();
    rows.forEach((row, i) => {
      const o = ours[i];
      const t = theirs(row);
      if (o) add(a, o.key, o.bytes);
      if (t) add(b, t.key, t.bytes);
      if (!o || !t) return;
      const pairs: Array<[string, number, string]> = [];
      if (o.proto === IPProto.TCP) {
        pairs.push(['tcp.srcport', o.srcPort, row['tcp.srcport']], ['tcp.dstport', o.dstPort, row['tcp.dstport']]);
        if (row['tcp.flags'] !== '') pairs.push(['tcp.flags', o.tcpFlags, String(Number(row['tcp.flags']) & 0xff)]);
      } else if (o.proto === IPProto.UDP) {
        pairs.push(['udp.srcport', o.srcPort, row['udp.srcport']], ['udp.dstport', o.dstPort, row['udp.dstport']]);
      } else if (o.proto === IPProto.SCTP) {
        pairs.push(['sctp.srcport', o.srcPort, row['sctp.srcport']], ['sctp.dstport', o.dstPort, row['sctp.dstport']]);
      } else if (o.proto === IPProto.ICMP) {
        pairs.push(['icmp.type', o.icmpType, row['icmp.type']], ['icmp.code', o.icmpCode, row['icmp.code']]);
      } else if (o.proto === IPProto.ICMPV6) {
        pairs.push(['icmpv6.type', o.icmpType, row['icmpv6.type']], ['icmpv6.code', o.icmpCode, row['icmpv6.code']]);
      }
      for (const [field, mine, their] of pairs) {
        if (mine < 0 || their === '') continue; // compare only where both have the field
        portsCompared++;
        if (mine !== Number(their)) mismatches.push(`${name} #${i + 1} ${field}: ours ${mine}, tshark ${their}`);
      }
    });
    for (const [key, [pk, by]] of b) {
      compared++;
      const mine = a.get(key);
      if (!mine) mismatches.push(`${name} ${key}: missing in ours (tshark ${pk} pkts ${by} B)`);
      else if (mine[0] !== pk || mine[1] !== by) {
        mismatches.push(`${name} ${key}: ours ${mine[0]} pkts ${mine[1]} B, tshark ${pk} pkts ${by} B`);
      }
    }
    for (const key of a.keys()) if (!b.has(key)) mismatches.push(`${name} ${key}: only in ours`);
  }
  assert.deepEqual(mismatches, []);
  assert.ok(compared > 100, `only ${compared} host/proto rows compared`);
  assert.ok(portsCompared > 2000, `only ${portsCompared} per-packet fields compared`);
});
