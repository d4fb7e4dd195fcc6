// IPv6 decoder: fixed header, the extension header chain (hop-by-hop, routing, fragment,
// destination options, AH), the Jumbo Payload option and the counter bytes; hands the
// upper-layer header to the transport decoder. Tunnels (IPv6-in-IPv6, GRE, ESP…) are not
// followed: they count by their protocol number with the outer addresses only.

import { DecodeStatus, Frame, IPProto } from './frame.js';
import { u16, u32 } from './bytes.js';
import { wireIPBytes } from './ipv4.js';
import { decodeTransport } from './transport.js';

const FIXED_HEADER = 40;
const JUMBO_OPTION = 0xc2;

export function decodeIPv6(f: Frame, buf: Buffer, p: number, end: number): number {
  if (end - p < FIXED_HEADER) return DecodeStatus.TRUNCATED_IP;
  if (buf[p]! >> 4 !== 6) return DecodeStatus.BAD_IP_VERSION;
  f.l3Off = p;
  f.ipVersion = 6;
  f.ttl = buf[p + 7]!;
  // Byte loop into the preallocated arrays: Buffer#copy may create a view per call.
  const src6 = f.src6;
  const dst6 = f.dst6;
  for (let i = 0; i < 16; i++) {
    src6[i] = buf[p + 8 + i]!;
    dst6[i] = buf[p + 24 + i]!;
  }
  const plen = u16(buf, p + 4);
  let limit = end;
  if (plen !== 0) {
    f.bytes = FIXED_HEADER + plen;
    if (p + FIXED_HEADER + plen < end) limit = p + FIXED_HEADER + plen;
  } else {
    // Payload length 0: a jumbogram (the hop-by-hop walk below replaces this with the
    // Jumbo Payload value) or Linux BIG TCP, which sends no jumbo option at all.
    f.bytes = wireIPBytes(f, p);
  }

  let next = buf[p + 6]!;
  let q = p + FIXED_HEADER;
  // Every header is at least 8 bytes long, so the walk ends within the captured data.
  for (;;) {
    if (next === IPProto.HOPOPTS || next === IPProto.ROUTING || next === IPProto.DSTOPTS) {
      if (limit - q < 8) break;
      const len = (buf[q + 1]! + 1) << 3;
      if (limit - q < len) break;
      if (next === IPProto.HOPOPTS && plen === 0) findJumbo(f, buf, q + 2, q + len);
      next = buf[q]!;
      q += len;
    } else if (next === IPProto.FRAGMENT) {
      if (limit - q < 8) break;
      const fo = u16(buf, q + 2);
      f.fragOffset = fo >> 3;
      // An atomic fragment (offset 0, no M bit, RFC 6946) is a whole packet.
      if ((fo & 0xfff9) !== 0) f.isFragment = 1;
      next = buf[q]!;
      q += 8;
      if (f.fragOffset !== 0) {
        // A later fragment: what follows is payload, not headers of this packet.
        f.proto = next;
        return DecodeStatus.OK;
      }
    } else if (next === IPProto.AH) {
      if (limit - q < 8) break;
      const len = (buf[q + 1]! + 2) << 2;
      if (limit - q < len) break;
      next = buf[q]!;
      q += len;
    } else {
      f.proto = next;
      return decodeTransport(f, buf, q, limit);
    }
  }
  // The chain runs past the data: proto names the extension header we could not walk.
  f.proto = next;
  return DecodeStatus.BAD_IPV6_EXTENSION;
}

/** Scans hop-by-hop options in buf[i .. end) for a Jumbo Payload option (RFC 2675). */
function findJumbo(f: Frame, buf: Buffer, i: number, end: number): void {
  while (i < end) {
    const type = buf[i]!;
    if (type === 0) {
      i++; // Pad1 has no length byte
      continue;
    }
    if (end - i < 2) return;
    const len = buf[i + 1]!;
    if (type === JUMBO_OPTION && len === 4 && end - i >= 6) {
      f.bytes = FIXED_HEADER + u32(buf, i + 2);
      return;
    }
    i += 2 + len;
  }
}
