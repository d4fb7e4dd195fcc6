// One key column of a table, compiled from its config spelling (`client_host/24`,
// `server_port:web`, `proto`) into plain numbers, and the three things done with it:
// extract it from a decoded frame into key words (per packet, no allocation), order it,
// and print it (per snapshot, at the edge).
//
// Every KeyPart has the same shape so the switch in extractPart stays monomorphic.

import { ABSENT, Frame } from '../decode/frame.js';
import { formatIPv4, formatIPv6, formatMAC } from '../decode/format-address.js';
import type { DirectionInferrer } from './direction.js';
import { FieldKind, FIELDS_BY_NAME } from './fields.js';
import { compareV6, v6Bytes, type IPv6Interner } from './ipv6-interner.js';
import { etherTypeName, protoName, tcpFlagsText, arpOpName } from './value-names.js';
import type { HomeNetworks } from './home-networks.js';

/** Internal value of the `other` bucket of a port list (outside 0..65535 on purpose). */
export const OTHER_PORT = 65536;
const DIRECTION_NAMES = ['in', 'out', 'internal', 'external'];

export interface KeyPart {
  /** The spelling in the config, used as the CSV column header. */
  name: string;
  kind: number;
  /** Words this part takes in the key. */
  words: number;
  /** IPv4 prefix length and its netmask (host fields). */
  prefix4: number;
  mask4: number;
  /** IPv6 prefix length (host fields). */
  prefix6: number;
  /** Port list membership (port fields with `:list`), else null. */
  portList: Uint8Array | null;
}

export interface KeyContext {
  dir: DirectionInferrer;
  interner: IPv6Interner;
  home: HomeNetworks;
  sensor: string;
}

/**
 * What key words refer to, for printing and ordering them: the sensor name and the
 * interned IPv6 addresses (four words per id). Plain data, so a snapshot can carry a copy
 * to another thread.
 */
export interface KeyNames {
  sensor: string;
  v6: Float64Array;
}

/**
 * Parses a key spec. Returns the part, or an error message naming what is wrong.
 * `portLists` maps a list name to its ports.
 */
export function parseKeySpec(spec: string, portLists: ReadonlyMap<string, readonly number[]>): KeyPart | string {
  const m = /^([a-z_]+)(?:\/(\d+)(?:\/(\d+))?|:([A-Za-z0-9_-]+))?$/.exec(spec);
  const info = m ? FIELDS_BY_NAME.get(m[1]!) : undefined;
  if (!m || !info) return `unknown field "${spec}"`;
  const part: KeyPart = { name: spec, kind: info.kind, words: 1, prefix4: 32, mask4: 0xffffffff, prefix6: 128, portList: null };
  if (info.host) part.words = 2;
  if (info.kind === FieldKind.SRC_MAC || info.kind === FieldKind.DST_MAC) part.words = 2;
  if (m[2] !== undefined) {
    if (!info.host) return `field "${info.name}" takes no prefix mask (only host fields do)`;
    const len4 = Number(m[2]);
    const len6 = m[3] !== undefined ? Number(m[3]) : len4;
    if (len4 > 32 && m[3] !== undefined) return `IPv4 prefix length ${len4} is more than 32`;
    if (len6 > 128) return `IPv6 prefix length ${len6} is more than 128`;
    const bits = Math.min(len4, 32);
    part.prefix4 = bits;
    part.mask4 = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    part.prefix6 = len6;
  }
  if (m[4] !== undefined) {
    if (!info.port) return `field "${info.name}" takes no port list (only port fields do)`;
    const ports = portLists.get(m[4]);
    if (!ports) return `unknown port list "${m[4]}"`;
    part.portList = new Uint8Array(65536);
    for (const p of ports) part.portList[p] = 1;
  }
  return part;
}

/** Writes the part into key[off..]; false when the packet lacks the field. */
export function extractPart(p: KeyPart, f: Frame, ctx: KeyContext, key: Uint32Array, off: number): boolean {
  switch (p.kind) {
    case FieldKind.SRC_HOST:
      return putHost(p, f, true, ctx, key, off);
    case FieldKind.DST_HOST:
      return putHost(p, f, false, ctx, key, off);
    case FieldKind.CLIENT_HOST:
      return ctx.dir.known && putHost(p, f, ctx.dir.clientIsSrc === 1, ctx, key, off);
    case FieldKind.SERVER_HOST:
      return ctx.dir.known && putHost(p, f, ctx.dir.clientIsSrc === 0, ctx, key, off);
    case FieldKind.ARP_SENDER_HOST:
      return putARPHost(p, f.arpSender4, key, off);
    case FieldKind.ARP_TARGET_HOST:
      return putARPHost(p, f.arpTarget4, key, off);
    case FieldKind.SRC_PORT:
      return putPort(p, f.srcPort, key, off);
    case FieldKind.DST_PORT:
      return putPort(p, f.dstPort, key, off);
    case FieldKind.SERVER_PORT:
      return ctx.dir.known && putPort(p, ctx.dir.serverPort, key, off);
    case FieldKind.PROTO:
      return putNumber(f.proto, key, off);
    case FieldKind.VLAN:
      return putNumber(f.vlan, key, off);
    case FieldKind.SRC_MAC:
      return putMAC(f.srcMac, key, off);
    case FieldKind.DST_MAC:
      return putMAC(f.dstMac, key, off);
    case FieldKind.ETHER_TYPE:
      return putNumber(f.etherType, key, off);
    case FieldKind.ICMP_TYPE:
      return putNumber(f.icmpType, key, off);
    case FieldKind.ICMP_CODE:
      return putNumber(f.icmpCode, key, off);
    case FieldKind.TTL:
      return putNumber(f.ttl, key, off);
    case FieldKind.TCP_FLAGS:
      return putNumber(f.tcpFlags, key, off);
    case FieldKind.ARP_OP:
      return putNumber(f.arpOp, key, off);
    case FieldKind.SENSOR:
      key[off] = 0;
      return true;
    case FieldKind.DIRECTION:
      return f.ipVersion !== 0 && putNumber(ctx.home.direction(f), key, off);
    default:
      return false;
  }
}

function putHost(p: KeyPart, f: Frame, src: boolean, ctx: KeyContext, key: Uint32Array, off: number): boolean {
  if (f.ipVersion === 4) {
    key[off] = 4;
    key[off + 1] = ((src ? f.src4 : f.dst4) & p.mask4) >>> 0;
    return true;
  }
  if (f.ipVersion === 6) {
    key[off] = 6;
    key[off + 1] = ctx.interner.intern(src ? f.src6 : f.dst6, p.prefix6);
    return true;
  }
  return false;
}

function putARPHost(p: KeyPart, addr: number, key: Uint32Array, off: number): boolean {
  if (addr === ABSENT) return false;
  key[off] = 4;
  key[off + 1] = (addr & p.mask4) >>> 0;
  return true;
}

function putPort(p: KeyPart, port: number, key: Uint32Array, off: number): boolean {
  if (port < 0) return false;
  key[off] = p.portList === null || p.portList[port] === 1 ? port : OTHER_PORT;
  return true;
}

function putNumber(v: number, key: Uint32Array, off: number): boolean {
  if (v < 0) return false;
  key[off] = v;
  return true;
}

function putMAC(mac: number, key: Uint32Array, off: number): boolean {
  if (mac < 0) return false;
  key[off] = Math.floor(mac / 0x100000000);
  key[off + 1] = mac >>> 0;
  return true;
}

/** Orders two keys' values of this part (hosts: IPv4 before IPv6, then by address). */
export function comparePart(p: KeyPart, names: KeyNames, a: Float64Array, ao: number, b: Float64Array, bo: number): number {
  if (p.words === 1) return a[ao]! - b[bo]!;
  const d = a[ao]! - b[bo]!;
  if (d !== 0) return d;
  if (isHostKind(p.kind) && a[ao] === 6) return compareV6(names.v6, a[ao + 1]!, b[bo + 1]!);
  return a[ao + 1]! - b[bo + 1]!;
}

/** Prints the part's value the way CSV files, baselines and emails show it. */
export function formatPart(p: KeyPart, names: KeyNames, key: Float64Array, off: number): string {
  const v = key[off]!;
  switch (p.kind) {
    case FieldKind.SRC_HOST:
    case FieldKind.DST_HOST:
    case FieldKind.CLIENT_HOST:
    case FieldKind.SERVER_HOST:
    case FieldKind.ARP_SENDER_HOST:
    case FieldKind.ARP_TARGET_HOST:
      return formatHost(p, names, v, key[off + 1]!);
    case FieldKind.SRC_MAC:
    case FieldKind.DST_MAC:
      return formatMAC(v * 0x100000000 + key[off + 1]!);
    case FieldKind.SRC_PORT:
    case FieldKind.DST_PORT:
    case FieldKind.SERVER_PORT:
      return v === OTHER_PORT ? 'other' : String(v);
    case FieldKind.PROTO:
      return protoName(v);
    case FieldKind.ETHER_TYPE:
      return etherTypeName(v);
    case FieldKind.TCP_FLAGS:
      return tcpFlagsText(v);
    case FieldKind.ARP_OP:
      return arpOpName(v);
    case FieldKind.SENSOR:
      return names.sensor;
    case FieldKind.DIRECTION:
      return DIRECTION_NAMES[v] ?? String(v);
    default:
      return String(v);
  }
}

function formatHost(p: KeyPart, names: KeyNames, family: number, value: number): string {
  if (family === 4) {
    const text = formatIPv4(value);
    return p.prefix4 === 32 ? text : `${text}/${p.prefix4}`;
  }
  const text = formatIPv6(v6Bytes(names.v6, value));
  return p.prefix6 === 128 ? text : `${text}/${p.prefix6}`;
}

function isHostKind(kind: number): boolean {
  return kind <= FieldKind.ARP_TARGET_HOST;
}
