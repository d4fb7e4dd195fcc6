// The admin's own address space (`home_networks:`), for the `direction` field:
// in (outside → home), out (home → outside), internal (home → home), external (neither).

import { Frame } from '../decode/frame.js';

export const Direction = { IN: 0, OUT: 1, INTERNAL: 2, EXTERNAL: 3 } as const;

export interface Prefix {
  version: 4 | 6;
  /** Network address bytes (4 or 16). */
  bytes: Uint8Array;
  length: number;
}

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address; null if it is not one. */
export function parsePrefix(text: string): Prefix | null {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIPv4(addr) ?? parseIPv6(addr);
  if (!bytes) return null;
  const max = bytes.length * 8;
  const length = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!/^\d+$/.test(slash < 0 ? '0' : text.slice(slash + 1)) || length > max) return null;
  return { version: bytes.length === 4 ? 4 : 6, bytes, length };
}

export function parseIPv4(text: string): Uint8Array | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const v = Number(m[i + 1]);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

export function parseIPv6(text: string): Uint8Array | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.split('::').length > 2) return null;
  let tail4: Uint8Array | null = null;
  let body = text;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tail4 = parseIPv4(text.slice(lastColon + 1));
    if (!tail4) return null;
    body = text.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = body.split('::') as [string, string | undefined];
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const groups = s.split(':');
    if (groups.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return null;
    return groups.map((g) => parseInt(g, 16));
  };
  const a = parseGroups(head);
  const b = rest === undefined ? [] : parseGroups(rest);
  if (!a || !b) return null;
  const fill = 8 - a.length - b.length;
  if ((rest === undefined && fill !== 0) || (rest !== undefined && fill < 1)) return null;
  const groups = [...a, ...new Array<number>(rest === undefined ? 0 : fill).fill(0), ...b];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  if (tail4) out.set(tail4, 12);
  return out;
}

export class HomeNetworks {
  private readonly v4: { net: number; mask: number }[] = [];
  private readonly v6: Prefix[] = [];

  constructor(prefixes: readonly Prefix[]) {
    for (const p of prefixes) {
      if (p.version === 4) {
        const mask = p.length === 0 ? 0 : (0xffffffff << (32 - p.length)) >>> 0;
        const net = ((p.bytes[0]! << 24) | (p.bytes[1]! << 16) | (p.bytes[2]! << 8) | p.bytes[3]!) >>> 0;
        this.v4.push({ net: (net & mask) >>> 0, mask });
      } else this.v6.push(p);
    }
  }

  get empty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  /** Direction of an IP frame (ipVersion 4 or 6). */
  direction(f: Frame): number {
    const srcHome = f.ipVersion === 4 ? this.has4(f.src4) : this.has6(f.src6);
    const dstHome = f.ipVersion === 4 ? this.has4(f.dst4) : this.has6(f.dst6);
    if (srcHome) return dstHome ? Direction.INTERNAL : Direction.OUT;
    return dstHome ? Direction.IN : Direction.EXTERNAL;
  }

  private has4(addr: number): boolean {
    for (const p of this.v4) if (((addr & p.mask) >>> 0) === p.net) return true;
    return false;
  }

  private has6(addr: Uint8Array): boolean {
    for (const p of this.v6) if (prefixMatches(p, addr)) return true;
    return false;
  }
}

function prefixMatches(p: Prefix, addr: Uint8Array): boolean {
  let bits = p.length;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr[i]! & mask) !== (p.bytes[i]! & mask)) return false;
  }
  return true;
}
