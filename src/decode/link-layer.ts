// Link-layer decoders: Ethernet (with VLAN tags), Linux cooked SLL / SLL2, BSD NULL and
// OpenBSD LOOP loopback, and the raw-IP link types.
//
// Each decoder reads the link header at buf[p .. end), fills the link fields of the frame,
// sets frame.etherType to the network protocol that follows (ABSENT when it is not an ether
// type, e.g. an 802.3 length field or an unknown address family) and returns the offset of
// the network-layer header, or a negated DecodeStatus when the link header is cut short.
// Nothing here allocates or throws; no network-layer parsing lives here.

import { ABSENT, DecodeStatus, EtherType, Frame } from './frame.js';
import { mac48, u16, u32 } from './bytes.js';
import { decodeVLANTags } from './vlan.js';

const ETHERNET_HEADER = 14;
const SLL_HEADER = 16;
const SLL2_HEADER = 20;
const LOOPBACK_HEADER = 4;
/** Ether type values below this are IEEE 802.3 length fields (an LLC header follows). */
const MIN_ETHER_TYPE = 0x0600;

// BSD address families: AF_INET is 2 everywhere; AF_INET6 differs between the BSDs
// (NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30).
const AF_INET = 2;
const AF_INET6_BSD = 24;
const AF_INET6_FREEBSD = 28;
const AF_INET6_DARWIN = 30;

export function decodeEthernet(f: Frame, buf: Buffer, p: number, end: number): number {
  if (end - p < ETHERNET_HEADER) {
    // The MACs alone are still worth keeping for src_mac/dst_mac tables.
    if (end - p >= 12) {
      f.dstMac = mac48(buf, p);
      f.srcMac = mac48(buf, p + 6);
    }
    return -DecodeStatus.TRUNCATED_LINK;
  }
  f.dstMac = mac48(buf, p);
  f.srcMac = mac48(buf, p + 6);
  const type = u16(buf, p + 12);
  // 802.3 frame: the field is a length and LLC follows; etherType stays ABSENT.
  if (type < MIN_ETHER_TYPE) return p + ETHERNET_HEADER;
  f.outerEtherType = type;
  f.etherType = type;
  return decodeVLANTags(f, buf, p + ETHERNET_HEADER, end);
}

/**
 * Linux cooked capture v1: packet type(2) ARPHRD(2) address length(2) address(8)
 * protocol(2). The one link address is the sender's.
 */
export function decodeSLL(f: Frame, buf: Buffer, p: number, end: number): number {
  if (end - p < SLL_HEADER) return -DecodeStatus.TRUNCATED_LINK;
  if (u16(buf, p + 4) === 6) f.srcMac = mac48(buf, p + 6);
  return cookedProtocol(f, buf, u16(buf, p + 14), p + SLL_HEADER, end);
}

/**
 * Linux cooked capture v2: protocol(2) reserved(2) interface index(4) ARPHRD(2)
 * packet type(1) address length(1) address(8).
 */
export function decodeSLL2(f: Frame, buf: Buffer, p: number, end: number): number {
  if (end - p < SLL2_HEADER) return -DecodeStatus.TRUNCATED_LINK;
  if (buf[p + 11] === 6) f.srcMac = mac48(buf, p + 12);
  return cookedProtocol(f, buf, u16(buf, p), p + SLL2_HEADER, end);
}

/**
 * The cooked protocol field is an ether type, except small values that name Linux
 * pseudo-protocols (802.2 LLC, 802.3, CAN…): those leave etherType ABSENT. A kept VLAN tag
 * (protocol 0x8100) is walked like on Ethernet. outerEtherType stays ABSENT: the frame
 * contract reserves it for Ethernet links.
 */
function cookedProtocol(f: Frame, buf: Buffer, type: number, p: number, end: number): number {
  if (type < MIN_ETHER_TYPE) return p;
  f.etherType = type;
  return decodeVLANTags(f, buf, p, end);
}

/** BSD NULL: a 4-byte address family in the byte order of the host that captured. */
export function decodeNull(f: Frame, buf: Buffer, p: number, end: number): number {
  if (end - p < LOOPBACK_HEADER) return -DecodeStatus.TRUNCATED_LINK;
  // Families are small numbers, so a value with high bits set was written big-endian.
  let af = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
  if (af > 0xffff) af = u32(buf, p);
  f.etherType = etherTypeOfFamily(af);
  return p + LOOPBACK_HEADER;
}

/** OpenBSD LOOP: the same 4-byte address family, always in network byte order. */
export function decodeLoop(f: Frame, buf: Buffer, p: number, end: number): number {
  if (end - p < LOOPBACK_HEADER) return -DecodeStatus.TRUNCATED_LINK;
  f.etherType = etherTypeOfFamily(u32(buf, p));
  return p + LOOPBACK_HEADER;
}

function etherTypeOfFamily(af: number): number {
  if (af === AF_INET) return EtherType.IPV4;
  if (af === AF_INET6_BSD || af === AF_INET6_FREEBSD || af === AF_INET6_DARWIN) {
    return EtherType.IPV6;
  }
  return ABSENT;
}

/** LINKTYPE_RAW: no header; the IP version nibble says IPv4 or IPv6. */
export function decodeRaw(f: Frame, buf: Buffer, p: number, end: number): number {
  if (end - p < 1) return -DecodeStatus.TRUNCATED_IP;
  const version = buf[p]! >> 4;
  if (version === 4) f.etherType = EtherType.IPV4;
  else if (version === 6) f.etherType = EtherType.IPV6;
  else return -DecodeStatus.BAD_IP_VERSION;
  return p;
}
