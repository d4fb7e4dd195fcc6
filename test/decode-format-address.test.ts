// Address formatters used at the edges (CSV, email). Oracles: the examples in RFC 5952 and,
// for random addresses, the WHATWG URL host serializer built into Node, which follows the
// same compression rules (longest run of ≥ 2 zero groups, first on ties, lower case, no
// leading zeros) but never uses mixed IPv4 notation, so mapped addresses are left out there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv4, formatIPv6, formatMAC } from '../src/decode/format-address.js';

const v6 = (groups: number[]): Uint8Array => {
  const b = new Uint8Array(16);
  groups.forEach((g, i) => {
    b[2 * i] = g >> 8;
    b[2 * i + 1] = g & 0xff;
  });
  return b;
};

test('formatIPv4: unsigned and signed int32 forms', () => {
  assert.equal(formatIPv4(0xc0a80001), '192.168.0.1');
  assert.equal(formatIPv4(0), '0.0.0.0');
  assert.equal(formatIPv4(0xffffffff), '255.255.255.255');
  assert.equal(formatIPv4(0x0a000001 | 0), '10.0.0.1');
  assert.equal(formatIPv4(0xcb007101 | 0), '203.0.113.1'); // negative as int32
  for (let i = 0; i < 1000; i++) {
    const bytes = [0, 0, 0, 0].map(() => Math.floor(Math.random() * 256));
    const n = bytes[0]! * 2 ** 24 + bytes[1]! * 2 ** 16 + bytes[2]! * 256 + bytes[3]!;
    assert.equal(formatIPv4(n), bytes.join('.'));
  }
});

test('formatIPv6: RFC 5952 examples', () => {
  assert.equal(formatIPv6(v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])), '2001:db8::1'); // §4.2.1
  assert.equal(formatIPv6(v6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1])), '2001:db8:0:1:1:1:1:1'); // §4.2.2
  assert.equal(formatIPv6(v6([0x2001, 0, 0, 1, 0, 0, 0, 1])), '2001:0:0:1::1'); // §4.2.3 longest
  assert.equal(formatIPv6(v6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])), '2001:db8::1:0:0:1'); // tie: first
  assert.equal(formatIPv6(v6([0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 0xaaaa])),
    '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa'); // §4.3 lower case
  assert.equal(formatIPv6(v6([0x2001, 0x0db8, 0, 0, 0, 0, 0x0001, 0])), '2001:db8::1:0');
  assert.equal(formatIPv6(v6([0, 0, 0, 0, 0, 0, 0, 0])), '::');
  assert.equal(formatIPv6(v6([0, 0, 0, 0, 0, 0, 0, 1])), '::1');
  assert.equal(formatIPv6(v6([1, 0, 0, 0, 0, 0, 0, 0])), '1::');
  assert.equal(formatIPv6(v6([0xfe80, 0, 0, 0, 0x211, 0x22ff, 0xfe33, 0x4455])), 'fe80::211:22ff:fe33:4455');
  assert.equal(formatIPv6(v6([0xff02, 0, 0, 0, 0, 0, 0, 0xfb])), 'ff02::fb');
});

test('formatIPv6: IPv4-mapped addresses in mixed notation (RFC 5952 §5)', () => {
  assert.equal(formatIPv6(v6([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304])), '::ffff:1.2.3.4');
  assert.equal(formatIPv6(v6([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0280])), '::ffff:192.0.2.128');
  assert.equal(formatIPv6(v6([0, 0, 0, 0, 0, 0xffff, 0, 0])), '::ffff:0.0.0.0');
  // not mapped: ::ffff:0:0:0/96 style and a mapped-like prefix elsewhere stay hex
  assert.equal(formatIPv6(v6([0, 0, 0, 0, 0xffff, 0, 0x0102, 0x0304])), '::ffff:0:102:304');
  assert.equal(formatIPv6(v6([1, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304])), '1::ffff:102:304');
});

test('formatIPv6: random addresses agree with the WHATWG URL serializer', () => {
  const pick = [0, 0, 0, 0, 1, 0xffff, 0x10, 0xabc, 0x2001, 0xdb8];
  for (let i = 0; i < 5000; i++) {
    const groups = Array.from({ length: 8 }, () =>
      Math.random() < 0.8 ? pick[Math.floor(Math.random() * pick.length)]! : Math.floor(Math.random() * 65536));
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) continue; // mapped
    const oracle = new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname;
    assert.equal(`[${formatIPv6(v6(groups))}]`, oracle, groups.join(','));
  }
});

test('formatMAC: colon-separated lower-case hex, 48 bits exact; ABSENT is empty', () => {
  assert.equal(formatMAC(0x001122334455), '00:11:22:33:44:55');
  assert.equal(formatMAC(0xffffffffffff), 'ff:ff:ff:ff:ff:ff');
  assert.equal(formatMAC(0x02aabbccddee), '02:aa:bb:cc:dd:ee');
  assert.equal(formatMAC(0), '00:00:00:00:00:00');
  assert.equal(formatMAC(0x800000000001), '80:00:00:00:00:01');
  assert.equal(formatMAC(-1), '');
});
