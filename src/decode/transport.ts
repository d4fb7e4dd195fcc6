// Transport-layer decoder shared by IPv4 and IPv6: TCP (ports, flags), UDP and SCTP (ports),
// ICMP and ICMPv6 (type, code). Payloads are never parsed (no tunnel decapsulation, no
// quoted headers inside ICMP errors).
//
// A header counts as present when the bytes we read from it are captured: ports for UDP and
// SCTP, ports + data offset + flags for TCP, type + code for ICMP. Otherwise the status is
// TRUNCATED_TRANSPORT and all transport fields stay ABSENT.

import { DecodeStatus, Frame, IPProto } from './frame.js';
import { u16 } from './bytes.js';

/** Decodes the header of protocol frame.proto at buf[q .. limit). */
export function decodeTransport(f: Frame, buf: Buffer, q: number, limit: number): number {
  const proto = f.proto;
  const avail = limit - q;
  if (proto === IPProto.TCP) {
    if (avail < 14) return DecodeStatus.TRUNCATED_TRANSPORT;
    f.l4Off = q;
    f.srcPort = u16(buf, q);
    f.dstPort = u16(buf, q + 2);
    f.tcpFlags = buf[q + 13]!;
    // Options cut off by the snaplen are fine; an offset below 5 words never is.
    if (buf[q + 12]! >> 4 < 5) return DecodeStatus.BAD_TCP_HEADER_LENGTH;
    return DecodeStatus.OK;
  }
  if (proto === IPProto.UDP || proto === IPProto.SCTP) {
    if (avail < 4) return DecodeStatus.TRUNCATED_TRANSPORT;
    f.l4Off = q;
    f.srcPort = u16(buf, q);
    f.dstPort = u16(buf, q + 2);
    return DecodeStatus.OK;
  }
  if (proto === IPProto.ICMP || proto === IPProto.ICMPV6) {
    if (avail < 2) return DecodeStatus.TRUNCATED_TRANSPORT;
    f.l4Off = q;
    f.icmpType = buf[q]!;
    f.icmpCode = buf[q + 1]!;
    return DecodeStatus.OK;
  }
  // Other protocols (GRE, ESP, PIM, IP-in-IP…) count by number; l4Off marks their header
  // when any of it was captured.
  if (avail > 0) f.l4Off = q;
  return DecodeStatus.OK;
}
