// Test helpers for the decoder tests: a small capture-file loader (classic pcap in both byte
// orders and micro/nanosecond magic, plus the pcapng blocks the shared captures use), packet
// builders for hand-made bytes, and a decode-into-a-fresh-frame helper.
//
// The loader (readCapture) predates the product's capture-file reader; the capture tests now
// go through CaptureFileSource (forEachRecord), and the loader remains for the benchmark,
// which wants whole files in memory. It is not meant for the product.

import fs from 'node:fs';
import path from 'node:path';
import { Frame } from '../src/decode/frame.js';
import { decodePacket } from '../src/decode/decode.js';
import { CaptureFileSource } from '../src/source/capture-file.js';

import { SHARED_PCAPS as PCAP_ROOT } from './support/paths.js';
export { PCAP_ROOT };
export const REAL_DIR = path.join(PCAP_ROOT, 'real');
export const MALFORMED_DIR = path.join(PCAP_ROOT, 'malformed');

export interface Record {
  buf: Buffer;
  off: number;
  caplen: number;
  wirelen: number;
  linkType: number;
}

export function listCaptures(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.pcap') || n.endsWith('.pcapng'))
    .sort()
    .map((n) => path.join(dir, n));
}

/** Reads every packet record of a pcap or pcapng file. Throws on a damaged container. */
export function readCapture(file: string): Record[] {
  const buf = fs.readFileSync(file);
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x0a0d0d0a) return readPcapng(file, buf);
  return readPcap(file, buf);
}

function readPcap(file: string, buf: Buffer): Record[] {
  const magicLE = buf.readUInt32LE(0);
  let le: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) le = true;
  else if (magicLE === 0xd4c3b2a1 || magicLE === 0x4d3cb2a1) le = false;
  else throw new Error(`${file}: not a pcap file`);
  const r32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = r32(20) & 0x0fffffff; // upper bits hold FCS info
  const out: Record[] = [];
  let o = 24;
  while (o + 16 <= buf.length) {
    const caplen = r32(o + 8);
    const wirelen = r32(o + 12);
    if (o + 16 + caplen > buf.length) throw new Error(`${file}: record cut at ${o}`);
    out.push({ buf, off: o + 16, caplen, wirelen, linkType });
    o += 16 + caplen;
  }
  return out;
}

function readPcapng(file: string, buf: Buffer): Record[] {
  const out: Record[] = [];
  let le = true;
  let links: number[] = [];
  let o = 0;
  while (o + 12 <= buf.length) {
    const type = buf.readUInt32LE(o);
    if (type === 0x0a0d0d0a) {
      le = buf.readUInt32LE(o + 8) === 0x1a2b3c4d;
      links = [];
    }
    const r32 = (x: number): number => (le ? buf.readUInt32LE(x) : buf.readUInt32BE(x));
    const r16 = (x: number): number => (le ? buf.readUInt16LE(x) : buf.readUInt16BE(x));
    const btype = r32(o);
    const blen = r32(o + 4);
    if (blen < 12 || o + blen > buf.length) throw new Error(`${file}: bad block at ${o}`);
    if (btype === 1) {
      links.push(r16(o + 8));
    } else if (btype === 6) {
      const iface = r32(o + 8);
      const caplen = r32(o + 20);
      out.push({ buf, off: o + 28, caplen, wirelen: r32(o + 24), linkType: links[iface] ?? -1 });
    } else if (btype === 3) {
      const wirelen = r32(o + 8);
      const caplen = Math.min(wirelen, blen - 16);
      out.push({ buf, off: o + 12, caplen, wirelen, linkType: links[0] ?? -1 });
    }
    o += blen;
  }
  return out;
}

/** Decodes a record into the given frame (the product's reuse pattern). */
export function decodeRecord(f: Frame, r: Record): number {
  f.buf = r.buf;
  f.off = r.off;
  f.caplen = r.caplen;
  f.wirelen = r.wirelen;
  f.linkType = r.linkType;
  return decodePacket(f);
}

/** Decodes packet bytes as a whole buffer; wirelen defaults to the byte count. */
export function decodeBytes(bytes: number[] | Buffer, linkType: number, wirelen?: number): Frame {
  const buf = Buffer.from(bytes);
  const f = new Frame();
  decodeRecord(f, { buf, off: 0, caplen: buf.length, wirelen: wirelen ?? buf.length, linkType });
  return f;
}

/** Every decoded field of a frame, as a plain object, for deep comparisons. */
export function snapshot(f: Frame): object {
  const l3 = f.l3Off < 0 ? f.l3Off : f.l3Off - f.off;
  const l4 = f.l4Off < 0 ? f.l4Off : f.l4Off - f.off;
  return {
    status: f.status, bytes: f.bytes, srcMac: f.srcMac, dstMac: f.dstMac,
    outerEtherType: f.outerEtherType, etherType: f.etherType, vlanCount: f.vlanCount,
    vlanIds: Array.from(f.vlanIds.subarray(0, f.vlanCount)), vlan: f.vlan, l3, l4,
    ipVersion: f.ipVersion, src4: f.src4, dst4: f.dst4,
    src6: f.ipVersion === 6 ? Array.from(f.src6) : [], dst6: f.ipVersion === 6 ? Array.from(f.dst6) : [],
    proto: f.proto, ttl: f.ttl, fragOffset: f.fragOffset, isFragment: f.isFragment,
    srcPort: f.srcPort, dstPort: f.dstPort, tcpFlags: f.tcpFlags, icmpType: f.icmpType,
    icmpCode: f.icmpCode, arpOp: f.arpOp, arpSender4: f.arpSender4, arpTarget4: f.arpTarget4,
  };
}

/**
 * Decodes the bytes twice: once in a tight buffer, once at an offset inside a larger buffer
 * full of garbage before and after, claiming the same caplen. Both must agree field by field,
 * which shows the decoder read nothing outside buf[off .. off+caplen).
 */
export function decodeBothWays(bytes: number[] | Buffer, linkType: number, wirelen?: number) {
  const tight = decodeBytes(bytes, linkType, wirelen);
  const pad = 37;
  const big = Buffer.alloc(pad + bytes.length + 200, 0xff);
  for (let i = 0; i < pad; i++) big[i] = 0x45; // looks like an IPv4 header to a bad reader
  Buffer.from(bytes).copy(big, pad);
  for (let i = pad + bytes.length; i < big.length; i++) big[i] = (i * 7 + 0x45) & 0xff;
  const loose = new Frame();
  decodeRecord(loose, {
    buf: big, off: pad, caplen: bytes.length, wirelen: wirelen ?? bytes.length, linkType,
  });
  return { tight: snapshot(tight), loose: snapshot(loose), frame: tight };
}

// --- packet builders (network byte order, checksums left 0: decoders do not check them) ---

export const be16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
export const be32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
export const ip4 = (s: string): number[] => s.split('.').map(Number);

export const MAC_A = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
export const MAC_B = [0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee];

export function ether(type: number, payload: number[], tags: Array<[number, number]> = []): number[] {
  const out = [...MAC_B, ...MAC_A];
  // tags: [tpid, vlan id]; each tag's TPID sits where the ether type would be.
  for (const [tpid, id] of tags) out.push(...be16(tpid), ...be16(id));
  out.push(...be16(type), ...payload);
  return out;
}

export interface IPv4Opts {
  src?: string; dst?: string; proto?: number; ttl?: number; options?: number[];
  frag?: number; totalLength?: number; version?: number; ihl?: number;
}

export function ipv4(o: IPv4Opts, payload: number[]): number[] {
  const options = o.options ?? [];
  const ihl = o.ihl ?? 5 + options.length / 4;
  const total = o.totalLength ?? ihl * 4 + payload.length;
  return [
    ((o.version ?? 4) << 4) | ihl, 0, ...be16(total), 0x12, 0x34, ...be16(o.frag ?? 0),
    o.ttl ?? 64, o.proto ?? 6, 0, 0, ...ip4(o.src ?? '10.0.0.1'), ...ip4(o.dst ?? '192.168.1.2'),
    ...options, ...payload,
  ];
}

export const SRC6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
export const DST6 = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55];

export function ipv6(next: number, payload: number[], hopLimit = 64, plen?: number): number[] {
  return [0x60, 0, 0, 0, ...be16(plen ?? payload.length), next, hopLimit, ...SRC6, ...DST6, ...payload];
}

export function tcp(sport: number, dport: number, flags: number, dataOffset = 5): number[] {
  const hdr = [...be16(sport), ...be16(dport), ...be32(1000), ...be32(0), dataOffset << 4, flags, ...be16(65535), 0, 0, 0, 0];
  while (hdr.length < dataOffset * 4) hdr.push(1); // NOP options
  return hdr;
}

export const udp = (sport: number, dport: number, data: number[] = []): number[] =>
  [...be16(sport), ...be16(dport), ...be16(8 + data.length), 0, 0, ...data];

export const icmp = (type: number, code: number): number[] => [type, code, 0, 0, 0, 1, 0, 1];

/**
 * Calls `cb` for every record of a capture through the product's CaptureFileSource (so these
 * tests also exercise the real reader), synchronously, with a view valid only during the
 * call. Rejects when the reader reports a damaged capture.
 */
export async function forEachRecord(file: string, cb: (r: Record) => void): Promise<number> {
  let n = 0;
  const r: Record = { buf: Buffer.alloc(0), off: 0, caplen: 0, wirelen: 0, linkType: 0 };
  const res = await new CaptureFileSource(file).run((buf, off, caplen, wirelen, linkType) => {
    r.buf = buf;
    r.off = off;
    r.caplen = caplen;
    r.wirelen = wirelen;
    r.linkType = linkType;
    n++;
    cb(r);
  });
  if (res.error) throw res.error;
  return n;
}
