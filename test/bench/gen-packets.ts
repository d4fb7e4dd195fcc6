// Frame builders for the benchmark capture generator: Ethernet (optionally 802.1Q / QinQ
// tagged), IPv4, IPv6 (optionally with a hop-by-hop header), TCP, UDP, ICMP/ICMPv6 and ARP
// headers written straight into a scratch Buffer, with correct IP, TCP, UDP and ICMP
// checksums, so tshark and tcpdump see well-formed traffic.
//
// Payloads are one repeated byte: their share of an Internet checksum is computed
// arithmetically instead of summed byte by byte, which keeps a 2 M-packet capture fast.
// Nothing here knows about flows or hosts; that lives in gen-traffic.ts.

export const ETH_MIN = 60; // minimum frame without FCS; shorter frames are zero-padded

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

/** Sum of the big-endian 16-bit words in buf[start, end); an odd last byte is padded. */
export function sumRange(buf: Buffer, start: number, end: number): number {
  let sum = 0;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
  return sum;
}

/** Checksum share of `n` bytes all equal to `b`, starting at an even offset. */
export function sumFill(b: number, n: number): number {
  return Math.floor(n / 2) * ((b << 8) | b) + (n & 1 ? b << 8 : 0);
}

/** Fold a word sum to 16 bits and complement it. */
export function finish(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}

/** Write the Ethernet header; returns the offset of the L3 header. */
export function writeEthernet(
  buf: Buffer,
  dstMac: number,
  srcMac: number,
  outerVlan: number,
  vlan: number,
  etherType: number,
): number {
  buf.writeUIntBE(dstMac, 0, 6);
  buf.writeUIntBE(srcMac, 6, 6);
  let off = 12;
  if (outerVlan !== 0) {
    buf.writeUInt16BE(ETHERTYPE_QINQ, off);
    buf.writeUInt16BE(outerVlan, off + 2);
    off += 4;
  }
  if (vlan !== 0) {
    buf.writeUInt16BE(ETHERTYPE_VLAN, off);
    buf.writeUInt16BE(vlan, off + 2); // priority 0, DEI 0
    off += 4;
  }
  buf.writeUInt16BE(etherType, off);
  return off + 2;
}

/** IPv4 header without options, checksum filled in; returns the L4 offset. */
export function writeIPv4(
  buf: Buffer,
  off: number,
  proto: number,
  src: number,
  dst: number,
  ttl: number,
  id: number,
  l4Len: number,
  dontFragment: boolean,
): number {
  buf[off] = 0x45;
  buf[off + 1] = 0;
  buf.writeUInt16BE(20 + l4Len, off + 2);
  buf.writeUInt16BE(id & 0xffff, off + 4);
  buf.writeUInt16BE(dontFragment ? 0x4000 : 0, off + 6);
  buf[off + 8] = ttl;
  buf[off + 9] = proto;
  buf.writeUInt16BE(0, off + 10);
  buf.writeUInt32BE(src, off + 12);
  buf.writeUInt32BE(dst, off + 16);
  buf.writeUInt16BE(finish(sumRange(buf, off, off + 20)), off + 10);
  return off + 20;
}

/** Pseudo-header sum for an IPv4 TCP/UDP checksum. */
export function pseudoIPv4(src: number, dst: number, proto: number, l4Len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + l4Len;
}

/**
 * IPv6 header, plus an 8-byte hop-by-hop header (Router Alert option, as MLD and RSVP
 * carry) when `hopByHop`; returns the L4 offset.
 */
export function writeIPv6(
  buf: Buffer,
  off: number,
  proto: number,
  src: Buffer,
  dst: Buffer,
  hopLimit: number,
  l4Len: number,
  hopByHop: boolean,
  flowLabel: number,
): number {
  buf.writeUInt32BE((0x60000000 | (flowLabel & 0xfffff)) >>> 0, off);
  buf.writeUInt16BE(l4Len + (hopByHop ? 8 : 0), off + 4);
  buf[off + 6] = hopByHop ? 0 : proto;
  buf[off + 7] = hopLimit;
  src.copy(buf, off + 8);
  dst.copy(buf, off + 24);
  off += 40;
  if (hopByHop) {
    buf[off] = proto; // next header
    buf[off + 1] = 0; // length in 8-octet units, not counting the first 8
    buf[off + 2] = 0x05; // Router Alert
    buf[off + 3] = 0x02;
    buf[off + 4] = 0;
    buf[off + 5] = 0;
    buf[off + 6] = 0x01; // PadN, 0 bytes of padding data
    buf[off + 7] = 0;
    off += 8;
  }
  return off;
}

/** Pseudo-header sum for an IPv6 upper-layer checksum. */
export function pseudoIPv6(src: Buffer, dst: Buffer, proto: number, l4Len: number): number {
  return sumRange(src, 0, 16) + sumRange(dst, 0, 16) + proto + l4Len;
}

/** TCP header length for a SYN (MSS, SACK-permitted, timestamps, window scale) or not. */
export function tcpHeaderLen(syn: boolean): number {
  return syn ? 40 : 32;
}

/**
 * TCP header with Linux-style options: SYNs carry MSS, SACK-permitted, timestamps and
 * window scale (40-byte header); other segments carry timestamps (32-byte header).
 * The checksum field is left 0 for `tcpChecksum`.
 */
export function writeTCP(
  buf: Buffer,
  off: number,
  sport: number,
  dport: number,
  seq: number,
  ack: number,
  flags: number,
  window: number,
  tsVal: number,
  tsEcr: number,
  mss: number,
): number {
  const syn = (flags & 0x02) !== 0;
  const hlen = tcpHeaderLen(syn);
  buf.writeUInt16BE(sport, off);
  buf.writeUInt16BE(dport, off + 2);
  buf.writeUInt32BE(seq >>> 0, off + 4);
  buf.writeUInt32BE((flags & 0x10) !== 0 ? ack >>> 0 : 0, off + 8);
  buf[off + 12] = (hlen / 4) << 4;
  buf[off + 13] = flags;
  buf.writeUInt16BE(window, off + 14);
  buf.writeUInt32BE(0, off + 16); // checksum, urgent pointer
  let o = off + 20;
  if (syn) {
    buf[o] = 2; buf[o + 1] = 4; buf.writeUInt16BE(mss, o + 2); // MSS
    buf[o + 4] = 4; buf[o + 5] = 2; // SACK permitted
    buf[o + 6] = 8; buf[o + 7] = 10; // timestamps
    buf.writeUInt32BE(tsVal >>> 0, o + 8);
    buf.writeUInt32BE(tsEcr >>> 0, o + 12);
    buf[o + 16] = 1; // NOP
    buf[o + 17] = 3; buf[o + 18] = 3; buf[o + 19] = 7; // window scale 7
  } else {
    buf[o] = 1; buf[o + 1] = 1; // NOP NOP
    buf[o + 2] = 8; buf[o + 3] = 10;
    buf.writeUInt32BE(tsVal >>> 0, o + 4);
    buf.writeUInt32BE(tsEcr >>> 0, o + 8);
  }
  return off + hlen;
}

/** UDP header; the checksum field is left 0 for the caller. */
export function writeUDP(buf: Buffer, off: number, sport: number, dport: number, l4Len: number): number {
  buf.writeUInt16BE(sport, off);
  buf.writeUInt16BE(dport, off + 2);
  buf.writeUInt16BE(l4Len, off + 4);
  buf.writeUInt16BE(0, off + 6);
  return off + 8;
}

/** ICMP / ICMPv6 echo header (type, code, checksum 0, identifier, sequence). */
export function writeEcho(buf: Buffer, off: number, type: number, id: number, seq: number): number {
  buf[off] = type;
  buf[off + 1] = 0;
  buf.writeUInt16BE(0, off + 2);
  buf.writeUInt16BE(id, off + 4);
  buf.writeUInt16BE(seq, off + 6);
  return off + 8;
}

/** ARP for IPv4 over Ethernet (28 bytes after the Ethernet header). */
export function writeARP(
  buf: Buffer,
  off: number,
  op: number,
  senderMac: number,
  senderIP: number,
  targetMac: number,
  targetIP: number,
): number {
  buf.writeUInt32BE(0x00010800, off); // hardware Ethernet, protocol IPv4
  buf[off + 4] = 6;
  buf[off + 5] = 4;
  buf.writeUInt16BE(op, off + 6);
  buf.writeUIntBE(senderMac, off + 8, 6);
  buf.writeUInt32BE(senderIP, off + 14);
  buf.writeUIntBE(targetMac, off + 18, 6);
  buf.writeUInt32BE(targetIP, off + 24);
  return off + 28;
}

/** Zero-pad a frame to the Ethernet minimum; returns the final frame length. */
export function padFrame(buf: Buffer, len: number): number {
  if (len >= ETH_MIN) return len;
  buf.fill(0, len, ETH_MIN);
  return ETH_MIN;
}
