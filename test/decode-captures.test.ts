// Every shared capture (real and malformed) decodes to the end without throwing, reads
// nothing past caplen, and the malformed ones land in the reason their README entry (made
// with tshark/tcpdump, not with this code) describes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { DECODE_STATUS_NAMES, DecodeStatus, Frame } from '../src/decode/frame.js';
import {
  MALFORMED_DIR, REAL_DIR, decodeBothWays, decodeRecord, forEachRecord, listCaptures,
} from './decode-helpers.js';

interface Tally { records: number; status: Map<number, number>; frames: ReturnType<typeof summary>[] }

function summary(f: Frame) {
  return {
    status: f.status, bytes: f.bytes, wirelen: f.wirelen, caplen: f.caplen, proto: f.proto,
    tcpFlags: f.tcpFlags, ipVersion: f.ipVersion, srcPort: f.srcPort,
  };
}

async function decodeFile(file: string): Promise<Tally> {
  const f = new Frame();
  const t: Tally = { records: 0, status: new Map(), frames: [] };
  t.records = await forEachRecord(file, (r) => {
    decodeRecord(f, r);
    assert.ok(f.status >= 0 && f.status < DECODE_STATUS_NAMES.length, `status ${f.status}`);
    t.status.set(f.status, (t.status.get(f.status) ?? 0) + 1);
    t.frames.push(summary(f));
    // Same bytes placed inside a larger garbage-filled buffer must decode the same.
    const both = decodeBothWays(r.buf.subarray(r.off, r.off + r.caplen), r.linkType, r.wirelen);
    assert.deepEqual(both.loose, both.tight);
  });
  return t;
}

const tallies = new Map<string, Tally>();
const files = [...listCaptures(REAL_DIR), ...listCaptures(MALFORMED_DIR)];

test('every shared capture decodes to the end; record counts match capinfos', async () => {
  for (const file of files) {
    const t = await decodeFile(file);
    tallies.set(path.basename(file), t);
    const out = execFileSync('capinfos', ['-M', '-c', '-T', '-r', file], { encoding: 'utf8' });
    const expected = Number(out.trim().split('\t')[1]);
    assert.equal(t.records, expected, `${path.basename(file)}: records`);
  }
  assert.ok(tallies.size >= 100);
});

function only(name: string): Tally {
  const t = tallies.get(name);
  assert.ok(t, `${name} was decoded`);
  return t;
}
const count = (t: Tally, s: number): number => t.status.get(s) ?? 0;

test('well-formed captures decode cleanly, except the unsupported IPNET link type', () => {
  for (const file of listCaptures(REAL_DIR)) {
    const name = path.basename(file);
    const t = only(name);
    if (name === 'e1000g.pcap') {
      assert.equal(count(t, DecodeStatus.UNSUPPORTED_LINK_TYPE), 20);
      continue;
    }
    assert.equal(count(t, DecodeStatus.OK), t.records, `${name}: ${JSON.stringify([...t.status])}`);
  }
});

test('malformed captures are classified as their README describes', () => {
  const one = (name: string, status: number) => {
    const t = only(name);
    assert.equal(t.records, 1, name);
    assert.equal(t.frames[0]!.status, status, `${name}: got ${DECODE_STATUS_NAMES[t.frames[0]!.status]}`);
    return t.frames[0]!;
  };
  one('ipv4_invalid_hdr_length.pcap', DecodeStatus.BAD_IP_HEADER_LENGTH); // IHL 4
  one('ipv4_invalid_length.pcap', DecodeStatus.TRUNCATED_IP); // ends inside the header
  const tl = one('ipv4_invalid_total_length_2.pcap', DecodeStatus.BAD_IP_TOTAL_LENGTH); // 19
  assert.equal(tl.bytes, tl.wirelen - 14);
  one('ipv6_39_byte_header.pcap', DecodeStatus.TRUNCATED_IP);
  one('ipv6_invalid_length.pcap', DecodeStatus.TRUNCATED_IP);
  one('bad-ipv4-version-pgm-heapoverflow.pcap', DecodeStatus.BAD_IP_VERSION); // nibble 6
  one('heap-overflow-1.pcap', DecodeStatus.BAD_IP_VERSION); // RAW, version 3
  one('LINKTYPE_IPV4_invalid.pcap', DecodeStatus.BAD_IP_VERSION);
  one('LINKTYPE_IPV6_invalid.pcap', DecodeStatus.BAD_IP_VERSION);
  one('ipv6-rthdr-oobr.pcap', DecodeStatus.BAD_IPV6_EXTENSION);
  one('ipv6-next-header-oobr-1.pcap', DecodeStatus.BAD_IPV6_EXTENSION);
  one('ipv6-next-header-oobr-2.pcap', DecodeStatus.BAD_IPV6_EXTENSION);
  // tshark: frames 1 and 3 are eth:ipv6:icmpv6, frames 2 and 4 undecodable 'data'
  const v6 = only('ipv6-bad-version.pcap');
  assert.deepEqual(v6.frames.map((x) => x.status), [0, 4, 0, 4]);
  // BIG TCP: IP length fields 0; bytes come from the wire length less Ethernet
  const b4 = one('bigtcp-ipv4.pcap', DecodeStatus.OK);
  assert.equal(b4.bytes, 80106 - 24 - 16 - 14);
  const b6 = one('bigtcp-ipv6.pcap', DecodeStatus.OK);
  assert.equal(b6.bytes, 80094 - 24 - 16 - 14);
  assert.equal(one('tcp_eight_lowest_weight_flags_set.pcap', DecodeStatus.OK).tcpFlags, 0xff);
  // the fuzzed ARP file: some frames have address lengths that run past the data
  const arp = only('arp-oobr.pcap');
  assert.equal(arp.records, 2282);
  assert.ok(count(arp, DecodeStatus.TRUNCATED_ARP) > 0);
  // snaplen-truncated records are not malformed
  const quic = only('quic_handshake_truncated.pcap');
  assert.equal(quic.frames.filter((x) => x.caplen < x.wirelen).length, 4);
  assert.equal(count(quic, DecodeStatus.OK), 18);
});
