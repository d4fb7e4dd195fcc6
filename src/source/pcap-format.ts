// The classic libpcap file format: a 24-byte global header, then 16-byte record headers each
// followed by caplen bytes. Micro- and nanosecond magic, either byte order.
//
// The record loop is the hot path: it reads numbers straight out of the shared buffer and
// calls the handler synchronously; nothing in it allocates.

import type { PacketHandler } from './packet-source.js';
import type { ByteStream } from './byte-stream.js';
import { MAX_RECORD_BYTES, type ReadState, type RecordParser } from './record-parser.js';
import { u32 } from './record-bytes.js';

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
const PCAP_MAGIC_USEC_SWAPPED = 0xd4c3b2a1;
const PCAP_MAGIC_NSEC_SWAPPED = 0x4d3cb2a1;

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
/** libpcap's LT_LINKTYPE(): the upper bits of the field carry the FCS length and flags. */
const LINKTYPE_MASK = 0x03ffffff;

/** Is this the first 4 bytes of a pcap file, as read big-endian? */
export function isPcapMagic(magicBE: number): boolean {
  return (
    magicBE === PCAP_MAGIC_USEC ||
    magicBE === PCAP_MAGIC_NSEC ||
    magicBE === PCAP_MAGIC_USEC_SWAPPED ||
    magicBE === PCAP_MAGIC_NSEC_SWAPPED
  );
}

export class PcapParser implements RecordParser {
  private headerDone = false;
  private littleEndian = true;
  private nano = false;
  linkType = -1;
  snapLen = 0;

  constructor(private readonly state: ReadState) {}

  private parseHeader(s: ByteStream): void {
    const magicBE = s.buf.readUInt32BE(s.pos);
    this.littleEndian = magicBE === PCAP_MAGIC_USEC_SWAPPED || magicBE === PCAP_MAGIC_NSEC_SWAPPED;
    this.nano = magicBE === PCAP_MAGIC_NSEC || magicBE === PCAP_MAGIC_NSEC_SWAPPED;
    const le = this.littleEndian;
    const b = s.buf;
    const p = s.pos;
    this.snapLen = u32(b, p + 16, le);
    const lt = u32(b, p + 20, le);
    this.linkType = lt & LINKTYPE_MASK;
    s.pos += GLOBAL_HEADER;
    this.headerDone = true;
  }

  parse(s: ByteStream, onPacket: PacketHandler): number {
    if (!this.headerDone) {
      if (s.end - s.pos < GLOBAL_HEADER) return GLOBAL_HEADER;
      this.parseHeader(s);
    }
    const st = this.state;
    const buf = s.buf;
    const end = s.end;
    const le = this.littleEndian;
    const linkType = this.linkType;
    const fracLimit = this.nano ? 1_000_000_000 : 1_000_000;
    const toNsec = this.nano ? 1 : 1000;
    let p = s.pos;
    let n = 0;
    let bad = 0;
    let need = 0;
    for (;;) {
      const avail = end - p;
      if (avail < RECORD_HEADER) {
        need = RECORD_HEADER;
        break;
      }
      const caplen = u32(buf, p + 8, le);
      if (caplen > MAX_RECORD_BYTES) {
        st.fail(s.base + p, st.records + n + 1, `record caplen ${caplen} is absurdly large (corrupt file?)`);
        break;
      }
      if (avail < RECORD_HEADER + caplen) {
        need = RECORD_HEADER + caplen;
        break;
      }
      const sec = u32(buf, p, le);
      let frac = u32(buf, p + 4, le);
      const wirelen = u32(buf, p + 12, le);
      if (frac >= fracLimit) {
        // Clamp to the last valid fraction, as the stats contract says; counted, not fatal.
        frac = fracLimit - 1;
        bad++;
      }
      n++;
      onPacket(buf, p + RECORD_HEADER, caplen, wirelen < caplen ? caplen : wirelen, linkType, sec, frac * toNsec);
      p += RECORD_HEADER + caplen;
      if (st.stopped) break;
    }
    s.pos = p;
    st.records += n;
    st.badTimestamps += bad;
    if (n > 0) st.countLinkType(linkType, n);
    return st.stopped || st.failReason !== null ? 0 : need;
  }

  truncation(s: ByteStream): string | null {
    const avail = s.available;
    if (!this.headerDone) return `pcap file header cut off (${avail} of ${GLOBAL_HEADER} bytes)`;
    if (avail === 0) return null;
    if (avail < RECORD_HEADER) return `record header cut off at end of file (${avail} of ${RECORD_HEADER} bytes)`;
    const caplen = u32(s.buf, s.pos + 8, this.littleEndian);
    return `record data cut off at end of file (${avail - RECORD_HEADER} of ${caplen} bytes)`;
  }
}
