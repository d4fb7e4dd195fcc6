// Builds small, exact captures for scenario tests: Ethernet frames carrying IPv4/IPv6 with
// TCP, UDP or ICMP, written as a classic little-endian microsecond pcap. Each packet's
// bytes are assembled by hand so a test states precisely what is on the wire.

import fs from 'node:fs';

export interface PacketSpec {
  /** Seconds since the epoch (fractions allowed). */
  t: number;
  src: string;
  dst: string;
  proto: 'tcp' | 'udp' | 'icmp' | 'icmp6' | number;
  sport?: number;
  dport?: number;
  /** TCP flags as letters FSRPAUEC, e.g. 'S', 'SA', 'A'. */
  flags?: string;
  icmpType?: number;
  icmpCode?: number;
  payload?: number;
  vlan?: number;
  srcMac?: string;
  dstMac?: string;
}

const FLAG_BITS = 'FSRPAUEC';

function ipBytes(text: string): number[] {
  if (text.includes(':')) {
    const [head, tail] = text.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
    return groups.flatMap((g) => [g >> 8, g & 0xff]);
  }
  return text.split('.').map(Number);
}

function macBytes(text: string): number[] {
  return text.split(':').map((b) => parseInt(b, 16));
}

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

export function buildFrame(p: PacketSpec): Buffer {
  const v6 = p.src.includes(':');
  const protoNum = typeof p.proto === 'number' ? p.proto : { tcp: 6, udp: 17, icmp: 1, icmp6: 58 }[p.proto];
  let l4: number[] = [];
  const payload: number[] = Array(p.payload ?? 0).fill(0x61);
  if (protoNum === 6) {
    let flags = 0;
    for (const ch of p.flags ?? 'A') flags |= 1 << FLAG_BITS.indexOf(ch);
    l4 = [...u16(p.sport ?? 0), ...u16(p.dport ?? 0), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, ...u16(65535), 0, 0, 0, 0];
  } else if (protoNum === 17) {
    l4 = [...u16(p.sport ?? 0), ...u16(p.dport ?? 0), ...u16(8 + payload.length), 0, 0];
  } else if (protoNum === 1 || protoNum === 58) {
    l4 = [p.icmpType ?? 8, p.icmpCode ?? 0, 0, 0, 0, 1, 0, 1];
  }
  const body = [...l4, ...payload];
  let ip: number[];
  if (v6) {
    ip = [0x60, 0, 0, 0, ...u16(body.length), protoNum, 64, ...ipBytes(p.src), ...ipBytes(p.dst)];
  } else {
    ip = [0x45, 0, ...u16(20 + body.length), 0, 1, 0, 0, 64, protoNum, 0, 0, ...ipBytes(p.src), ...ipBytes(p.dst)];
  }
  const eth = [...macBytes(p.dstMac ?? '02:00:00:00:00:02'), ...macBytes(p.srcMac ?? '02:00:00:00:00:01')];
  if (p.vlan !== undefined) eth.push(0x81, 0x00, ...u16(p.vlan));
  eth.push(...u16(v6 ? 0x86dd : 0x0800));
  return Buffer.from([...eth, ...ip, ...body]);
}

/** Writes packets (Ethernet) as a classic pcap file. */
export function writePcap(file: string, packets: readonly PacketSpec[]): void {
  writePcapFrames(file, packets.map((p) => ({ t: p.t, frame: buildFrame(p) })));
}

/** Writes ready-made Ethernet frames as a classic little-endian microsecond pcap file. */
export function writePcapFrames(file: string, records: readonly { t: number; frame: Buffer }[]): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  const chunks: Buffer[] = [header];
  for (const { t, frame } of records) {
    const rec = Buffer.alloc(16);
    const sec = Math.floor(t);
    rec.writeUInt32LE(sec, 0);
    rec.writeUInt32LE(Math.round((t - sec) * 1e6), 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    chunks.push(rec, frame);
  }
  fs.writeFileSync(file, Buffer.concat(chunks));
}
