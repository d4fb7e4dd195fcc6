// A source that cannot know a packet's wire length (live capture through cap) passes 0; the
// decoder then derives it: link header + IP length, never less than what was captured.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePacket } from '../src/decode/decode.js';
import { Frame, LinkType } from '../src/decode/frame.js';
import { buildFrame } from './support/pcap-builder.js';

function decodeUnknownLength(bytes: Buffer, caplen: number): Frame {
  const f = new Frame();
  f.buf = bytes;
  f.off = 0;
  f.caplen = caplen;
  f.wirelen = 0;
  f.linkType = LinkType.ETHERNET;
  decodePacket(f);
  return f;
}

test('wire length 0: taken from the IP header when the capture was cut short', () => {
  const full = buildFrame({ t: 0, src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', sport: 1, dport: 2, payload: 1000 });
  const f = decodeUnknownLength(full, 60);
  assert.equal(f.wirelen, full.length); // 14 + 20 + 8 + 1000
  assert.equal(f.bytes, full.length - 14);
  const v6 = buildFrame({ t: 0, src: '2001:db8::1', dst: '2001:db8::2', proto: 'tcp', sport: 1, dport: 2, payload: 500 });
  assert.equal(decodeUnknownLength(v6, 80).wirelen, v6.length);
});

test('wire length 0: the captured length for non-IP frames and Ethernet padding', () => {
  const arp = Buffer.alloc(60);
  arp.writeUInt16BE(0x0806, 12);
  assert.equal(decodeUnknownLength(arp, 60).wirelen, 60);
  // A 20-byte IP packet padded to the 60-byte Ethernet minimum: the frame is 60 on the wire.
  const small = Buffer.concat([buildFrame({ t: 0, src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', sport: 1, dport: 2 }), Buffer.alloc(18)]);
  const f = decodeUnknownLength(small, small.length);
  assert.equal(f.wirelen, 60);
  assert.equal(f.bytes, 28);
});
