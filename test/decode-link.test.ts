// Link-layer decoding on hand-built frames: every supported link type, 802.3/LLC, VLAN
// stacks, and truncated link headers. Each case also runs at an offset inside a larger
// buffer with garbage after caplen, and must decode identically (no read past caplen).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABSENT, DecodeStatus, LinkType } from '../src/decode/frame.js';
import {
  MAC_A, MAC_B, be16, be32, decodeBothWays, ether, ipv4, ipv6, tcp, udp,
} from './decode-helpers.js';

const MAC_A_NUM = 0x001122334455;
const MAC_B_NUM = 0x02aabbccddee;

function decode(bytes: number[], linkType: number, wirelen?: number) {
  const r = decodeBothWays(bytes, linkType, wirelen);
  assert.deepEqual(r.loose, r.tight, 'decode inside a larger buffer differs from tight decode');
  return r.frame;
}

test('Ethernet IPv4 TCP: MACs, ether types, offsets', () => {
  const f = decode(ether(0x0800, ipv4({ proto: 6 }, tcp(1234, 80, 0x02))), LinkType.ETHERNET);
  assert.equal(f.status, DecodeStatus.OK);
  assert.equal(f.dstMac, MAC_B_NUM);
  assert.equal(f.srcMac, MAC_A_NUM);
  assert.equal(f.outerEtherType, 0x0800);
  assert.equal(f.etherType, 0x0800);
  assert.equal(f.vlanCount, 0);
  assert.equal(f.vlan, ABSENT);
  assert.equal(f.l3Off, 14);
  assert.equal(f.l4Off, 34);
  assert.equal(f.bytes, 40);
});

test('802.3 length field (LLC): etherType ABSENT, status OK, bytes = wirelen', () => {
  const llc = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, 1, 2, 3, 4];
  const f = decode([...MAC_B, ...MAC_A, ...be16(llc.length), ...llc], LinkType.ETHERNET, 64);
  assert.equal(f.status, DecodeStatus.OK);
  assert.equal(f.etherType, ABSENT);
  assert.equal(f.outerEtherType, ABSENT);
  assert.equal(f.srcMac, MAC_A_NUM);
  assert.equal(f.bytes, 64);
  assert.equal(f.ipVersion, 0);
});

test('other ether types count with status OK and wire bytes', () => {
  const f = decode(ether(0x88cc, [1, 2, 3, 4, 5, 6]), LinkType.ETHERNET, 60);
  assert.equal(f.status, DecodeStatus.OK);
  assert.equal(f.etherType, 0x88cc);
  assert.equal(f.bytes, 60);
  assert.equal(f.proto, ABSENT);
});

test('VLAN stacks: 802.1Q, 802.1ad + 802.1Q, 0x9100, outermost first', () => {
  const one = decode(ether(0x0800, ipv4({ proto: 17 }, udp(53, 53)), [[0x8100, 0x2064]]), LinkType.ETHERNET);
  assert.equal(one.status, DecodeStatus.OK);
  assert.equal(one.vlanCount, 1);
  assert.equal(one.vlan, 100); // priority bits 0x2000 stripped
  assert.equal(one.outerEtherType, 0x8100);
  assert.equal(one.etherType, 0x0800);
  assert.equal(one.l3Off, 18);
  assert.equal(one.srcPort, 53);

  const two = decode(ether(0x86dd, ipv6(17, udp(1, 2)), [[0x88a8, 10], [0x8100, 4095]]), LinkType.ETHERNET);
  assert.equal(two.status, DecodeStatus.OK);
  assert.deepEqual(Array.from(two.vlanIds.subarray(0, two.vlanCount)), [10, 4095]);
  assert.equal(two.vlan, 10);
  assert.equal(two.outerEtherType, 0x88a8);
  assert.equal(two.etherType, 0x86dd);
  assert.equal(two.l3Off, 22);

  const old = decode(ether(0x0806, [], [[0x9100, 7], [0x9100, 8], [0x8100, 9]]), LinkType.ETHERNET);
  assert.deepEqual(Array.from(old.vlanIds.subarray(0, old.vlanCount)), [7, 8, 9]);
  assert.equal(old.outerEtherType, 0x9100);
  assert.equal(old.etherType, 0x0806);
});

test('more VLAN tags than MAX_VLAN_TAGS: first four kept, payload still found', () => {
  const tags: Array<[number, number]> = [1, 2, 3, 4, 5, 6].map((id) => [0x8100, id]);
  const f = decode(ether(0x0800, ipv4({ proto: 17 }, udp(7, 9)), tags), LinkType.ETHERNET);
  assert.equal(f.status, DecodeStatus.OK);
  assert.equal(f.vlanCount, 4);
  assert.deepEqual(Array.from(f.vlanIds), [1, 2, 3, 4]);
  assert.equal(f.l3Off, 14 + 24);
  assert.equal(f.dstPort, 9);
});

test('truncated Ethernet header and truncated VLAN tag → TRUNCATED_LINK', () => {
  const short = decode([...MAC_B, ...MAC_A, 0x08], LinkType.ETHERNET);
  assert.equal(short.status, DecodeStatus.TRUNCATED_LINK);
  assert.equal(short.srcMac, MAC_A_NUM); // MACs were there
  assert.equal(short.etherType, ABSENT);
  const tiny = decode([1, 2, 3], LinkType.ETHERNET);
  assert.equal(tiny.status, DecodeStatus.TRUNCATED_LINK);
  assert.equal(tiny.srcMac, ABSENT);
  const tag = decode([...MAC_B, ...MAC_A, 0x81, 0x00, 0x00, 0x05, 0x08], LinkType.ETHERNET);
  assert.equal(tag.status, DecodeStatus.TRUNCATED_LINK);
  assert.equal(tag.vlanCount, 0);
  assert.equal(tag.etherType, ABSENT);
  const empty = decode([], LinkType.ETHERNET);
  assert.equal(empty.status, DecodeStatus.TRUNCATED_LINK);
});

test('Linux SLL: 16-byte header, protocol at 14, source address when length 6', () => {
  const hdr = [...be16(0), ...be16(1), ...be16(6), ...MAC_A, 0, 0, ...be16(0x0800)];
  const f = decode([...hdr, ...ipv4({ proto: 17 }, udp(5353, 5353))], LinkType.LINUX_SLL);
  assert.equal(f.status, DecodeStatus.OK);
  assert.equal(f.srcMac, MAC_A_NUM);
  assert.equal(f.dstMac, ABSENT);
  assert.equal(f.etherType, 0x0800);
  assert.equal(f.outerEtherType, ABSENT);
  assert.equal(f.l3Off, 16);
  assert.equal(f.srcPort, 5353);
  // address length 4 (e.g. an IP tunnel device): no MAC
  const t = [...be16(4), ...be16(768), ...be16(4), 1, 2, 3, 4, 0, 0, 0, 0, ...be16(0x86dd)];
  const g = decode([...t, ...ipv6(58, [128, 0, 0, 0])], LinkType.LINUX_SLL);
  assert.equal(g.srcMac, ABSENT);
  assert.equal(g.etherType, 0x86dd);
  assert.equal(g.icmpType, 128);
  assert.equal(decode(hdr.slice(0, 15), LinkType.LINUX_SLL).status, DecodeStatus.TRUNCATED_LINK);
  // protocol 0x0004 (802.2 LLC pseudo-protocol) is not an ether type
  const llc = decode([...hdr.slice(0, 14), 0, 4, 0x42, 0x42, 3], LinkType.LINUX_SLL);
  assert.equal(llc.status, DecodeStatus.OK);
  assert.equal(llc.etherType, ABSENT);
});

test('Linux SLL2: 20-byte header, protocol at 0, address at 12', () => {
  const hdr = [...be16(0x0806), 0, 0, ...be32(3), ...be16(1), 4, 6, ...MAC_A, 0, 0];
  const arp = [...be16(1), ...be16(0x0800), 6, 4, ...be16(1), ...MAC_A, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2];
  const f = decode([...hdr, ...arp], LinkType.LINUX_SLL2);
  assert.equal(f.status, DecodeStatus.OK);
  assert.equal(f.srcMac, MAC_A_NUM);
  assert.equal(f.etherType, 0x0806);
  assert.equal(f.l3Off, 20);
  assert.equal(f.arpOp, 1);
  assert.equal(f.arpSender4, 0x0a000001);
  assert.equal(f.arpTarget4, 0x0a000002);
  assert.equal(decode(hdr.slice(0, 19), LinkType.LINUX_SLL2).status, DecodeStatus.TRUNCATED_LINK);
});

test('BSD NULL: address family in either byte order, all AF_INET6 values', () => {
  const v4 = ipv4({ proto: 17 }, udp(500, 500));
  const le = decode([2, 0, 0, 0, ...v4], LinkType.NULL);
  const be = decode([0, 0, 0, 2, ...v4], LinkType.NULL);
  for (const f of [le, be]) {
    assert.equal(f.status, DecodeStatus.OK);
    assert.equal(f.etherType, 0x0800);
    assert.equal(f.ipVersion, 4);
    assert.equal(f.l3Off, 4);
    assert.equal(f.srcPort, 500);
  }
  for (const af of [24, 28, 30]) {
    const a = decode([af, 0, 0, 0, ...ipv6(17, udp(443, 5000))], LinkType.NULL);
    const b = decode([0, 0, 0, af, ...ipv6(17, udp(443, 5000))], LinkType.NULL);
    assert.equal(a.ipVersion, 6, `AF ${af} little-endian`);
    assert.equal(b.ipVersion, 6, `AF ${af} big-endian`);
    assert.equal(b.srcPort, 443);
  }
  const other = decode([7, 0, 0, 0, 1, 2, 3], LinkType.NULL);
  assert.equal(other.status, DecodeStatus.OK);
  assert.equal(other.etherType, ABSENT);
  assert.equal(decode([2, 0, 0], LinkType.NULL).status, DecodeStatus.TRUNCATED_LINK);
  // AF_INET header but an IPv6 packet behind it
  assert.equal(decode([2, 0, 0, 0, ...ipv6(59, [])], LinkType.NULL).status, DecodeStatus.BAD_IP_VERSION);
});

test('LOOP: address family in network byte order', () => {
  const f = decode([0, 0, 0, 24, ...ipv6(58, [135, 0, 0, 0])], LinkType.LOOP);
  assert.equal(f.ipVersion, 6);
  assert.equal(f.icmpType, 135);
  // 2 little-endian is 0x02000000 in network order: not a family we know
  const g = decode([2, 0, 0, 0, ...ipv4({}, tcp(1, 2, 0))], LinkType.LOOP);
  assert.equal(g.etherType, ABSENT);
  assert.equal(g.ipVersion, 0);
});

test('RAW, IPV4, IPV6 link types: version nibble and declared type', () => {
  const v4 = ipv4({ proto: 6 }, tcp(22, 40000, 0x18));
  const v6 = ipv6(17, udp(547, 546));
  const r4 = decode(v4, LinkType.RAW);
  assert.equal(r4.etherType, 0x0800);
  assert.equal(r4.l3Off, 0);
  assert.equal(r4.tcpFlags, 0x18);
  const r6 = decode(v6, LinkType.RAW);
  assert.equal(r6.etherType, 0x86dd);
  assert.equal(r6.srcPort, 547);
  assert.equal(decode([0x30], LinkType.RAW).status, DecodeStatus.BAD_IP_VERSION);
  assert.equal(decode([], LinkType.RAW).status, DecodeStatus.TRUNCATED_IP);
  assert.equal(decode(v4, LinkType.IPV4).srcPort, 22);
  assert.equal(decode(v6, LinkType.IPV6).dstPort, 546);
  const mixed4 = decode(v6, LinkType.IPV4);
  assert.equal(mixed4.status, DecodeStatus.BAD_IP_VERSION);
  assert.equal(mixed4.ipVersion, 0);
  assert.equal(decode(v4, LinkType.IPV6).status, DecodeStatus.BAD_IP_VERSION);
});

test('unknown link type → UNSUPPORTED_LINK_TYPE, bytes = wirelen', () => {
  const f = decode([1, 2, 3, 4], 226, 1500);
  assert.equal(f.status, DecodeStatus.UNSUPPORTED_LINK_TYPE);
  assert.equal(f.bytes, 1500);
  assert.equal(f.etherType, ABSENT);
});
