// Packet decoding entry point: picks the link-layer decoder for frame.linkType, then the
// network-layer decoder for the ether type it found (IPv4, IPv6, ARP/RARP), which in turn
// decodes the transport header.
//
// Rules (DESIGN.md): no allocation, no throw, no read outside buf[off .. off+caplen).
// Snaplen truncation is not malformation: we decode what was captured, and only mark a
// packet when a header we read from is itself cut short.
//
// Tunnels are NOT decapsulated: GRE, VXLAN, Geneve, IP-in-IP, ESP… count by the outer
// headers only (outer addresses, outer protocol and ports). Payloads of ICMP errors are not
// read either. Other ether types and IP protocols count by number with status OK.

import { DecodeStatus, EtherType, Frame, LinkType } from './frame.js';
import { decodeARP } from './arp.js';
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import {
  decodeEthernet,
  decodeLoop,
  decodeNull,
  decodeRaw,
  decodeSLL,
  decodeSLL2,
} from './link-layer.js';

/**
 * Decodes frame.buf[frame.off .. frame.off+frame.caplen) as a frame of frame.linkType into
 * the frame's fields. Returns the DecodeStatus, also stored in frame.status.
 */
export function decodePacket(f: Frame): number {
  // A wire length of 0 means the source could not know it (live capture through cap):
  // it becomes the captured length, then the IP header's length if that says more.
  const deriveWirelen = f.wirelen === 0;
  if (deriveWirelen) f.wirelen = f.caplen;
  f.reset();
  const buf = f.buf;
  const start = f.off;
  let end = start + f.caplen;
  // A caller that claims more than the buffer holds must not make us read past it.
  if (end > buf.length) end = buf.length;
  if (start > end) end = start;

  let p: number;
  switch (f.linkType) {
    case LinkType.ETHERNET:
      p = decodeEthernet(f, buf, start, end);
      break;
    case LinkType.LINUX_SLL:
      p = decodeSLL(f, buf, start, end);
      break;
    case LinkType.LINUX_SLL2:
      p = decodeSLL2(f, buf, start, end);
      break;
    case LinkType.NULL:
      p = decodeNull(f, buf, start, end);
      break;
    case LinkType.LOOP:
      p = decodeLoop(f, buf, start, end);
      break;
    case LinkType.RAW:
      p = decodeRaw(f, buf, start, end);
      break;
    case LinkType.IPV4:
      f.etherType = EtherType.IPV4;
      p = start;
      break;
    case LinkType.IPV6:
      f.etherType = EtherType.IPV6;
      p = start;
      break;
    default:
      return (f.status = DecodeStatus.UNSUPPORTED_LINK_TYPE);
  }
  // Link decoders return the network-layer offset, or a negated status.
  if (p < 0) return (f.status = -p);

  const type = f.etherType;
  let status: number = DecodeStatus.OK;
  if (type === EtherType.IPV4) status = decodeIPv4(f, buf, p, end);
  else if (type === EtherType.IPV6) status = decodeIPv6(f, buf, p, end);
  else if (type === EtherType.ARP || type === EtherType.RARP) status = decodeARP(f, buf, p, end);
  if (deriveWirelen && f.ipVersion !== 0 && f.l3Off >= 0) {
    const onWire = f.l3Off - start + f.bytes; // link header + IP length
    if (onWire > f.wirelen) f.wirelen = onWire;
  }
  return (f.status = status);
}
