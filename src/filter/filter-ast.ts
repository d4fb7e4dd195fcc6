// The parsed form of a filter expression: what each primitive means, independent of link
// type. The VLAN depth of every primitive is fixed at parse time (tcpdump's rule: each `vlan`
// moves every primitive written after it one tag further in). Lowering to loads happens in
// filter-lower.ts, once per link type.

/** Direction qualifier: `src`, `dst`, `src or dst` (also the default), `src and dst`. */
export type Dir = 'src' | 'dst' | 'or' | 'and';

/** Protocols whose header bytes can be read with `proto[offset:size]`. */
export type LoadProto =
  | 'ether' | 'ip' | 'ip6' | 'arp' | 'rarp' | 'tcp' | 'udp' | 'icmp' | 'icmp6' | 'sctp';

export type Arith =
  | { k: 'num'; v: number }
  | { k: 'len' }
  | { k: 'load'; proto: LoadProto; depth: number; index: Arith; size: 1 | 2 | 4 }
  | { k: 'bin'; op: string; a: Arith; b: Arith }
  | { k: 'neg'; a: Arith };

export type Bool =
  | { k: 'and' | 'or'; a: Bool; b: Bool }
  | { k: 'not'; a: Bool }
  /** Network-layer protocol at the VLAN depth: ether type (0x0800, 0x86dd, 0x0806, ...). */
  | { k: 'netproto'; depth: number; etherType: number }
  /** IP protocol number check (`tcp`, `ip proto N`, ...); v4/v6 say which families apply. */
  | { k: 'ipproto'; depth: number; proto: number; v4: boolean; v6: boolean }
  /** IPv4 host or net (mask), in IPv4 headers and/or ARP/RARP sender/target addresses. */
  | { k: 'host4'; depth: number; dir: Dir; addr: number; mask: number; ip: boolean; arp: boolean; rarp: boolean }
  /** IPv6 host or net: 4 big-endian 32-bit words, with a mask per word. */
  | { k: 'host6'; depth: number; dir: Dir; addr: readonly number[]; mask: readonly number[] }
  /** Ethernet address (48-bit integer). */
  | { k: 'ehost'; dir: Dir; mac: number }
  /** TCP/UDP/SCTP port range over IPv4 and IPv6. */
  | { k: 'port'; depth: number; dir: Dir; lo: number; hi: number; tcp: boolean; udp: boolean; sctp: boolean }
  /** 802.1Q/802.1ad tag at the depth, optionally with this VLAN ID. */
  | { k: 'vlan'; depth: number; id: number }
  | { k: 'rel'; op: string; a: Arith; b: Arith };
