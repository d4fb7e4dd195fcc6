// What talks to what in the simulated enterprise: the TCP services (who is client, who is
// server, which port, how much data each way), the DNS names clients look up, and the mix of
// flow kinds. Tuning the traffic mix (average packet size, IPv6 share, UDP share) happens
// here; the packet mechanics live in gen-traffic.ts and gen-packets.ts.

import type { Host, Network } from './gen-hosts.js';
import { Rng, cumulate } from './gen-rng.js';

/** How a TCP conversation is shaped: request/response rounds and bytes per message. */
export interface Profile {
  rounds: readonly [number, number];
  request: readonly [number, number]; // log-uniform byte range, client to server
  response: readonly [number, number]; // log-uniform byte range, server to client
}

const WEB: Profile = { rounds: [1, 4], request: [150, 1400], response: [200, 150_000] };
const WEB_SMALL: Profile = { rounds: [1, 2], request: [300, 900], response: [150, 40_000] };
const IMAP: Profile = { rounds: [2, 8], request: [40, 300], response: [80, 30_000] };
const UPLOAD: Profile = { rounds: [1, 3], request: [2_000, 120_000], response: [20, 300] };
const INTERACTIVE: Profile = { rounds: [5, 60], request: [36, 300], response: [36, 1_200] };
const RDP: Profile = { rounds: [10, 80], request: [40, 400], response: [200, 6_000] };
const BULK: Profile = { rounds: [1, 6], request: [100, 500], response: [1_000, 400_000] };
const LDAP: Profile = { rounds: [1, 3], request: [100, 600], response: [100, 4_000] };

export interface Service {
  port: number;
  weight: number;
  profile: Profile;
  client(rng: Rng, net: Network): Host;
  server(rng: Rng, net: Network): Host;
}

const anyClient = (rng: Rng, net: Network): Host => net.clients[rng.int(0, net.clients.length - 1)]!;
const popularOutside = (rng: Rng, net: Network): Host => net.outside[rng.skewed(net.outside.length)]!;
const anyOutside = (rng: Rng, net: Network): Host => net.outside[rng.int(0, net.outside.length - 1)]!;

export const SERVICES: readonly Service[] = [
  { port: 443, weight: 40, profile: WEB, client: anyClient, server: popularOutside },
  { port: 80, weight: 10, profile: WEB_SMALL, client: anyClient, server: popularOutside },
  { port: 8080, weight: 1, profile: WEB_SMALL, client: anyClient, server: popularOutside },
  { port: 443, weight: 6, profile: WEB, client: anyOutside, server: (_r, n) => n.web },
  { port: 993, weight: 4, profile: IMAP, client: anyClient, server: (_r, n) => n.mail },
  { port: 587, weight: 2, profile: UPLOAD, client: anyClient, server: (_r, n) => n.mail },
  { port: 25, weight: 3, profile: UPLOAD, client: anyOutside, server: (_r, n) => n.mail },
  { port: 25, weight: 2, profile: UPLOAD, client: (_r, n) => n.mail, server: popularOutside },
  { port: 22, weight: 2, profile: INTERACTIVE, client: anyClient, server: (_r, n) => n.bastion },
  { port: 22, weight: 1, profile: INTERACTIVE, client: (_r, n) => n.bastion, server: anyOutside },
  { port: 3389, weight: 3, profile: RDP, client: anyClient, server: (r, n) => n.rdp[r.int(0, n.rdp.length - 1)]! },
  { port: 445, weight: 4, profile: BULK, client: anyClient, server: (_r, n) => n.files },
  { port: 389, weight: 2, profile: LDAP, client: anyClient, server: (r, n) => n.dns[r.int(0, 1)]! },
];
export const SERVICE_CUMULATIVE = cumulate(SERVICES.map((s) => s.weight));

// Flow kinds. Weights count flows, not packets: a TCP flow averages ~30 packets, a DNS
// lookup 2, so the packet mix comes out at roughly 85 % TCP, 10 % UDP, the rest ICMP/ARP.
export const KIND_TCP = 0;
export const KIND_DNS = 1;
export const KIND_NTP = 2;
export const KIND_ICMP = 3;
export const KIND_ARP = 4;
export const KIND_QUIC = 5;
export const KIND_CUMULATIVE = cumulate([28, 30, 2.5, 3.75, 2.5, 3.75]);

/** Share of flows carried over IPv6, and of those, the share with a hop-by-hop header. */
export const IPV6_SHARE = 0.1;
export const HOP_BY_HOP_SHARE = 0.15;

/** Ephemeral client ports (Linux default net.ipv4.ip_local_port_range). */
export const EPHEMERAL_LO = 32768;
export const EPHEMERAL_HI = 60999;

const NAMES = [
  'www.example.com', 'mail.example.com', 'login.example.com', 'api.example.net',
  'cdn.example.net', 'static.example.org', 'update.example.org', 'time.example.org',
  'files.example.com', 'vpn.example.com', 'intranet.corp.example', 'ldap.corp.example',
  'wpad.corp.example', 'printer3.corp.example', 'git.corp.example', 'wiki.corp.example',
  'telemetry.example.net', 'ocsp.example.net', 'crl.example.net', 'news.example.org',
  'video.example.org', 'chat.example.com', 'calendar.example.com', 'docs.example.com',
];
for (let i = 0; i < 40; i++) NAMES.push(`host${i}.cdn${i % 7}.example.net`);

/** DNS names pre-encoded as wire-format labels (length-prefixed, zero-terminated). */
export const DNS_NAMES: readonly Buffer[] = NAMES.map((name) => {
  const parts = name.split('.');
  const b = Buffer.alloc(name.length + 2);
  let o = 0;
  for (const p of parts) {
    b[o++] = p.length;
    o += b.write(p, o, 'ascii');
  }
  b[o] = 0;
  return b;
});
