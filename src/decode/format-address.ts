// Text forms of the numbers the decoders produce, for the edges (CSV, email, messages):
// never call these per packet. IPv4 as dotted quad, IPv6 per RFC 5952, MACs as
// colon-separated lower-case hex.

const HEX = '0123456789abcdef';
/** "00" … "ff" by byte value. */
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) => HEX[b >> 4]! + HEX[b & 15]!);

/**
 * Dotted quad of an IPv4 address held as a 32-bit integer, signed or unsigned (the bit
 * pattern is what counts, so -1 is 255.255.255.255: callers check ABSENT first).
 */
export function formatIPv4(n: number): string {
  const u = n >>> 0;
  return `${u >>> 24}.${(u >>> 16) & 0xff}.${(u >>> 8) & 0xff}.${u & 0xff}`;
}

/**
 * RFC 5952 text of a 16-byte IPv6 address: lower case, no leading zeros in a group, the
 * longest run of two or more zero groups shown as "::" (the first one on a tie), and
 * IPv4-mapped addresses (::ffff:0:0/96) in mixed notation, "::ffff:192.0.2.1" (§5).
 */
export function formatIPv6(bytes: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${bytes[12] ?? 0}.${bytes[13] ?? 0}.${bytes[14] ?? 0}.${bytes[15] ?? 0}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed (§4.2.2)
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (i: number): string => (g[i] ?? 0).toString(16);
  if (bestStart < 0) return g.map((_, i) => hex(i)).join(':');
  const head: string[] = [];
  for (let i = 0; i < bestStart; i++) head.push(hex(i));
  const tail: string[] = [];
  for (let i = bestStart + bestLen; i < 8; i++) tail.push(hex(i));
  return `${head.join(':')}::${tail.join(':')}`;
}

/**
 * "aa:bb:cc:dd:ee:ff" of a 48-bit MAC address held as an integer; '' for ABSENT (any
 * negative value), which must not print as the broadcast address.
 */
export function formatMAC(n: number): string {
  if (n < 0) return '';
  // Division for the high 16 bits: the value has 48, past what bit operators keep.
  const hi = Math.floor(n / 0x1_0000_0000);
  const lo = n >>> 0;
  return `${HEX_BYTE[hi >>> 8]}:${HEX_BYTE[hi & 0xff]}:${HEX_BYTE[lo >>> 24]}:${HEX_BYTE[(lo >>> 16) & 0xff]}:${HEX_BYTE[(lo >>> 8) & 0xff]}:${HEX_BYTE[lo & 0xff]}`;
}
