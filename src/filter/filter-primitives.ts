// Builds qualified primitives (`src net 10.0.0.0/8`, `udp port domain`, `ip6 proto 58`,
// `ether host 00:11:..`) from qualifiers and a value token, with libpcap's checks and its
// wording for refusals ("non-network bits set", "port 'ssh' is tcp", ...). Parse time only.

import { isIPv4, isIPv6 } from 'node:net';
import type { Bool, Dir } from './filter-ast.js';
import { fail, isMAC, parseMAC, parseNumber, type Token } from './filter-lexer.js';
import { ETHER_PROTOCOLS, IP_PROTOCOLS, SERVICES, ServiceProto } from './filter-names.js';

export interface Qual {
  proto: string; // default, ether, ip, ip6, arp, rarp, tcp, udp, sctp, icmp, icmp6
  dir: Dir | 'default';
  type: 'default' | 'host' | 'net' | 'port' | 'portrange' | 'proto' | 'gateway';
  at: number;
}

/** `ip`, `tcp`, `icmp6`, ... written alone. */
export function protoAbbrev(expr: string, t: Token, depth: number): Bool {
  switch (t.text) {
    case 'ip': return { k: 'netproto', depth, etherType: 0x0800 };
    case 'ip6': return { k: 'netproto', depth, etherType: 0x86dd };
    case 'arp': return { k: 'netproto', depth, etherType: 0x0806 };
    case 'rarp': return { k: 'netproto', depth, etherType: 0x8035 };
    case 'tcp': return { k: 'ipproto', depth, proto: 6, v4: true, v6: true };
    case 'udp': return { k: 'ipproto', depth, proto: 17, v4: true, v6: true };
    case 'sctp': return { k: 'ipproto', depth, proto: 132, v4: true, v6: true };
    case 'icmp': return { k: 'ipproto', depth, proto: 1, v4: true, v6: false };
    case 'icmp6': return { k: 'ipproto', depth, proto: 58, v4: false, v6: true };
    default: fail(expr, t.at, `'${t.text}' needs a qualifier after it, such as 'host' or 'proto'`);
  }
}

/** IPv4 dotted text (1 to 4 parts) → [address left-aligned, number of parts]. */
function dotted(text: string): [number, number] | null {
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => !/^[0-9]{1,3}$/.test(p) || Number(p) > 255)) return null;
  let v = 0;
  for (let i = 0; i < 4; i++) v = v * 256 + Number(parts[i] ?? 0);
  return [v, parts.length];
}

function ipv6Words(text: string): number[] {
  // Expand '::' and split into 8 groups, then pack into 4 32-bit words.
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const h = head ? head.split(':') : [];
  const tl = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - tl.length).fill('0'), ...tl];
  const w: number[] = [];
  for (let i = 0; i < 4; i++) w.push(parseInt(groups[2 * i]!, 16) * 65536 + parseInt(groups[2 * i + 1]!, 16));
  return w;
}

const maskBits = (len: number): number => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

/**
 * Reads the value of a qualified primitive starting at toks[pos]; calls setPos with the
 * index after it. Refuses anything libpcap refuses (and host names, which it would look up).
 */
export function buildPrimitive(expr: string, q: Qual, toks: readonly Token[], pos: number, depth: number,
  setPos: (n: number) => void): Bool {
  const t = toks[pos]!;
  const nextTok = toks[pos + 1];
  let used = 1;
  const dir: Dir = q.dir === 'default' ? 'or' : q.dir;
  const proto = q.proto;
  const isWordish = t.kind === 'num' || (t.kind === 'word' && (t.escaped || !['and', 'or', 'not'].includes(t.text)));
  if (q.type === 'gateway') fail(expr, q.at, "'gateway' is not supported by spanwatch filters");
  if (!isWordish) {
    const what = q.type === 'port' ? 'a port number or name' : q.type === 'portrange' ? 'a port range such as 1024-65535'
      : q.type === 'proto' ? 'a protocol number or name' : q.type === 'net' ? 'a network' : 'an address';
    fail(expr, t.at, `expected ${what} after '${q.type === 'default' ? q.dir : q.type}'`);
  }
  let node: Bool;
  switch (q.type) {
    case 'default':
    case 'host':
    case 'net': {
      const isNet = q.type === 'net';
      if (isMAC(t.text)) {
        if (proto !== 'ether') fail(expr, t.at, 'an Ethernet address needs the \'ether\' qualifier (ether host ...)');
        if (isNet) fail(expr, t.at, "'ether net' is not valid: an Ethernet address names a host");
        node = { k: 'ehost', dir, mac: parseMAC(t.text) };
        break;
      }
      if (proto === 'ether') fail(expr, t.at, `expected an Ethernet address such as 00:11:22:33:44:55, not '${t.text}'`);
      if (['tcp', 'udp', 'sctp', 'icmp', 'icmp6'].includes(proto)) fail(expr, q.at, `'${proto}' modifier applied to ${isNet ? 'net' : 'host'}`);
      const slash = nextTok && nextTok.kind === 'op' && nextTok.text === '/';
      const maskKw = nextTok && nextTok.kind === 'word' && nextTok.text === 'mask';
      if ((slash || maskKw) && !isNet) fail(expr, nextTok.at, "a mask is only allowed with 'net' (write 'net A/len')");
      if (isIPv6(t.text)) {
        if (proto !== 'default' && proto !== 'ip6') fail(expr, q.at, `'${proto}' modifier applied to ip6 ${isNet ? 'net' : 'host'}`);
        let len = 128;
        if (maskKw) fail(expr, nextTok.at, "'mask' is for IPv4 networks; write an IPv6 prefix as 'net A/len'");
        if (slash) {
          const n = toks[pos + 2]!;
          len = n.kind === 'num' ? parseNumber(n.text) : -1;
          if (!(len >= 0 && len <= 128)) fail(expr, n.at, 'expected a prefix length 0-128 after \'/\'');
          used = 3;
        }
        const addr = ipv6Words(t.text);
        const mask = [0, 1, 2, 3].map((i) => maskBits(Math.max(0, Math.min(32, len - 32 * i))));
        if (addr.some((w, i) => ((w & ~mask[i]!) >>> 0) !== 0)) fail(expr, t.at, `non-network bits set in "${t.text}/${len}"`);
        node = { k: 'host6', depth, dir, addr, mask };
        break;
      }
      let addr: number;
      let mask = 0xffffffff;
      if (t.kind === 'num') {
        addr = parseNumber(t.text);
        if (!(addr <= 0xffffffff)) fail(expr, t.at, `'${t.text}' is not an IPv4 address`);
        if (isNet) { // libpcap: `net 10` is 10.0.0.0/8, `net 172` ... the number fills the top bytes
          mask = 0xffffffff;
          while (addr !== 0 && addr < 0x1000000) { addr *= 256; mask = (mask * 256) % 0x100000000; }
        }
      } else {
        const d = dotted(t.text);
        if (!d) {
          if (/^[0-9.]+$/.test(t.text)) fail(expr, t.at, `'${t.text}' is not an IPv4 address`);
          fail(expr, t.at, `unknown host '${t.text}' (host names are not looked up; write an address)`);
        }
        addr = d[0];
        mask = maskBits(8 * d[1]);
      }
      if (proto === 'ip6') fail(expr, q.at, `'ip6' modifier applied to ip ${isNet ? 'net' : 'host'}`);
      if (slash || maskKw) {
        const n = toks[pos + 2]!;
        if (slash) {
          const len = n.kind === 'num' ? parseNumber(n.text) : -1;
          if (!(len >= 0 && len <= 32)) fail(expr, n.at, "expected a prefix length 0-32 after '/'");
          mask = maskBits(len);
        } else {
          const d = n.kind === 'word' && isIPv4(n.text) ? dotted(n.text) : null;
          if (!d) fail(expr, n.at, "expected a dotted IPv4 netmask after 'mask'");
          mask = d[0];
        }
        used = 3;
      }
      if (((addr & ~mask) >>> 0) !== 0) {
        const shown = toks.slice(pos, pos + used).map((x) => x.text).join(used === 3 && maskKw ? ' ' : '');
        fail(expr, t.at, `non-network bits set in "${shown}"`);
      }
      node = { k: 'host4', depth, dir, addr, mask, ip: proto !== 'arp' && proto !== 'rarp',
        arp: proto === 'default' || proto === 'arp', rarp: proto === 'default' || proto === 'rarp' };
      break;
    }
    case 'port':
    case 'portrange': {
      if (!['default', 'tcp', 'udp', 'sctp'].includes(proto)) fail(expr, q.at, `illegal qualifier of '${q.type}'`);
      let lo: number;
      let hi: number;
      let allowed = 7; // bit 1 tcp, 2 udp, 4 sctp
      const one = (text: string, at: number, inRange: boolean): number => {
        if (/^[0-9]/.test(text)) {
          const n = parseNumber(text);
          if (!(n >= 0)) fail(expr, at, `'${text}' is not a port number`);
          if (n > 65535) fail(expr, at, `illegal port number ${n} > 65535`);
          return n;
        }
        const s = SERVICES.get(text);
        if (!s) fail(expr, at, inRange ? `unknown port in range '${t.text}'` : `unknown port '${text}'`);
        const mask = s[1] === ServiceProto.TCP ? 1 : s[1] === ServiceProto.UDP ? 2 : 7;
        if (proto === 'udp' && mask === 1) fail(expr, at, `port '${text}' is tcp`);
        if (proto === 'tcp' && mask === 2) fail(expr, at, `port '${text}' is udp`);
        allowed &= mask;
        return s[0];
      };
      if (q.type === 'port') {
        lo = hi = one(t.text, t.at, false);
      } else {
        const cut = [...t.text.matchAll(/-/g)].map((m) => m.index!)
          .find((i) => i > 0 && /^[0-9A-Za-z]/.test(t.text.slice(i + 1)) &&
            (/^[0-9]+$/.test(t.text.slice(0, i)) || SERVICES.has(t.text.slice(0, i))) &&
            (/^[0-9]+$/.test(t.text.slice(i + 1)) || SERVICES.has(t.text.slice(i + 1))));
        if (cut === undefined) {
          // libpcap takes a single port as a range of one (`portrange 80`).
          if (!/^[0-9]+$/.test(t.text) && !SERVICES.has(t.text)) fail(expr, t.at, `unknown port in range '${t.text}'`);
          lo = hi = one(t.text, t.at, true);
        } else {
          lo = one(t.text.slice(0, cut), t.at, true);
          hi = one(t.text.slice(cut + 1), t.at, true);
        }
        if (lo > hi) [lo, hi] = [hi, lo]; // libpcap swaps a reversed range
      }
      if (allowed === 0) fail(expr, t.at, `the ports in '${t.text}' are not defined for one common protocol`);
      const tcp = proto === 'tcp' || (proto === 'default' && (allowed & 1) !== 0);
      const udp = proto === 'udp' || (proto === 'default' && (allowed & 2) !== 0);
      const sctp = proto === 'sctp' || (proto === 'default' && allowed === 7);
      node = { k: 'port', depth, dir, lo, hi, tcp, udp, sctp };
      break;
    }
    case 'proto': {
      if (q.dir !== 'default') fail(expr, q.at, "'src'/'dst' cannot qualify 'proto'");
      const isEther = proto === 'ether';
      if (!['default', 'ip', 'ip6', 'ether'].includes(proto)) fail(expr, q.at, `illegal qualifier of 'proto' ('${proto} proto')`);
      let v: number;
      if (t.kind === 'num') {
        v = parseNumber(t.text);
        if (!(v <= (isEther ? 0xffff : 0xff))) fail(expr, t.at, `protocol number ${t.text} is out of range (0-${isEther ? 65535 : 255})`);
      } else {
        const named = isEther ? ETHER_PROTOCOLS.get(t.text) : IP_PROTOCOLS.get(t.text);
        if (named === undefined) fail(expr, t.at, `unknown ${isEther ? 'ether' : 'ip'} proto '${t.text}'`);
        v = named;
      }
      node = isEther ? { k: 'netproto', depth, etherType: v }
        : { k: 'ipproto', depth, proto: v, v4: proto !== 'ip6', v6: proto !== 'ip' };
      break;
    }
  }
  setPos(pos + used);
  return node;
}
