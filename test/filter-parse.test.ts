// Parser rules of the filter language: precedence (and/or equal and left-associative, not
// tighter), qualifier inheritance (`host a and b`, `port 25 or 587`, `src host a or b`),
// `$name` variables, and the refusal of everything it cannot handle with line:column and a
// reason. Expected selections are worked out by hand from pcap-filter(7) and cross-checked
// against tcpdump on the same packets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Frame } from '../src/decode/frame.js';
import { compileFilter, FilterError } from '../src/filter/compile-filter.js';
import { buildFrame, writePcap, type PacketSpec } from './support/pcap-builder.js';
import { REAL_PCAPS } from './support/paths.js';

const P: PacketSpec[] = [
  { t: 1, src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', sport: 1000, dport: 2000 }, // 1
  { t: 2, src: '10.0.0.1', dst: '10.0.0.3', proto: 'tcp', sport: 40000, dport: 53 }, // 2
  { t: 3, src: '10.0.0.3', dst: '10.0.0.2', proto: 'udp', sport: 40001, dport: 53 }, // 3
  { t: 4, src: '10.0.0.2', dst: '10.0.0.1', proto: 'tcp', sport: 80, dport: 40002 }, // 4
  { t: 5, src: '10.0.0.4', dst: '10.0.0.5', proto: 'tcp', sport: 40003, dport: 25 }, // 5
  { t: 6, src: '10.0.0.5', dst: '10.0.0.4', proto: 'tcp', sport: 40004, dport: 587 }, // 6
  { t: 7, src: '10.0.0.2', dst: '10.0.0.4', proto: 'tcp', sport: 443, dport: 40005 }, // 7
];
const frames = P.map((p) => buildFrame(p));

function select(expr: string, vars?: Record<string, string>): number[] {
  const flt = compileFilter(expr, vars);
  const f = new Frame();
  const out: number[] = [];
  frames.forEach((b, i) => {
    f.buf = b; f.off = 0; f.caplen = b.length; f.wirelen = b.length; f.linkType = 1;
    if (flt.test(f)) out.push(i + 1);
  });
  return out;
}

let tcpdumpFile = '';
function tcpdumpSelect(expr: string): number[] {
  if (!tcpdumpFile) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
    tcpdumpFile = path.join(dir, 'p.pcap');
    writePcap(tcpdumpFile, P);
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  const out = execFileSync('tcpdump', ['-r', tcpdumpFile, '-nn', '-tt', expr], { stdio: ['ignore', 'pipe', 'ignore'] });
  return out.toString().trim().split('\n').filter(Boolean).map((l) => Math.round(Number(l.split(' ')[0])));
}

const CASES: [string, number[], string?][] = [
  // precedence: `udp or tcp and port 53` is `(udp or tcp) and port 53`
  ['udp or tcp and port 53', [2, 3]],
  ['udp or (tcp and port 53)', [1, 2, 3]],
  ['portrange 53', [2, 3]],
  ['not udp and port 53', [2]],
  ['not (udp and port 53)', [1, 2, 4, 5, 6, 7]],
  ['! udp && port 53', [2]],
  ['tcp || udp && dst port 2000', [1]],
  ['not not tcp and not port 80', [2, 5, 6, 7]],
  // inheritance
  ['host 10.0.0.1 and 10.0.0.2', [1, 4]],
  ['port 25 or 587', [5, 6]],
  ['src host 10.0.0.1 or 10.0.0.2', [1, 2, 4, 7]],
  ['dst port 53 or 2000', [1, 2, 3]],
  ['tcp src port 80 or 443', [4, 7]],
  ['host 10.0.0.4 and not 10.0.0.5', [7]],
  ['host (10.0.0.3 or 10.0.0.5)', [2, 3, 5, 6]],
  ['tcp and dst host 10.0.0.2 or 10.0.0.4', [6, 7]],
  ['(dst port 53 or 25) and tcp', [2, 5]],
  ['src or dst host 10.0.0.3', [2, 3]],
  ['src and dst net 10.0.0.2/31', [3]],
];

test('precedence and qualifier inheritance select what pcap-filter(7) says, and what tcpdump selects', () => {
  for (const [expr, want] of CASES) {
    assert.deepEqual(select(expr), want, expr);
    assert.deepEqual(tcpdumpSelect(expr), want, `tcpdump disagrees on ${expr}`);
  }
});

test('$variables expand (grouped, so precedence holds) and report unknown names at their column', () => {
  assert.deepEqual(select('port $mail', { mail: '25 or 587' }), [5, 6]);
  // Wrapped in parentheses: `tcp and dst host ($x)`, not `(tcp and dst host a) or b`.
  assert.deepEqual(select('udp and dst host $x', { x: '10.0.0.2 or 10.0.0.4' }), [1, 3]);
  assert.deepEqual(select('$t and port 53', { t: 'tcp' }), [2]);
  assert.throws(() => compileFilter('tcp and host $nope', { other: '1' }),
    (e: unknown) => e instanceof FilterError && e.message === "1:14: unknown variable '$nope'");
  assert.throws(() => compileFilter('tcp and port $p', { p: 'ssh or' }),
    (e: unknown) => e instanceof FilterError && e.message === "1:14: expected an expression after 'or'");
});

const ERRORS: [string, string][] = [
  ['tcp port', "1:9: expected a port number or name after 'port'"],
  ['tcp and port 99999', '1:14: illegal port number 99999 > 65535'],
  ['port nosuchservice', "1:6: unknown port 'nosuchservice'"],
  ['udp port ssh', "1:10: port 'ssh' is tcp"],
  ['tcp port ntp', "1:10: port 'ntp' is udp"],
  ['ip port 22', "1:1: illegal qualifier of 'port'"],
  ['portrange 10-x', "1:11: unknown port in range '10-x'"],
  ['portrange 70000', '1:11: illegal port number 70000 > 65535'],
  ['host mail.example.com', "1:6: unknown host 'mail.example.com' (host names are not looked up; write an address)"],
  ['net 10.0.0.1/8', '1:5: non-network bits set in "10.0.0.1/8"'],
  ['net 10.0.0.0/33', "1:14: expected a prefix length 0-32 after '/'"],
  ['net 10.0.0.0 mask 255.0.0.x', "1:19: expected a dotted IPv4 netmask after 'mask'"],
  ['host 10.0.0.0/8', "1:14: a mask is only allowed with 'net' (write 'net A/len')"],
  ['net 2001:db8::1/32', '1:5: non-network bits set in "2001:db8::1/32"'],
  ['ip6 host 10.0.0.1', "1:1: 'ip6' modifier applied to ip host"],
  ['ip host ::1', "1:1: 'ip' modifier applied to ip6 host"],
  ['tcp host 10.0.0.1', "1:1: 'tcp' modifier applied to host"],
  ['host 00:11:22:33:44:55', "1:6: an Ethernet address needs the 'ether' qualifier (ether host ...)"],
  ['ether host 10.0.0.1', "1:12: expected an Ethernet address such as 00:11:22:33:44:55, not '10.0.0.1'"],
  ['10.0.0.1', "1:1: '10.0.0.1' needs a qualifier in front, such as 'host', 'net' or 'port'"],
  ['tcp and 80', "1:9: '80' needs a qualifier in front, such as 'host', 'net' or 'port'"],
  ['vlan 5000', '1:6: VLAN tag 5000 greater than maximum 4095'],
  ['ip[1:3] = 1', '1:6: data size must be 1, 2, or 4'],
  ['ip[0] / 0 = 1', '1:7: division by zero'],
  ['ip[0] % 0 = 1', '1:7: modulus by zero'],
  ['tcp[13] & 2', "1:12: expected a comparison ('=', '!=', '<', '>', '<=', '>=') after the arithmetic expression"],
  ['tcp[13 = 2', "1:8: expected ']' to close 'tcp['"],
  ['(tcp', "1:1: '(' is never closed"],
  ['tcp)', "1:4: unbalanced ')'"],
  ['tcp udp', "1:5: expected 'and' or 'or' before 'udp'"],
  ['tcp and', "1:5: expected an expression after 'and'"],
  ['not', "1:1: expected an expression after 'not'"],
  ['', '1:1: empty filter expression'],
  ['and tcp', "1:1: expected an expression before 'and'"],
  ['gateway 10.0.0.1', "1:1: 'gateway' is not supported by spanwatch filters"],
  ['inbound', "1:1: 'inbound' is not supported by spanwatch filters"],
  ['frobnicate', "1:1: 'frobnicate' needs a qualifier in front, such as 'host', 'net' or 'port'"],
  ['ether', "1:1: 'ether' needs a qualifier after it, such as 'host' or 'proto'"],
  ['ip proto 300', '1:10: protocol number 300 is out of range (0-255)'],
  ['ip proto nosuch', "1:10: unknown ip proto 'nosuch'"],
  ['ether proto \\nosuch', "1:13: unknown ether proto 'nosuch'"],
  ['src proto 6', "1:1: 'src'/'dst' cannot qualify 'proto'"],
  ['tcp proto 6', "1:1: illegal qualifier of 'proto' ('tcp proto')"],
  ['less', "1:5: expected a length after 'less'"],
  ['tcp and port 25 #', "1:17: unexpected character '#'"],
  ['len > 99999999999', "1:7: '99999999999' is not a valid 32-bit number"],
  ['ip[8] < foo', "1:9: expected a number, 'len' or a header access such as 'ip[8]', not 'foo'"],
  ['ip[8] <', '1:8: expression ends where a value was expected'],
  ['host\n  and tcp', "2:3: expected an address after 'host'"],
  ['tcp and $', "1:9: expected a variable name after '$'"],
];

test('every refusal names line:column and a reason', () => {
  for (const [expr, message] of ERRORS) {
    assert.throws(() => compileFilter(expr), (e: unknown) => {
      assert.ok(e instanceof FilterError, `${expr}: not a FilterError: ${String(e)}`);
      assert.equal(e.message, message, expr);
      assert.equal(`${e.line}:${e.column}: ${e.reason}`, message);
      return true;
    });
  }
});

test('tcpdump also refuses the expressions we refuse for libpcap reasons', () => {
  // Host names are the one deliberate difference: libpcap would look them up in DNS.
  const accepts = (expr: string): boolean => {
    try {
      execFileSync('tcpdump', ['-d', '-r', path.join(REAL_PCAPS, 'ssh.pcap'), expr], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  assert.equal(accepts('tcp and port 25'), true, 'control: tcpdump must accept a valid expression');
  const libpcapRefusals = ERRORS.map(([e]) => e).filter((e) => e !== '' && !e.includes('$') && !e.startsWith('host mail'));
  // Where we are deliberately stricter than tcpdump (it compiles these into filters that can
  // never match, or guesses a meaning); refusing says so instead of matching nothing silently.
  const STRICTER = new Set(['ip proto 300']);
  const accepted = libpcapRefusals.filter((e) => accepts(e));
  assert.deepEqual(accepted.filter((e) => !STRICTER.has(e)), [], 'tcpdump accepts these, which we refuse');
  assert.deepEqual(accepted.filter((e) => STRICTER.has(e)), [...STRICTER], 'the stricter list is current');
});
