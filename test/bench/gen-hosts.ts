// The simulated enterprise network the benchmark capture is drawn from: ~400 inside hosts in
// 10.1.0.0/16 (clients on four user VLANs plus a server subnet), 5,000 outside hosts spread
// over documentation and public-looking ranges, and their IPv6 twins.
//
// Everything is built once from the seeded Rng before the first packet; nothing here runs
// per packet. Addresses are numbers (IPv4) or 16-byte Buffers (IPv6) ready to be copied
// into frames.

import { Rng } from './gen-rng.js';

export interface Host {
  /** IPv4 address as an unsigned 32-bit number. */
  v4: number;
  /** IPv6 address, 16 bytes. */
  v6: Buffer;
  /** MAC address as a 48-bit number; for outside hosts the gateway's MAC is used on the wire. */
  mac: number;
  /** 802.1Q tag the host's frames carry on the mirror port (0 = untagged). */
  vlan: number;
  /** QinQ outer tag (0 = none). */
  outerVlan: number;
  /** TTL / hop limit its packets have when the mirror port sees them. */
  ttl: number;
  inside: boolean;
}

export interface Network {
  clients: Host[];
  gateway: Host;
  mail: Host;
  dns: Host[];
  web: Host;
  ntp: Host;
  bastion: Host;
  files: Host;
  rdp: Host[];
  outside: Host[];
  outsideResolver: Host;
  outsideNTP: Host[];
}

export const INSIDE_HOSTS = 400;
export const OUTSIDE_HOSTS = 5000;

const USER_VLANS = [10, 20, 30, 40];

function ipv4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** IPv6 address from a 64-bit prefix (four 16-bit groups) and a 32-bit interface id. */
function ipv6(prefix: readonly number[], iid: number): Buffer {
  const b = Buffer.alloc(16);
  for (let i = 0; i < 4; i++) b.writeUInt16BE(prefix[i] ?? 0, i * 2);
  b.writeUInt32BE(iid >>> 0, 12);
  return b;
}

function insideHost(subnet: number, last: number, vlan: number, windows: boolean): Host {
  const v4 = ipv4(10, 1, subnet, last);
  return {
    v4,
    v6: ipv6([0x2001, 0x0db8, 0x0001, parseInt(String(subnet), 16)], last), // 10.1.30.x = 2001:db8:1:30::x
    mac: 0x02000a010000 + subnet * 256 + last, // locally administered, readable in a dump
    vlan,
    outerVlan: 0,
    ttl: windows ? 128 : 64,
    inside: true,
  };
}

/** Public-looking IPv4 ranges for outside hosts: [first octets..., prefix length]. */
const OUTSIDE_V4_RANGES: ReadonlyArray<readonly [number, number, number]> = [
  [192 * 65536 + 0 * 256 + 2, 24, 4], // 192.0.2.0/24     TEST-NET-1 (weight 4)
  [198 * 65536 + 51 * 256 + 100, 24, 4], // 198.51.100.0/24  TEST-NET-2
  [203 * 65536 + 0 * 256 + 113, 24, 4], // 203.0.113.0/24   TEST-NET-3
  [198 * 65536 + 18 * 256 + 0, 15, 10], // 198.18.0.0/15    benchmarking range
  [23 * 65536 + 32 * 256 + 0, 12, 8], // 23.32.0.0/12
  [104 * 65536 + 16 * 256 + 0, 12, 8],
  [151 * 65536 + 101 * 256 + 0, 16, 6],
  [185 * 65536 + 0 * 256 + 0, 8, 10],
  [52 * 65536 + 0 * 256 + 0, 10, 8],
  [142 * 65536 + 250 * 256 + 0, 15, 6],
  [93 * 65536 + 184 * 256 + 0, 16, 4],
];

const OUTSIDE_V6_PREFIXES: ReadonlyArray<readonly number[]> = [
  [0x2001, 0x0db8, 0x8000, 0], // documentation
  [0x3fff, 0x0000, 0x0100, 0], // RFC 9637 documentation
  [0x2606, 0x4700, 0x0010, 0],
  [0x2a00, 0x1450, 0x4001, 0],
  [0x2a03, 0x2880, 0xf12f, 0],
];

export function buildNetwork(rng: Rng): Network {
  // Server subnet 10.1.0.0/24: untagged, fixed addresses so reports are easy to read.
  const srv = (last: number, windows = false): Host => insideHost(0, last, 0, windows);
  const gateway = srv(1);
  gateway.mac = 0x00005e000101; // VRRP virtual MAC, what a router's side of a SPAN shows
  const servers = {
    mail: srv(25),
    dns: [srv(53), srv(54)],
    web: srv(80),
    ntp: srv(123),
    bastion: srv(22),
    files: srv(45, true),
    rdp: [srv(89, true), srv(90, true), srv(91, true)],
  };
  const serverCount = 1 + 1 + 2 + 1 + 1 + 1 + 1 + 3;

  // Clients on four user VLANs, one /24 each (10.1.<vlan>.0/24).
  const clients: Host[] = [];
  const perVlan = Math.ceil((INSIDE_HOSTS - serverCount) / USER_VLANS.length);
  for (let i = 0; clients.length < INSIDE_HOSTS - serverCount; i++) {
    const vlanIndex = Math.floor(i / perVlan);
    const vlan = USER_VLANS[vlanIndex] ?? 10;
    // VLANs 10, 20 and 40 reach the mirror port untagged, VLAN 30 over an 802.1Q trunk, and
    // a dozen VLAN 40 hosts behind a QinQ provider bridge (outer tag 100, inner tag 40).
    const qinq = vlan === 40 && i % perVlan < 12;
    const tag = vlan === 30 || qinq ? vlan : 0;
    const h = insideHost(vlan, 10 + (i % perVlan), tag, rng.chance(0.4));
    if (qinq) h.outerVlan = 100;
    clients.push(h);
  }

  // Outside hosts: distinct addresses drawn from weighted public-looking ranges.
  const weights = OUTSIDE_V4_RANGES.map((r) => r[2]);
  const cumulative: number[] = [];
  weights.reduce((s, w) => (cumulative.push(s + w), s + w), 0);
  const seen = new Set<number>();
  const outside: Host[] = [];
  while (outside.length < OUTSIDE_HOSTS) {
    const range = OUTSIDE_V4_RANGES[rng.weighted(cumulative)]!;
    const base = (range[0] * 256) >>> 0;
    const span = 2 ** (32 - range[1]);
    const v4 = (base + rng.int(1, span - 2)) >>> 0;
    const last = v4 & 0xff;
    if (last === 0 || last === 255 || seen.has(v4)) continue;
    seen.add(v4);
    const prefix = OUTSIDE_V6_PREFIXES[outside.length % OUTSIDE_V6_PREFIXES.length]!;
    outside.push({
      v4,
      v6: ipv6(prefix, rng.u32()),
      mac: gateway.mac,
      vlan: 0,
      outerVlan: 0,
      ttl: rng.chance(0.7) ? rng.int(44, 60) : rng.int(108, 124),
      inside: false,
    });
  }

  return {
    clients,
    gateway,
    ...servers,
    outside,
    outsideResolver: outside[3]!,
    outsideNTP: [outside[7]!, outside[11]!, outside[19]!],
  };
}
