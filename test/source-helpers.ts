// Shared by the test/source-*.test.ts files: run a CaptureFileSource and copy every packet
// out, ask the real tools (capinfos, tshark) for the oracle, build pcap/pcapng bytes by hand.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaptureFileSource, type CaptureFileOptions } from '../src/source/capture-file.js';
import type { CaptureFileError, SourceStats } from '../src/source/packet-source.js';

export { REAL_PCAPS as REAL, MALFORMED_PCAPS as MALFORMED } from './support/paths.js';

export interface Pkt {
  caplen: number;
  wirelen: number;
  linkType: number;
  sec: number;
  nsec: number;
  data: Buffer;
}

export interface ReadResult {
  packets: Pkt[];
  stats: SourceStats;
  error?: CaptureFileError;
}

/** Reads a whole capture, copying each packet (the source reuses its buffer). */
export async function readAll(file: string, options?: CaptureFileOptions): Promise<ReadResult> {
  const src = new CaptureFileSource(file, options);
  const packets: Pkt[] = [];
  const r = await src.run((buf, off, caplen, wirelen, linkType, sec, nsec) => {
    packets.push({ caplen, wirelen, linkType, sec, nsec, data: Buffer.from(buf.subarray(off, off + caplen)) });
  });
  return { packets, ...r };
}

/** `sec.nnnnnnnnn`, the way tshark prints frame.time_epoch. */
export function epoch(p: Pkt): string {
  return `${p.sec}.${String(p.nsec).padStart(9, '0')}`;
}

/** tshark's view of every frame: time_epoch, cap_len, len, interface_id. */
export function tsharkFrames(file: string): { time: string; caplen: number; len: number; iface: string }[] {
  const out = execFileSync(
    'tshark',
    ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len', '-e', 'frame.interface_id'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 },
  );
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [time = '', caplen = '', len = '', iface = ''] = l.split('\t');
      return { time, caplen: Number(caplen), len: Number(len), iface };
    });
}

/**
 * Number of packets tshark manages to read (it stops at a truncated record). For pcapng,
 * tshark also lists blocks it does not know as frames without an interface: not counted.
 */
export function tsharkCount(file: string): number {
  let out: string;
  try {
    out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.interface_id'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (e) {
    // tshark exits non-zero on a cut-off file but still printed what it read.
    out = String((e as { stdout?: string }).stdout ?? '');
  }
  const lines = out.split('\n').filter((l) => l !== '');
  return file.endsWith('.pcapng') ? lines.filter((l) => !l.endsWith('\t')).length : lines.length;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
}

/** Writes little- or big-endian integers into a growing byte list (for hand-built files). */
export class Bytes {
  private readonly parts: Buffer[] = [];
  constructor(private readonly le: boolean) {}
  get length(): number {
    return this.parts.reduce((n, b) => n + b.length, 0);
  }
  u8(v: number): this {
    this.parts.push(Buffer.from([v]));
    return this;
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    if (this.le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    this.parts.push(b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    if (this.le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    this.parts.push(b);
    return this;
  }
  i64(v: bigint): this {
    const b = Buffer.alloc(8);
    if (this.le) b.writeBigInt64LE(v);
    else b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  pad4(): this {
    const n = this.length % 4;
    if (n !== 0) this.parts.push(Buffer.alloc(4 - n));
    return this;
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Deterministic packet bytes, so delivered data can be compared with what was written. */
export function fill(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}
