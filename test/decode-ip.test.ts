// IPv4 / IPv6 / transport / ARP decoding on hand-built packets: options, fragments, every
// IPv6 extension header, jumbograms, BIG TCP lengths, snaplen truncation, TCP flags, UDP,
// SCTP, ICMP, ICMPv6, ARP and every malformed reason. Expected values are computed by hand
// from the bytes built here. Each case also decodes at an offset in a larger buffer with
// garbage after caplen and must agree with the tight decode.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABSENT, DecodeStatus, LinkType, TCPFlag } from '../src/decode/frame.js';
import { decodePacket } from '../src/decode/decode.js';
import {
  DST6, MAC_A, SRC6, be16, be32, decodeBothWays, ether, icmp, ipv4, ipv6, tcp, udp,
} from './decode-helpers.js';

function decode(bytes: number[], linkType: number = LinkType.ETHERNET, wirelen?: number) {
  const r = decodeBothWays(bytes, linkType, wirelen);
  assert.deepEqual(r.loose, r.tight, 'decode inside a larger buffer differs from tight decode');
  return r.frame;
}
const eth4 = (o: Parameters<typeof ipv4>[0], p: number[]) => ether(0x0800, ipv4(o, p));
const eth6 = (next: number, p: number[], plen?: number) => ether(0x86dd, ipv6(next, p, 64, plen));

test('IPv4 fields: addresses unsigned, ttl, proto, bytes = total length', () => {
  const f = decode(eth4({ src: '203.0.113.250', dst: '255.255.255.255', ttl: 3, proto: 17 }, udp(68, 67)));
  assert.equal(f.status, DecodeStatus.OK);
  assert.equal(f.ipVersion, 4);
  assert.equal(f.src4, 0xcb0071fa);
  assert.equal(f.dst4, 0xffffffff); // unsigned, not -1 (ABSENT)
  assert.equal(f.ttl, 3);
  assert.equal(f.proto, 17);
  assert.equal(f.bytes, 28);
  assert.equal(f.srcPort, 68);
  assert.equal(f.dstPort, 67);
});

test('IPv4 options: transport found after IHL words; Ethernet padding ignored', () => {
  const opts = [0x94, 0x04, 0, 0, 0x01, 0x01, 0x01, 0x00]; // router alert, NOPs, EOL
  const pkt = eth4({ proto: 6, options: opts }, tcp(443, 51000, TCPFlag.SYN | TCPFlag.ACK));
  const f = decode([...pkt, 0, 0, 0, 0, 0, 0], LinkType.ETHERNET); // trailing padding
  assert.equal(f.status, DecodeStatus.OK);
  assert.equal(f.l4Off, 14 + 28);
  assert.equal(f.srcPort, 443);
  assert.equal(f.tcpFlags, 0x12);
  assert.equal(f.bytes, 48);
  // the IP packet says it ends after 22 bytes of ICMP-less payload: padding is not a header
  const g = decode([...eth4({ proto: 1, totalLength: 21 }, []), 8, 0, 0, 0, 0, 0]);
  assert.equal(g.status, DecodeStatus.TRUNCATED_TRANSPORT);
  assert.equal(g.icmpType, ABSENT);
});

test('IPv4 fragments: first fragment has ports, later ones do not', () => {
  const first = decode(eth4({ proto: 17, frag: 0x2000 }, udp(7001, 7000, [1, 2, 3, 4])));
  assert.equal(first.isFragment, 1);
  assert.equal(first.fragOffset, 0);
  assert.equal(first.srcPort, 7001);
  const later = decode(eth4({ proto: 17, frag: 0x00b9 }, udp(7001, 7000)));
  assert.equal(later.status, DecodeStatus.OK);
  assert.equal(later.isFragment, 1);
  assert.equal(later.fragOffset, 185);
  assert.equal(later.srcPort, ABSENT);
  assert.equal(later.l4Off, ABSENT);
  assert.equal(later.proto, 17);
  const last = decode(eth4({ proto: 17, frag: 0x2000 | 0x4000 | 5 }, [1, 2, 3, 4, 5, 6, 7, 8]));
  assert.equal(last.fragOffset, 5);
  const df = decode(eth4({ proto: 17, frag: 0x4000 }, udp(1, 2))); // DF only: not a fragment
  assert.equal(df.isFragment, 0);
  assert.equal(df.srcPort, 1);
});

test('IPv4 malformed reasons', () => {
  const trunc = decode(ether(0x0800, ipv4({}, []).slice(0, 19)));
  assert.equal(trunc.status, DecodeStatus.TRUNCATED_IP);
  assert.equal(trunc.ipVersion, 0);
  assert.equal(trunc.src4, ABSENT);
  assert.equal(trunc.bytes, 33); // wire length

  const v6 = decode(eth4({ version: 6 }, tcp(1, 2, 0)));
  assert.equal(v6.status, DecodeStatus.BAD_IP_VERSION);
  assert.equal(v6.etherType, 0x0800);

  const ihl4 = decode(eth4({ ihl: 4, proto: 6 }, tcp(1, 2, 0)));
  assert.equal(ihl4.status, DecodeStatus.BAD_IP_HEADER_LENGTH);
  assert.equal(ihl4.src4, 0x0a000001);
  assert.equal(ihl4.srcPort, ABSENT);

  const ihlPast = decode(eth4({ ihl: 15, proto: 6, totalLength: 80 }, [1, 2, 3, 4]));
  assert.equal(ihlPast.status, DecodeStatus.BAD_IP_HEADER_LENGTH);

  const total19 = decode(eth4({ totalLength: 19, proto: 17 }, udp(1, 2)), LinkType.ETHERNET, 60);
  assert.equal(total19.status, DecodeStatus.BAD_IP_TOTAL_LENGTH);
  assert.equal(total19.dst4, 0xc0a80102);
  assert.equal(total19.bytes, 60 - 14);
  assert.equal(total19.srcPort, ABSENT);

  const belowOpts = decode(eth4({ totalLength: 22, options: [1, 1, 1, 0], proto: 17 }, udp(1, 2)));
  assert.equal(belowOpts.status, DecodeStatus.BAD_IP_TOTAL_LENGTH);
});

test('IPv4 total length 0 (BIG TCP) counts wirelen − link header, status OK', () => {
  const f = decode(eth4({ totalLength: 0, proto: 6 }, tcp(5201, 40000, TCPFlag.ACK)), LinkType.ETHERNET, 80106);
  assert.equal(f.status, DecodeStatus.OK);
  assert.equal(f.bytes, 80106 - 14);
  assert.equal(f.dstPort, 40000);
});

test('snaplen truncation: total length past caplen is fine; cut transport header is not', () => {
  const full = eth4({ proto: 6 }, [...tcp(80, 1234, TCPFlag.PSH | TCPFlag.ACK), ...new Array(1400).fill(0x61)]);
  const cut = full.slice(0, 96);
  const f = decode(cut, LinkType.ETHERNET, full.length);
  assert.equal(f.status, DecodeStatus.OK);
  assert.equal(f.bytes, 1440);
  assert.equal(f.tcpFlags, 0x18);
  const g = decode(full.slice(0, 14 + 20 + 13), LinkType.ETHERNET, full.length); // flags byte missing
  assert.equal(g.status, DecodeStatus.TRUNCATED_TRANSPORT);
  assert.equal(g.srcPort, ABSENT);
  assert.equal(g.tcpFlags, ABSENT);
  assert.equal(g.src4, 0x0a000001);
  assert.equal(g.bytes, 1440);
  const u = decode(eth4({ proto: 17 }, udp(1, 2)).slice(0, 14 + 20 + 3));
  assert.equal(u.status, DecodeStatus.TRUNCATED_TRANSPORT);
  const i = decode(eth4({ proto: 1 }, icmp(8, 0)).slice(0, 14 + 20 + 1));
  assert.equal(i.status, DecodeStatus.TRUNCATED_TRANSPORT);
  assert.equal(i.icmpType, ABSENT);
});

test('TCP flags, all eight; data offset < 5 → BAD_TCP_HEADER_LENGTH', () => {
  const all = decode(eth4({ proto: 6 }, tcp(1, 2, 0xff)));
  assert.equal(all.tcpFlags, 0xff);
  assert.equal(all.status, DecodeStatus.OK);
  const rst = decode(eth4({ proto: 6 }, tcp(1, 2, TCPFlag.RST | TCPFlag.ACK, 8)));
  assert.equal(rst.tcpFlags, 0x14);
  const bad = decode(eth4({ proto: 6 }, tcp(1, 2, TCPFlag.SYN, 4)));
  assert.equal(bad.status, DecodeStatus.BAD_TCP_HEADER_LENGTH);
  assert.equal(bad.srcPort, 1); // read before the problem, kept
});

test('SCTP ports, ICMP type/code, other protocols count by number', () => {
  const s = decode(eth4({ proto: 132 }, [...be16(2905), ...be16(2906), ...be32(0), ...be32(0)]));
  assert.equal(s.srcPort, 2905);
  assert.equal(s.dstPort, 2906);
  const i = decode(eth4({ proto: 1 }, icmp(3, 13)));
  assert.equal(i.icmpType, 3);
  assert.equal(i.icmpCode, 13);
  assert.equal(i.srcPort, ABSENT);
  const gre = decode(eth4({ proto: 47 }, [0, 0, 0x08, 0x00, ...ipv4({ proto: 6 }, tcp(9, 9, 2))]));
  assert.equal(gre.status, DecodeStatus.OK);
  assert.equal(gre.proto, 47);
  assert.equal(gre.srcPort, ABSENT); // tunnels are not decapsulated
  assert.equal(gre.src4, 0x0a000001);
  assert.equal(gre.l4Off, 34);
});

test('IPv6 fixed header: addresses copied, hop limit, bytes = 40 + payload length', () => {
  const f = decode(eth6(17, udp(546, 547, [1, 2, 3, 4])));
  assert.equal(f.status, DecodeStatus.OK);
  assert.equal(f.ipVersion, 6);
  assert.deepEqual(Array.from(f.src6), SRC6);
  assert.deepEqual(Array.from(f.dst6), DST6);
  assert.equal(f.ttl, 64);
  assert.equal(f.proto, 17);
  assert.equal(f.bytes, 52);
  assert.equal(f.src4, ABSENT);
  assert.equal(f.l4Off, 54);
});

const ext = (next: number, lenUnits: number, body: number[] = []): number[] => {
  const out = [next, lenUnits, ...body];
  while (out.length < (lenUnits + 1) * 8) out.push(0);
  return out;
};

test('IPv6 extension headers: hop-by-hop, routing, destination options, AH', () => {
  const hbh = decode(eth6(0, [...ext(58, 0, [5, 2, 0, 0, 1, 0]), ...icmp(143, 0)]));
  assert.equal(hbh.proto, 58);
  assert.equal(hbh.icmpType, 143);
  assert.equal(hbh.l4Off, 14 + 48);
  const chain = [...ext(43, 0), ...ext(60, 2, [0, 2, 0, 0]), ...ext(17, 1), ...udp(53, 5353)];
  const rt = decode(eth6(0, chain));
  assert.equal(rt.status, DecodeStatus.OK);
  assert.equal(rt.proto, 17);
  assert.equal(rt.l4Off, 14 + 40 + 8 + 24 + 16);
  assert.equal(rt.dstPort, 5353);
  // AH: length in 4-byte words minus 2 (here 4 → 24 bytes)
  const ah = [6, 4, 0, 0, ...be32(0x100), ...be32(1), ...new Array(12).fill(0)];
  const a = decode(eth6(51, [...ah, ...tcp(179, 33000, TCPFlag.ACK)]));
  assert.equal(a.proto, 6);
  assert.equal(a.srcPort, 179);
  const none = decode(eth6(60, ext(59, 0)));
  assert.equal(none.proto, 59);
  assert.equal(none.status, DecodeStatus.OK);
});

test('IPv6 fragment header: first fragment has ports, later ones do not, atomic is whole', () => {
  const frag = (next: number, offMf: number) => [next, 0, ...be16(offMf), ...be32(0xabcd)];
  const first = decode(eth6(44, [...frag(17, 0x0001), ...udp(4000, 53)]));
  assert.equal(first.isFragment, 1);
  assert.equal(first.fragOffset, 0);
  assert.equal(first.srcPort, 4000);
  assert.equal(first.proto, 17);
  const later = decode(eth6(44, [...frag(17, (181 << 3) | 1), 1, 2, 3, 4, 5, 6, 7, 8]));
  assert.equal(later.isFragment, 1);
  assert.equal(later.fragOffset, 181);
  assert.equal(later.srcPort, ABSENT);
  assert.equal(later.proto, 17);
  assert.equal(later.status, DecodeStatus.OK);
  const atomic = decode(eth6(44, [...frag(58, 0), ...icmp(129, 0)]));
  assert.equal(atomic.isFragment, 0);
  assert.equal(atomic.icmpType, 129);
});

test('IPv6 jumbogram and BIG TCP byte counts', () => {
  // hop-by-hop, 16 bytes: two Pad1, Jumbo Payload (0xC2, len 4) = 70000, PadN of 4
  const hbh = [58, 1, 0, 0, 0xc2, 4, ...be32(70000), 1, 4, 0, 0, 0, 0];
  const j = decode(eth6(0, [...hbh, ...icmp(128, 0)], 0), LinkType.ETHERNET, 70054);
  assert.equal(j.status, DecodeStatus.OK);
  assert.equal(j.bytes, 70040);
  // the same option behind a hop-by-hop header when payload length is non-zero is ignored
  const k = decode(eth6(0, [...hbh, ...icmp(128, 0)]));
  assert.equal(k.bytes, 40 + 24);
  assert.equal(j.icmpType, 128);
  const big = decode(eth6(6, tcp(5201, 40000, TCPFlag.ACK), 0), LinkType.ETHERNET, 80094);
  assert.equal(big.status, DecodeStatus.OK);
  assert.equal(big.bytes, 80094 - 14);
  assert.equal(big.srcPort, 5201);
});

test('IPv6 malformed reasons', () => {
  const trunc = decode(eth6(17, []).slice(0, 14 + 39));
  assert.equal(trunc.status, DecodeStatus.TRUNCATED_IP);
  assert.equal(trunc.ipVersion, 0);
  const bad = ether(0x86dd, ipv6(17, udp(1, 2)));
  bad[14] = 0x00;
  assert.equal(decode(bad).status, DecodeStatus.BAD_IP_VERSION);
  // routing header claims 3 units (32 bytes) but only 8 are there
  const rt = decode(eth6(43, ext(17, 0)).map((b, i) => (i === 14 + 41 ? 3 : b)));
  assert.equal(rt.status, DecodeStatus.BAD_IPV6_EXTENSION);
  assert.equal(rt.proto, 43);
  assert.equal(rt.srcPort, ABSENT);
  assert.equal(rt.bytes, 48); // 40 + payload length
  const stub = decode(eth6(0, [17]));
  assert.equal(stub.status, DecodeStatus.BAD_IPV6_EXTENSION);
  // payload length bounds the chain, not just the capture
  const plenShort = decode(eth6(60, [...ext(17, 0), ...udp(1, 2)], 4));
  assert.equal(plenShort.status, DecodeStatus.BAD_IPV6_EXTENSION);
  const udpCut = decode(eth6(17, [0, 53, 0]));
  assert.equal(udpCut.status, DecodeStatus.TRUNCATED_TRANSPORT);
  assert.deepEqual(Array.from(udpCut.src6), SRC6);
});

test('ARP and RARP for IPv4 over Ethernet', () => {
  const arp = (op: number, hlen = 6, plen = 4) => [
    ...be16(1), ...be16(0x0800), hlen, plen, ...be16(op),
    ...MAC_A, 192, 168, 1, 1, 0, 0, 0, 0, 0, 0, 192, 168, 1, 254,
  ];
  const req = decode(ether(0x0806, arp(1)), LinkType.ETHERNET, 60);
  assert.equal(req.status, DecodeStatus.OK);
  assert.equal(req.arpOp, 1);
  assert.equal(req.arpSender4, 0xc0a80101);
  assert.equal(req.arpTarget4, 0xc0a801fe);
  assert.equal(req.l3Off, 14);
  assert.equal(req.bytes, 60);
  assert.equal(req.ipVersion, 0);
  const rarp = decode(ether(0x8035, arp(3)));
  assert.equal(rarp.arpOp, 3);
  assert.equal(rarp.arpSender4, 0xc0a80101);
  const bogusH = decode(ether(0x0806, arp(2, 200)));
  assert.equal(bogusH.status, DecodeStatus.TRUNCATED_ARP);
  assert.equal(bogusH.arpOp, 2);
  assert.equal(bogusH.arpSender4, ABSENT);
  const bogusP = decode(ether(0x0806, arp(2, 6, 2)));
  assert.equal(bogusP.status, DecodeStatus.TRUNCATED_ARP);
  const cut = decode(ether(0x0806, arp(1)).slice(0, 14 + 27));
  assert.equal(cut.status, DecodeStatus.TRUNCATED_ARP);
  assert.equal(cut.arpTarget4, ABSENT);
  const tiny = decode(ether(0x0806, [0, 1, 8]));
  assert.equal(tiny.status, DecodeStatus.TRUNCATED_ARP);
  assert.equal(tiny.arpOp, ABSENT);
  // ARP for another protocol (16-byte addresses): counted by op only
  const other = [...be16(1), ...be16(0x86dd), 6, 16, ...be16(1), ...new Array(44).fill(7)];
  const o = decode(ether(0x0806, other));
  assert.equal(o.status, DecodeStatus.OK);
  assert.equal(o.arpOp, 1);
  assert.equal(o.arpSender4, ABSENT);
});

test('a reused frame is fully reset between packets', () => {
  const f = decodeBothWays(ether(0x0800, ipv4({ proto: 6 }, tcp(1, 2, 2)), [[0x8100, 5]]), LinkType.ETHERNET).frame;
  assert.equal(f.vlan, 5);
  // decode a short ARP frame into the same object that held a VLAN-tagged TCP packet
  f.buf = Buffer.from(ether(0x0806, [0, 1, 8, 0, 6, 4, 0, 1]));
  f.off = 0;
  f.caplen = f.buf.length;
  f.wirelen = 60;
  f.linkType = LinkType.ETHERNET;
  const status = decodePacket(f);
  assert.equal(status, DecodeStatus.TRUNCATED_ARP);
  assert.equal(f.srcPort, ABSENT);
  assert.equal(f.vlanCount, 0);
  assert.equal(f.vlan, ABSENT);
  assert.equal(f.proto, ABSENT);
  assert.equal(f.bytes, 60);
});
