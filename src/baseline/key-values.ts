// Key values as people type them (CLI arguments, hand-edited baseline files): checked
// against the field of their column and put in the form the engine prints, so that
// `2001:DB8::1` typed by hand matches `2001:db8::1` seen on the wire. Also the sort order
// of baseline files: addresses numerically (IPv4 before IPv6), numbers numerically, other
// text alphabetically.

import { formatIPv6 } from '../decode/format-address.js';
import { parseIPv4, parseIPv6 } from '../count/home-networks.js';
import { FIELDS_BY_NAME } from '../count/fields.js';
import { protoName } from '../count/value-names.js';

/** Joins key values into the text used as a lookup key and in finding identifiers. */
export const KEY_SEP = ' ';

const PROTO_BY_NAME: ReadonlyMap<string, number> = new Map([
  ['icmp', 1],
  ['tcp', 6],
  ['udp', 17],
  ['icmp6', 58],
]);
const UINT = /^\d{1,10}$/;
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const DIRECTIONS = new Set(['in', 'out', 'internal', 'external']);

/** The field name of a key column: `client_host/24` → client_host, `server_port:web` → server_port. */
export function columnField(column: string): string {
  return /^[a-z_]+/.exec(column)?.[0] ?? column;
}

/** The canonical form of `value` in `column`, or an error message saying what is wrong. */
export function canonicalValue(column: string, value: string): { value: string } | { error: string } {
  const field = columnField(column);
  const info = FIELDS_BY_NAME.get(field);
  const bad = (what: string): { error: string } => ({ error: `${column} "${value}" is not ${what}` });
  if (value === '' || /\s/.test(value)) return { error: `${column} "${value}": a key value cannot be empty or hold blanks` };
  if (info?.host) {
    if (isCanonicalIPv4(value)) return { value }; // nearly every row: no parsing, no allocation
    const slash = value.indexOf('/');
    const addr = slash < 0 ? value : value.slice(0, slash);
    const len = slash < 0 ? null : value.slice(slash + 1);
    const v4 = parseIPv4(addr);
    const v6 = v4 ? null : parseIPv6(addr);
    if (!v4 && !v6) return bad('an IPv4 or IPv6 address');
    if (len !== null && (!/^\d{1,3}$/.test(len) || Number(len) > (v4 ? 32 : 128))) return bad('an address with a valid prefix length');
    const text = v4 ? Array.from(v4).join('.') : formatIPv6(v6!);
    return { value: len === null ? text : `${text}/${Number(len)}` };
  }
  if (info?.port) {
    if (value === 'other') return { value };
    return UINT.test(value) && Number(value) <= 65535 ? { value: String(Number(value)) } : bad('a port (0-65535 or other)');
  }
  switch (field) {
    case 'proto':
      if (PROTO_BY_NAME.has(value.toLowerCase())) return { value: value.toLowerCase() };
      return UINT.test(value) && Number(value) <= 255 ? { value: protoName(Number(value)) } : bad('a protocol (tcp, udp, icmp, icmp6 or 0-255)');
    case 'vlan':
      return UINT.test(value) && Number(value) <= 4095 ? { value: String(Number(value)) } : bad('a VLAN ID (0-4095)');
    case 'ttl':
    case 'icmp_type':
    case 'icmp_code':
      return UINT.test(value) && Number(value) <= 255 ? { value: String(Number(value)) } : bad('a number 0-255');
    case 'src_mac':
    case 'dst_mac':
      return MAC.test(value) ? { value: value.toLowerCase() } : bad('a MAC address such as 02:00:5e:10:00:01');
    case 'tcp_flags':
      return /^([FSRPAUEC]+|none)$/.test(value) ? { value } : bad('TCP flags (letters of FSRPAUEC, or none)');
    case 'direction':
      return DIRECTIONS.has(value) ? { value } : bad('a direction (in, out, internal, external)');
    default:
      return { value };
  }
}

/**
 * Sorts key texts in compareKeys order, for many keys at once (a learning table writes
 * tens of thousands of new keys): each value is read once, in place, into its class and
 * a number (IPv4 with its prefix length, numbers), four words (IPv6) or its place in the
 * key text (other text), and the sort compares those. Everything it keeps through the
 * sort is typed arrays, so a big sort leaves the garbage collector little to copy.
 */
export function sortKeys(keys: readonly string[]): string[] {
  const n = keys.length;
  let width = 1;
  for (const k of keys) {
    let w = 1;
    for (let p = k.indexOf(KEY_SEP); p >= 0; p = k.indexOf(KEY_SEP, p + 1)) w++;
    if (w > width) width = w;
  }
  // Per key and value slot: class (END past the key's last value), then a number (IPv4,
  // numbers), four 32-bit words and the prefix length (IPv6) or where the text is (text).
  const cls = new Uint8Array(n * width);
  const num = new Float64Array(n * width);
  const from = new Int32Array(n * width);
  const to = new Int32Array(n * width);
  let v6: Uint32Array | null = null;
  for (let k = 0; k < n; k++) {
    const key = keys[k]!;
    let i = 0;
    for (let j = 0; j < width; j++) {
      const at = k * width + j;
      if (i > key.length) {
        cls[at] = END;
        continue;
      }
      let e = key.indexOf(KEY_SEP, i);
      if (e < 0) e = key.length;
      const c = valueClass(key, i, e);
      cls[at] = c;
      if (c === NUM) num[at] = Number(key.slice(i, e));
      else if (c === TEXT) {
        from[at] = i;
        to[at] = e;
      } else {
        // Address, then no prefix length before any, then the length.
        const slash = slashAt(key, i, e);
        const len = slash === e ? 0 : Number(key.slice(slash + 1, e)) + 1;
        if (c === V4) num[at] = ipv4Value(key, i, slash) * 256 + len;
        else {
          const b = parseIPv6(key.slice(i, slash))!;
          v6 ??= new Uint32Array(n * width * 4);
          for (let w = 0; w < 4; w++) v6[at * 4 + w] = ((b[w * 4]! << 24) | (b[w * 4 + 1]! << 16) | (b[w * 4 + 2]! << 8) | b[w * 4 + 3]!) >>> 0;
          num[at] = len;
        }
      }
      i = e + 1;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    for (let j = 0, x = a * width, y = b * width; j < width; j++, x++, y++) {
      const c = cls[x]!;
      if (c !== cls[y]) return c - cls[y]!;
      if (c === END) return 0;
      if (c === TEXT) {
        const d = compareText(keys[a]!, from[x]!, to[x]!, keys[b]!, from[y]!, to[y]!);
        if (d !== 0) return d;
        continue;
      }
      if (c === V6) {
        for (let w = 0; w < 4; w++) if (v6![x * 4 + w] !== v6![y * 4 + w]) return v6![x * 4 + w]! - v6![y * 4 + w]!;
      }
      if (num[x] !== num[y]) return num[x]! - num[y]!;
    }
    return 0;
  });
  return order.map((i) => keys[i]!);
}

/**
 * Orders two key texts: value by value, IPv4 addresses before IPv6 before numbers before
 * other text; addresses and numbers by value, text by code unit; a shorter key first when
 * it is the start of a longer one. A big baseline that is mostly in order already (the
 * files are sorted) sorts with few comparisons this way and makes no garbage; many new
 * keys sort faster with sortKeys.
 */
export function compareKeys(a: string, b: string): number {
  // Neighbours in a sorted table share their first values (the same client, say): equal
  // text is an equal value, so start at the value where the texts first differ.
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  if (p === a.length && p === b.length) return 0;
  let ai = p === 0 ? 0 : a.lastIndexOf(KEY_SEP, p - 1) + 1;
  let bi = ai;
  for (;;) {
    let aj = a.indexOf(KEY_SEP, ai);
    let bj = b.indexOf(KEY_SEP, bi);
    if (aj < 0) aj = a.length;
    if (bj < 0) bj = b.length;
    const d = compareValues(a, ai, aj, b, bi, bj);
    if (d !== 0) return d;
    const aEnd = aj === a.length;
    const bEnd = bj === b.length;
    if (aEnd || bEnd) return aEnd === bEnd ? 0 : aEnd ? -1 : 1;
    ai = aj + 1;
    bi = bj + 1;
  }
}

// Value classes in sort order; END: a key with no more values.
const END = 0;
const V4 = 1;
const V6 = 2;
const NUM = 3;
const TEXT = 4;

function compareValues(a: string, ai: number, aj: number, b: string, bi: number, bj: number): number {
  const ca = valueClass(a, ai, aj);
  const cb = valueClass(b, bi, bj);
  if (ca !== cb) return ca - cb;
  if (ca === NUM) return Number(a.slice(ai, aj)) - Number(b.slice(bi, bj));
  if (ca === TEXT) return compareText(a, ai, aj, b, bi, bj);
  // Addresses: the address, then no prefix length before any, then the length.
  const as = slashAt(a, ai, aj);
  const bs = slashAt(b, bi, bj);
  const d = ca === V4 ? ipv4Value(a, ai, as) - ipv4Value(b, bi, bs) : compareBytes(parseIPv6(a.slice(ai, as))!, parseIPv6(b.slice(bi, bs))!);
  if (d !== 0) return d;
  if (as === aj || bs === bj) return (as === aj ? 0 : 1) - (bs === bj ? 0 : 1);
  return Number(a.slice(as + 1, aj)) - Number(b.slice(bs + 1, bj));
}

function valueClass(s: string, i: number, j: number): number {
  if (j - i <= 10 && isDigits(s, i, j)) return NUM;
  const slash = slashAt(s, i, j);
  if (isCanonicalIPv4(s, i, slash)) return V4;
  const addr = s.slice(i, slash);
  if (addr.includes(':') && !MAC.test(addr) && parseIPv6(addr) !== null) return V6;
  return TEXT;
}

function isDigits(s: string, i: number, j: number): boolean {
  if (i === j) return false;
  for (let k = i; k < j; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function slashAt(s: string, i: number, j: number): number {
  const k = s.indexOf('/', i);
  return k < 0 || k > j ? j : k;
}

/** A canonical dotted quad in s[i, j) as a number. */
function ipv4Value(s: string, i: number, j: number): number {
  let x = 0;
  let n = 0;
  for (let k = i; k < j; k++) {
    const c = s.charCodeAt(k);
    if (c === 46) {
      x = x * 256 + n;
      n = 0;
    } else n = n * 10 + (c - 48);
  }
  return x * 256 + n;
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  for (let k = 0; k < 16; k++) if (x[k] !== y[k]) return x[k]! - y[k]!;
  return 0;
}

function compareText(a: string, ai: number, aj: number, b: string, bi: number, bj: number): number {
  const n = Math.min(aj - ai, bj - bi);
  for (let k = 0; k < n; k++) {
    const d = a.charCodeAt(ai + k) - b.charCodeAt(bi + k);
    if (d !== 0) return d;
  }
  return aj - ai - (bj - bi);
}

/** True for a dotted quad with no leading zeros and every part ≤ 255 (already canonical), in v[i, j). */
function isCanonicalIPv4(v: string, i = 0, j = v.length): boolean {
  let parts = 0;
  let n = 0;
  let digits = 0;
  for (let k = i; k <= j; k++) {
    const c = k === j ? 46 : v.charCodeAt(k);
    if (c === 46) {
      if (digits === 0 || n > 255 || (digits > 1 && v.charCodeAt(k - digits) === 48)) return false;
      parts++;
      n = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      if (++digits > 3) return false;
    } else return false;
  }
  return parts === 4;
}

/**
 * Sorted key lists merged into one sorted list, each key once (a key may be in two files).
 * The lists are mostly long runs apart (approved.csv beside a few pending rows, a table's
 * order beside the rows added since): each run is found by binary search and copied whole.
 */
export function mergeSorted(lists: readonly (readonly string[])[]): string[] {
  // Room for every key at once: grown by push, a million-key list costs several times more.
  const out = new Array<string>(lists.reduce((n, l) => n + l.length, 0));
  let n = 0;
  const at = lists.map(() => 0);
  for (;;) {
    // The list with the smallest next key, and the smallest next key of the others.
    let best = -1;
    let next = -1;
    for (let i = 0; i < lists.length; i++) {
      if (at[i]! >= lists[i]!.length) continue;
      if (best < 0 || compareKeys(lists[i]![at[i]!]!, lists[best]![at[best]!]!) < 0) {
        next = best;
        best = i;
      } else if (next < 0 || compareKeys(lists[i]![at[i]!]!, lists[next]![at[next]!]!) < 0) next = i;
    }
    if (best < 0) break;
    const list = lists[best]!;
    // Take from the best list every key below the others' smallest (all of it when alone).
    let end = list.length;
    if (next >= 0) {
      const bound = lists[next]![at[next]!]!;
      let lo = at[best]! + 1;
      while (lo < end) {
        const mid = (lo + end) >>> 1;
        if (compareKeys(list[mid]!, bound) < 0) lo = mid + 1;
        else end = mid;
      }
    }
    // A key in two lists: the run's first key may be the one just taken from another list.
    let j = at[best]!;
    if (n > 0 && out[n - 1] === list[j]) j++;
    for (; j < end; j++) out[n++] = list[j]!;
    at[best] = end;
  }
  out.length = n;
  return out;
}
