// ARP / RARP decoder. Addresses are filled for IPv4 (4-byte protocol addresses); other
// ARP flavours are counted by operation only. Nothing here allocates or throws.

import { DecodeStatus, EtherType, Frame } from './frame.js';
import { u16, u32 } from './bytes.js';

const FIXED_HEADER = 8;
const HTYPE_ETHERNET = 1;
const HTYPE_IEEE802 = 6;

/**
 * Decodes the ARP header at buf[p .. end): hardware type(2) protocol type(2) hardware
 * length(1) protocol length(1) operation(2), then sender/target hardware and protocol
 * addresses. Address lengths that run past the capture, or that contradict the hardware or
 * protocol type (Ethernet but not 6, IPv4 but not 4), give TRUNCATED_ARP; arpOp stays set.
 */
export function decodeARP(f: Frame, buf: Buffer, p: number, end: number): number {
  if (end - p < FIXED_HEADER) return DecodeStatus.TRUNCATED_ARP;
  f.l3Off = p;
  const htype = u16(buf, p);
  const ptype = u16(buf, p + 2);
  const hlen = buf[p + 4]!;
  const plen = buf[p + 5]!;
  f.arpOp = u16(buf, p + 6);
  if (end - p < FIXED_HEADER + 2 * (hlen + plen)) return DecodeStatus.TRUNCATED_ARP;
  if ((htype === HTYPE_ETHERNET || htype === HTYPE_IEEE802) && hlen !== 6) {
    return DecodeStatus.TRUNCATED_ARP;
  }
  if (ptype !== EtherType.IPV4) return DecodeStatus.OK;
  if (plen !== 4) return DecodeStatus.TRUNCATED_ARP;
  f.arpSender4 = u32(buf, p + FIXED_HEADER + hlen);
  f.arpTarget4 = u32(buf, p + FIXED_HEADER + 2 * hlen + 4);
  return DecodeStatus.OK;
}
