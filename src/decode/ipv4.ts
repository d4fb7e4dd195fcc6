// IPv4 header decoder: addresses, TTL, protocol, fragments and the counter bytes; hands the
// upper-layer header to the transport decoder. Tunnels are not followed: GRE, IP-in-IP,
// ESP… are counted by their protocol number with the outer addresses only.

import { DecodeStatus, Frame } from './frame.js';
import { u16, u32 } from './bytes.js';
import { decodeTransport } from './transport.js';

const MIN_HEADER = 20;

/**
 * Bytes an IP packet occupies when its own length field cannot be trusted: the wire length
 * less the link header (clamped at 0 for records whose wire length is below their caplen).
 */
export function wireIPBytes(f: Frame, l3Off: number): number {
  const n = f.wirelen - (l3Off - f.off);
  return n > 0 ? n : 0;
}

/**
 * Decodes the IPv4 header at buf[p .. end). Snaplen truncation is not an error: the total
 * length may exceed the captured data; only the header fields we read must be present.
 */
export function decodeIPv4(f: Frame, buf: Buffer, p: number, end: number): number {
  if (end - p < MIN_HEADER) return DecodeStatus.TRUNCATED_IP;
  const b0 = buf[p]!;
  if (b0 >> 4 !== 4) return DecodeStatus.BAD_IP_VERSION;
  f.l3Off = p;
  f.ipVersion = 4;
  f.ttl = buf[p + 8]!;
  f.proto = buf[p + 9]!;
  f.src4 = u32(buf, p + 12);
  f.dst4 = u32(buf, p + 16);
  const frag = u16(buf, p + 6);
  f.fragOffset = frag & 0x1fff;
  // More-fragments bit or a non-zero offset (the reserved and DF bits do not count).
  f.isFragment = (frag & 0x3fff) !== 0 ? 1 : 0;

  const ihl = (b0 & 0x0f) << 2;
  const total = u16(buf, p + 2);
  // Total length 0 is what Linux BIG TCP / TSO captures carry: trust the wire length.
  // A total length below the header is bogus: also count the wire length.
  const minTotal = ihl > MIN_HEADER ? ihl : MIN_HEADER;
  f.bytes = total >= minTotal ? total : wireIPBytes(f, p);

  if (ihl < MIN_HEADER) return DecodeStatus.BAD_IP_HEADER_LENGTH;
  if (total !== 0 && total < ihl) return DecodeStatus.BAD_IP_TOTAL_LENGTH;
  if (end - p < ihl) return DecodeStatus.BAD_IP_HEADER_LENGTH;
  // Later fragments carry no transport header.
  if (f.fragOffset !== 0) return DecodeStatus.OK;
  // Bytes past the total length (Ethernet padding) are not part of the packet.
  const limit = total !== 0 && p + total < end ? p + total : end;
  return decodeTransport(f, buf, p + ihl, limit);
}
