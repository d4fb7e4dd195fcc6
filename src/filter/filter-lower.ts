// Lowers the parsed filter (filter-ast.ts) to loads and comparisons for one link type,
// mirroring the BPF that libpcap 1.10 generates when it reads a capture file:
// - the network protocol is the link header's type field at the current VLAN depth, so
//   `ip` does not match an 802.1Q frame unless `vlan` came first;
// - `tcp`/`udp`/`ip6 proto N` over IPv6 look at the fixed header's next-header field, or
//   one fragment header after it; `port` over IPv6 only at the fixed header (no extension
//   headers); `tcp[..]`, `udp[..]`, `icmp[..]` are IPv4 only and skip non-first fragments;
// - a load past the captured length rejects the whole packet (BPF's rule).
// A link type where tcpdump refuses the expression (`ether host` on raw IP, `vlan` on Linux
// cooked) lowers to a filter that matches nothing, with the reason kept for the caller.

import type { Arith, Bool, Dir } from './filter-ast.js';
import { and, bin, cmp, FALSE, k, ld, not, or, TRUE, type Cond, type Num } from './filter-ir.js';

const IPV4 = 0x0800;
const IPV6 = 0x86dd;
const ARP = 0x0806;
const RARP = 0x8035;

interface LinkModel {
  name: string;
  ethernet: boolean;
  /** Offset of the network header (at VLAN depth d), or null: this link has none we know. */
  net(d: number): number | null;
  /** The link header says "this ether type" at VLAN depth d. */
  netIs(d: number, etherType: number): Cond;
}

const nullFamily = (families: number[]): Cond =>
  // BSD loopback: address family in the capturing host's byte order; accept either order.
  or(...families.flatMap((f) => [cmp('==', ld(0, 4), k(f)), cmp('==', ld(0, 4), k(((f & 0xff) << 24) >>> 0))]));

function linkModel(linkType: number): LinkModel {
  const typed = (name: string, typeAt: number, netAt: number): LinkModel => ({
    name, ethernet: false, net: () => netAt, netIs: (_d, et) => cmp('==', ld(typeAt, 2), k(et)),
  });
  switch (linkType) {
    case 1:
      return { name: 'Ethernet', ethernet: true, net: (d) => 14 + 4 * d,
        netIs: (d, et) => cmp('==', ld(12 + 4 * d, 2), k(et)) };
    case 113: return typed('Linux cooked v1', 14, 16);
    case 276: return typed('Linux cooked v2', 0, 20);
    case 0:
    case 108:
      return { name: linkType === 0 ? 'BSD loopback' : 'OpenBSD loopback', ethernet: false, net: () => 4,
        netIs: (_d, et) => et === IPV4 ? (linkType === 0 ? nullFamily([2]) : cmp('==', ld(0, 4), k(2)))
          : et === IPV6 ? (linkType === 0 ? nullFamily([24, 28, 30]) : or(...[24, 28, 30].map((f) => cmp('==', ld(0, 4), k(f)))))
            : FALSE };
    case 101:
      return { name: 'Raw IP', ethernet: false, net: () => 0,
        netIs: (_d, et) => et === IPV4 || et === IPV6
          ? cmp('==', bin('&', ld(0, 1), k(0xf0)), k(et === IPV4 ? 0x40 : 0x60)) : FALSE };
    case 228:
    case 229:
      return { name: linkType === 228 ? 'IPv4' : 'IPv6', ethernet: false, net: () => 0,
        netIs: (_d, et) => (et === (linkType === 228 ? IPV4 : IPV6) ? TRUE : FALSE) };
    case 226: // Solaris IPNET: 1-byte family at offset 1 (2 = inet, 26 = inet6), 24-byte header
      return { name: 'IPNET', ethernet: false, net: () => 24,
        netIs: (_d, et) => et === IPV4 ? cmp('==', ld(1, 1), k(2)) : et === IPV6 ? cmp('==', ld(1, 1), k(26)) : FALSE };
    default:
      return { name: `link type ${linkType}`, ethernet: false, net: () => null, netIs: () => FALSE };
  }
}

class Lowerer {
  refused: string | null = null;
  constructor(private readonly link: LinkModel) {}

  private refuse(reason: string): Cond {
    this.refused ??= reason;
    return FALSE;
  }

  private dirCond(dir: Dir, src: Cond, dst: Cond): Cond {
    return dir === 'src' ? src : dir === 'dst' ? dst : dir === 'and' ? and(src, dst) : or(src, dst);
  }

  /** IPv4 transport header offset: network offset + 4 * IHL. */
  private transport4(net: number): Num {
    return bin('+', k(net), bin('*', bin('&', ld(net, 1), k(15)), k(4)));
  }

  private notFragment4(net: number): Cond {
    return cmp('==', bin('&', ld(net + 6, 2), k(0x1fff)), k(0));
  }

  private ipProto(d: number, p: number, v4: boolean, v6: boolean): Cond {
    const net = this.link.net(d);
    if (net === null) return FALSE;
    return or(
      v4 ? and(this.link.netIs(d, IPV4), cmp('==', ld(net + 9, 1), k(p))) : FALSE,
      v6 ? and(this.link.netIs(d, IPV6), or(cmp('==', ld(net + 6, 1), k(p)),
        and(cmp('==', ld(net + 6, 1), k(44)), cmp('==', ld(net + 40, 1), k(p))))) : FALSE);
  }

  bool(n: Bool): Cond {
    switch (n.k) {
      case 'and': return and(this.bool(n.a), this.bool(n.b));
      case 'or': return or(this.bool(n.a), this.bool(n.b));
      case 'not': return not(this.bool(n.a));
      case 'netproto': return this.link.netIs(n.depth, n.etherType);
      case 'ipproto': return this.ipProto(n.depth, n.proto, n.v4, n.v6);
      case 'host4': {
        const net = this.link.net(n.depth);
        if (net === null) return FALSE;
        const eq = (at: number): Cond => n.mask === 0xffffffff ? cmp('==', ld(at, 4), k(n.addr))
          : cmp('==', bin('&', ld(at, 4), k(n.mask)), k(n.addr));
        return or(
          n.ip ? and(this.link.netIs(n.depth, IPV4), this.dirCond(n.dir, eq(net + 12), eq(net + 16))) : FALSE,
          n.arp ? and(this.link.netIs(n.depth, ARP), this.dirCond(n.dir, eq(net + 14), eq(net + 24))) : FALSE,
          n.rarp ? and(this.link.netIs(n.depth, RARP), this.dirCond(n.dir, eq(net + 14), eq(net + 24))) : FALSE);
      }
      case 'host6': {
        const net = this.link.net(n.depth);
        if (net === null) return FALSE;
        const eq = (at: number): Cond => and(...[0, 1, 2, 3].filter((i) => n.mask[i] !== 0).map((i) =>
          n.mask[i] === 0xffffffff ? cmp('==', ld(at + 4 * i, 4), k(n.addr[i]!))
            : cmp('==', bin('&', ld(at + 4 * i, 4), k(n.mask[i]!)), k(n.addr[i]!))));
        return and(this.link.netIs(n.depth, IPV6), this.dirCond(n.dir, eq(net + 8), eq(net + 24)));
      }
      case 'ehost': {
        if (!this.link.ethernet) {
          return this.refuse(`ethernet addresses are not available on ${this.link.name} captures`);
        }
        const hi = Math.floor(n.mac / 2 ** 32);
        const lo = n.mac % 2 ** 32;
        const eq = (at: number): Cond => and(cmp('==', ld(at + 2, 4), k(lo)), cmp('==', ld(at, 2), k(hi)));
        return this.dirCond(n.dir, eq(6), eq(0));
      }
      case 'port': {
        const net = this.link.net(n.depth);
        if (net === null) return FALSE;
        const protos = (at: number): Cond => or(n.tcp ? cmp('==', ld(at, 1), k(6)) : FALSE,
          n.udp ? cmp('==', ld(at, 1), k(17)) : FALSE, n.sctp ? cmp('==', ld(at, 1), k(132)) : FALSE);
        const inRange = (at: Num): Cond => n.lo === n.hi ? cmp('==', ld(at, 2), k(n.lo))
          : and(cmp('>=', ld(at, 2), k(n.lo)), cmp('<=', ld(at, 2), k(n.hi)));
        const ports = (t: Num): Cond => this.dirCond(n.dir, inRange(t), inRange(bin('+', t, k(2))));
        return or(
          and(this.link.netIs(n.depth, IPV4), protos(net + 9), this.notFragment4(net), ports(this.transport4(net))),
          and(this.link.netIs(n.depth, IPV6), protos(net + 6), ports(k(net + 40))));
      }
      case 'vlan': {
        if (!this.link.ethernet) return this.refuse(`no VLAN support for ${this.link.name}`);
        const tpid = ld(12 + 4 * n.depth, 2);
        const tagged = or(cmp('==', tpid, k(0x8100)), cmp('==', tpid, k(0x88a8)), cmp('==', tpid, k(0x9100)));
        return n.id < 0 ? tagged
          : and(tagged, cmp('==', bin('&', ld(14 + 4 * n.depth, 2), k(0xfff)), k(n.id)));
      }
      case 'rel': {
        const guards: Cond[] = [];
        const a = this.num(n.a, guards);
        const b = this.num(n.b, guards);
        return and(...guards, cmp(n.op, a, b));
      }
    }
  }

  /** Arithmetic; each header access adds its protocol check to `guards` (libpcap's rule). */
  num(a: Arith, guards: Cond[]): Num {
    switch (a.k) {
      case 'num': return k(a.v);
      case 'len': return { t: 'len' };
      case 'neg': return bin('-', k(0), this.num(a.a, guards));
      case 'bin': return bin(a.op, this.num(a.a, guards), this.num(a.b, guards));
      case 'load': {
        const index = this.num(a.index, guards);
        if (a.proto === 'ether') return ld(index, a.size);
        const d = a.depth;
        const net = this.link.net(d);
        if (net === null) {
          guards.push(FALSE);
          return k(0);
        }
        const v4 = (p: number): Cond => and(this.link.netIs(d, IPV4), cmp('==', ld(net + 9, 1), k(p)), this.notFragment4(net));
        switch (a.proto) {
          case 'ip': guards.push(this.link.netIs(d, IPV4)); return ld(bin('+', k(net), index), a.size);
          case 'ip6': guards.push(this.link.netIs(d, IPV6)); return ld(bin('+', k(net), index), a.size);
          case 'arp': guards.push(this.link.netIs(d, ARP)); return ld(bin('+', k(net), index), a.size);
          case 'rarp': guards.push(this.link.netIs(d, RARP)); return ld(bin('+', k(net), index), a.size);
          case 'icmp6':
            guards.push(and(this.link.netIs(d, IPV6), cmp('==', ld(net + 6, 1), k(58))));
            return ld(bin('+', k(net + 40), index), a.size);
          default: {
            const p = { tcp: 6, udp: 17, icmp: 1, sctp: 132 }[a.proto];
            guards.push(v4(p));
            return ld(bin('+', this.transport4(net), index), a.size);
          }
        }
      }
    }
  }
}

/** The filter for one link type, or FALSE with the reason tcpdump would refuse it there. */
export function lowerForLinkType(ast: Bool, linkType: number): { cond: Cond; refused: string | null } {
  const l = new Lowerer(linkModel(linkType));
  const cond = l.bool(ast);
  return l.refused ? { cond: FALSE, refused: l.refused } : { cond, refused: null };
}
