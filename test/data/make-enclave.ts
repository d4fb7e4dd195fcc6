// Builds test/data/enclave.pcap, the capture of etc/enclave.yaml's demo and scenario test:
// ten minutes of a mail server's enclave seen on a SPAN port — the traffic the profile
// permits, plus the violations listed in VIOLATIONS below. Deterministic (no randomness,
// fixed times): `node --import tsx test/data/make-enclave.ts [--out test/data/enclave.pcap]`.
//
// Hosts: mail 192.0.2.25 (MAC …:25), resolver 192.0.2.53 (…:53), the router …:01 through
// which the internet and the VPN's inner addresses 10.8.0.1 (users) and 10.9.0.1 (admin)
// arrive. Frames are assembled with test/support/pcap-builder.ts; ARP by hand here.

import { buildFrame, writePcapFrames, type PacketSpec } from '../support/pcap-builder.js';

export const T0 = Date.UTC(2026, 10, 2, 9, 0, 0) / 1000; // 2026-11-02T09:00:00Z
export const MAC = { mail: '02:00:00:00:00:25', resolver: '02:00:00:00:00:53', router: '02:00:00:00:00:01', rogue: '02:66:66:66:66:66' };
const MAIL = '192.0.2.25';
const RESOLVER = '192.0.2.53';

/** What the capture injects, as the profile's tables print the rows, and the rule that must name it. */
export const VIOLATIONS = [
  { what: 'telnet attempt', table: 'conn', key: ['203.0.113.66', MAIL, 'tcp', '23'], rule: 'policy.deny[0]', alarms: 2 },
  { what: 'IMAP from a non-VPN address', table: 'conn', key: ['198.51.100.99', MAIL, 'tcp', '993'], rule: 'policy.default', alarms: 1 },
  { what: 'DNS to a different resolver', table: 'conn', key: [MAIL, '8.8.8.8', 'udp', '53'], rule: 'policy.default', alarms: 1 },
  { what: 'SMTP from the mail server to an odd port', table: 'conn', key: [MAIL, '203.0.113.10', 'tcp', '2525'], rule: 'policy.default', alarms: 1 },
  { what: 'ARP from a new MAC', table: 'arp', key: [MAC.rogue, 'request', '192.0.2.66'], rule: 'policy.default', alarms: 1 },
] as const;
/** Packet times (s after T0) of the telnet attempts: 120 and 123 share a row, 200 is inside the 5 min window, 460 is past it. */
export const TELNET_TIMES = [120, 123, 200, 460];

interface Rec { t: number; frame: Buffer }

function ip(p: Omit<PacketSpec, 'srcMac' | 'dstMac'>, fromMac: string, toMac: string): Rec {
  return { t: p.t, frame: buildFrame({ ...p, srcMac: fromMac, dstMac: toMac }) };
}

/** A TCP exchange: handshake, one request and reply, FIN both ways. */
function tcpSession(t: number, client: string, cport: number, server: string, sport: number, cMac: string, sMac: string): Rec[] {
  const c = (dt: number, flags: string, payload = 0): Rec => ip({ t: t + dt, src: client, dst: server, proto: 'tcp', sport: cport, dport: sport, flags, payload }, cMac, sMac);
  const s = (dt: number, flags: string, payload = 0): Rec => ip({ t: t + dt, src: server, dst: client, proto: 'tcp', sport, dport: cport, flags, payload }, sMac, cMac);
  return [c(0, 'S'), s(0.01, 'SA'), c(0.02, 'A'), s(0.03, 'PA', 40), c(0.04, 'PA', 120), s(0.05, 'PA', 20), c(0.06, 'FA'), s(0.07, 'FA'), c(0.08, 'A')];
}

function dns(t: number, client: string, cport: number, server: string, cMac: string, sMac: string): Rec[] {
  return [
    ip({ t, src: client, dst: server, proto: 'udp', sport: cport, dport: 53, payload: 30 }, cMac, sMac),
    ip({ t: t + 0.004, src: server, dst: client, proto: 'udp', sport: 53, dport: cport, payload: 60 }, sMac, cMac),
  ];
}

function macBytes(m: string): number[] {
  return m.split(':').map((b) => parseInt(b, 16));
}

/** Ethernet ARP request (op 1, broadcast) or reply (op 2). */
function arp(t: number, op: 1 | 2, senderMac: string, senderIP: string, targetMac: string, targetIP: string): Rec {
  const ipb = (s: string): number[] => s.split('.').map(Number);
  const dst = op === 1 ? 'ff:ff:ff:ff:ff:ff' : targetMac;
  const bytes = [...macBytes(dst), ...macBytes(senderMac), 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, op,
    ...macBytes(senderMac), ...ipb(senderIP), ...macBytes(op === 1 ? '00:00:00:00:00:00' : targetMac), ...ipb(targetIP)];
  while (bytes.length < 60) bytes.push(0);
  return { t, frame: Buffer.from(bytes) };
}

export function enclavePackets(): Rec[] {
  const out: Rec[] = [];
  const R = MAC.router;
  for (let i = 0; i < 20; i++) {
    const t = T0 + 5 + i * 30;
    out.push(...dns(t, MAIL, 40000 + i, RESOLVER, MAC.mail, MAC.resolver)); // DNS to the resolver
    if (i % 2 === 0) out.push(...tcpSession(t + 3, `198.51.100.${7 + (i % 6)}`, 50000 + i, MAIL, 25, R, MAC.mail)); // SMTP in
    if (i % 3 === 0) out.push(...tcpSession(t + 7, MAIL, 45000 + i, '203.0.113.10', 25, MAC.mail, R)); // SMTP out
    if (i % 4 === 1) out.push(...tcpSession(t + 11, '10.8.0.1', 51000 + i, MAIL, 993, R, MAC.mail)); // IMAP over the VPN
    if (i % 10 === 2) out.push(...tcpSession(t + 13, '10.9.0.1', 52000 + i, MAIL, 22, R, MAC.mail)); // admin SSH over the VPN
    if (i % 5 === 0) out.push(arp(t + 17, 1, R, '192.0.2.1', '', MAIL), arp(t + 17.001, 2, MAC.mail, MAIL, R, '192.0.2.1'));
    if (i % 5 === 3) out.push(arp(t + 17, 1, MAC.mail, MAIL, '', RESOLVER), arp(t + 17.001, 2, MAC.resolver, RESOLVER, MAC.mail, MAIL));
  }
  // Violations.
  for (const [n, dt] of TELNET_TIMES.entries()) {
    out.push(ip({ t: T0 + dt, src: '203.0.113.66', dst: MAIL, proto: 'tcp', sport: 33000 + n, dport: 23, flags: 'S' }, R, MAC.mail));
    out.push(ip({ t: T0 + dt + 0.001, src: MAIL, dst: '203.0.113.66', proto: 'tcp', sport: 23, dport: 33000 + n, flags: 'RA' }, MAC.mail, R));
  }
  out.push(...tcpSession(T0 + 240, '198.51.100.99', 55555, MAIL, 993, R, MAC.mail));
  out.push(...dns(T0 + 300, MAIL, 41999, '8.8.8.8', MAC.mail, R));
  out.push(...tcpSession(T0 + 360, MAIL, 46001, '203.0.113.10', 2525, MAC.mail, R));
  out.push(arp(T0 + 420, 1, MAC.rogue, '192.0.2.66', '', MAIL), arp(T0 + 420.001, 2, MAC.mail, MAIL, MAC.rogue, '192.0.2.66'));
  return out.sort((a, b) => a.t - b.t);
}

/** Writes the scenario as a classic little-endian microsecond pcap (Ethernet). */
export function writeEnclavePcap(file: string): number {
  const recs = enclavePackets();
  writePcapFrames(file, recs);
  return recs.length;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? process.argv[i + 1]! : new URL('./enclave.pcap', import.meta.url).pathname;
  process.stdout.write(`${out}: ${writeEnclavePcap(out)} packets\n`);
}
