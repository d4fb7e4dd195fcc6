// The pcapng file format: a sequence of blocks (type, length, body, length again). Each
// Section Header Block may switch byte order and starts a fresh set of interfaces; each
// Interface Description Block brings its own link type, snap length and timestamp
// resolution. Packets come from Enhanced (6), Simple (3) and obsolete Packet (2) blocks;
// every other block type is skipped by its length.
//
// The block loop is the hot path: numbers straight out of the shared buffer, one handler
// call per packet, nothing allocated (interfaces are set up once per IDB).

import type { PacketHandler } from './packet-source.js';
import type { ByteStream } from './byte-stream.js';
import { MAX_RECORD_BYTES, hex32, type ReadState, type RecordParser } from './record-parser.js';
import { TickResolution, TickSplitter } from './pcapng-time.js';
import { u16, u32 } from './record-bytes.js';

export const PCAPNG_SHB = 0x0a0d0d0a; // same bytes in either order
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;

const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** Smallest valid total length per block type (header, fixed body, trailing length). */
const MIN_SHB = 28;
const MIN_IDB = 20;
const MIN_EPB = 32;
const MIN_PB = 32;
const MIN_SPB = 16;

/** One Interface Description Block of the current section. */
class PcapngInterface {
  /** Packets seen since the last flush into ReadState.perLinkType. */
  count = 0;
  constructor(
    readonly linkType: number,
    readonly snapLen: number,
    readonly res: TickResolution,
    readonly offsetSec: number,
  ) {}
}

export class PcapngParser implements RecordParser {
  private littleEndian = true;
  private ifaces: PcapngInterface[] = [];
  private readonly ticks = new TickSplitter();
  /** Time of the previous packet: Simple Packet Blocks carry none. */
  private lastSec = 0;
  private lastNsec = 0;
  /** Sections seen so far. */
  sections = 0;

  constructor(private readonly state: ReadState) {}

  private flushCounts(): void {
    for (const ifc of this.ifaces) {
      if (ifc.count > 0) {
        this.state.countLinkType(ifc.linkType, ifc.count);
        ifc.count = 0;
      }
    }
  }

  parse(s: ByteStream, onPacket: PacketHandler): number {
    const st = this.state;
    const buf = s.buf;
    const end = s.end;
    const ticks = this.ticks;
    let le = this.littleEndian;
    let p = s.pos;
    let n = 0;
    let need = 0;
    // Only the Enhanced Packet Block path is inline; everything rarer (other blocks, every
    // failure message) lives in methods, so this loop stays small enough for V8 to inline
    // the byte readers and the tick splitter into it.
    for (;;) {
      const avail = end - p;
      if (avail < 12) {
        need = 12;
        break;
      }
      const type = u32(buf, p, le);
      if (type === PCAPNG_SHB) {
        if (!this.sectionByteOrder(s, p, n)) break;
        le = this.littleEndian;
      }
      const len = u32(buf, p + 4, le);
      if (len < 12 || (len & 3) !== 0 || len > MAX_RECORD_BYTES) {
        this.badLength(s, p, type, len, n);
        break;
      }
      if (avail < len) {
        need = len;
        break;
      }
      if (u32(buf, p + len - 4, le) !== len) {
        this.badTrailer(s, p, type, len, n);
        break;
      }
      if (type === BLOCK_EPB && len >= MIN_EPB) {
        const id = u32(buf, p + 8, le);
        const caplen = u32(buf, p + 20, le);
        if (id >= this.ifaces.length || caplen > len - 32) {
          this.badPacket(s, p, id, caplen, len, n);
          break;
        }
        const ifc = this.ifaces[id]!;
        const wirelen = u32(buf, p + 24, le);
        ticks.split(u32(buf, p + 12, le), u32(buf, p + 16, le), ifc.res);
        const sec = ticks.sec + ifc.offsetSec;
        const nsec = ticks.nsec;
        this.lastSec = sec;
        this.lastNsec = nsec;
        ifc.count++;
        n++;
        onPacket(buf, p + 28, caplen, wirelen < caplen ? caplen : wirelen, ifc.linkType, sec, nsec);
      } else {
        const r = this.otherBlock(s, p, type, len, n, onPacket);
        if (r < 0) break;
        n += r;
      }
      p += len;
      if (st.stopped) break;
    }
    s.pos = p;
    st.records += n;
    this.flushCounts();
    return st.stopped || st.failReason !== null ? 0 : need;
  }

  /** SHB seen: its byte-order magic decides how to read it and the whole section. */
  private sectionByteOrder(s: ByteStream, p: number, n: number): boolean {
    const buf = s.buf;
    if (buf.readUInt32LE(p + 8) === BYTE_ORDER_MAGIC) this.littleEndian = true;
    else if (buf.readUInt32BE(p + 8) === BYTE_ORDER_MAGIC) this.littleEndian = false;
    else {
      const bom = hex32(buf.readUInt32BE(p + 8));
      this.state.fail(s.base + p, this.state.records + n + 1, `bad pcapng byte-order magic ${bom}`);
      return false;
    }
    return true;
  }

  private badLength(s: ByteStream, p: number, type: number, len: number, n: number): void {
    const why = len > MAX_RECORD_BYTES ? 'absurdly large' : len < 12 ? 'too small' : 'not a multiple of 4';
    this.state.fail(s.base + p, this.state.records + n + 1, `block type ${hex32(type)} length ${len} is ${why}`);
  }

  private badTrailer(s: ByteStream, p: number, type: number, len: number, n: number): void {
    const trailer = u32(s.buf, p + len - 4, this.littleEndian);
    const reason = `block type ${hex32(type)} trailing length ${trailer} does not match length ${len}`;
    this.state.fail(s.base + p, this.state.records + n + 1, reason);
  }

  private badPacket(s: ByteStream, p: number, id: number, caplen: number, len: number, n: number): void {
    const reason =
      id >= this.ifaces.length
        ? `packet for undefined interface ${id} (section has ${this.ifaces.length})`
        : `packet caplen ${caplen} runs past its block (length ${len})`;
    this.state.fail(s.base + p, this.state.records + n + 1, reason);
  }

  /**
   * Every block but a well-formed EPB: obsolete PB and SPB (delivered here), IDB, SHB, a
   * too-short EPB, and unknown types (skipped). Returns packets delivered, or -1 on failure.
   */
  private otherBlock(s: ByteStream, p: number, type: number, len: number, n: number, onPacket: PacketHandler): number {
    const st = this.state;
    const buf = s.buf;
    const le = this.littleEndian;
    const record = st.records + n + 1;
    if (type === BLOCK_PB || type === BLOCK_EPB) {
      const epb = type === BLOCK_EPB;
      if (len < (epb ? MIN_EPB : MIN_PB)) {
        st.fail(s.base + p, record, `${epb ? 'enhanced' : 'obsolete'} packet block length ${len} is too small`);
        return -1;
      }
      const id = u16(buf, p + 8, le);
      const caplen = u32(buf, p + 20, le);
      if (id >= this.ifaces.length || caplen > len - 32) {
        this.badPacket(s, p, id, caplen, len, n);
        return -1;
      }
      const ifc = this.ifaces[id]!;
      const wirelen = u32(buf, p + 24, le);
      this.ticks.split(u32(buf, p + 12, le), u32(buf, p + 16, le), ifc.res);
      this.lastSec = this.ticks.sec + ifc.offsetSec;
      this.lastNsec = this.ticks.nsec;
      ifc.count++;
      onPacket(buf, p + 28, caplen, wirelen < caplen ? caplen : wirelen, ifc.linkType, this.lastSec, this.lastNsec);
      return 1;
    }
    if (type === BLOCK_SPB) {
      const ifc = this.ifaces[0];
      if (len < MIN_SPB || ifc === undefined) {
        const why = ifc === undefined ? 'before any interface description' : `length ${len} is too small`;
        st.fail(s.base + p, record, `simple packet block ${why}`);
        return -1;
      }
      const wirelen = u32(buf, p + 8, le);
      let caplen = len - 16;
      if (wirelen < caplen) caplen = wirelen;
      if (ifc.snapLen !== 0 && ifc.snapLen < caplen) caplen = ifc.snapLen;
      ifc.count++;
      onPacket(buf, p + 12, caplen, wirelen < caplen ? caplen : wirelen, ifc.linkType, this.lastSec, this.lastNsec);
      return 1;
    }
    if (type === BLOCK_IDB) return this.addInterface(s, p, len, le, record) ? 0 : -1;
    if (type === PCAPNG_SHB) {
      if (len < MIN_SHB) {
        st.fail(s.base + p, record, `section header block length ${len} is too small`);
        return -1;
      }
      const major = u16(buf, p + 12, le);
      if (major !== 1) {
        st.fail(s.base + p, record, `unsupported pcapng version ${major}.${u16(buf, p + 14, le)}`);
        return -1;
      }
      this.flushCounts();
      this.ifaces = [];
      this.sections++;
    }
    // Any other block type (name resolution, statistics, secrets, custom...) is skipped.
    return 0;
  }

  /** Reads an IDB and its options; returns false (after st.fail) when it is malformed. */
  private addInterface(s: ByteStream, p: number, len: number, le: boolean, record: number): boolean {
    const buf = s.buf;
    if (len < MIN_IDB) {
      this.state.fail(s.base + p, record, `interface description block length ${len} is too small`);
      return false;
    }
    const linkType = u16(buf, p + 8, le);
    const snapLen = u32(buf, p + 12, le);
    let tsresol = 6;
    let offsetSec = 0;
    const optEnd = p + len - 4;
    let o = p + 16;
    while (o + 4 <= optEnd) {
      const code = u16(buf, o, le);
      const olen = u16(buf, o + 2, le);
      if (code === OPT_END || o + 4 + olen > optEnd) break; // a broken option list ends the options, not the file
      if (code === OPT_IF_TSRESOL && olen >= 1) tsresol = buf.readUInt8(o + 4);
      else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        offsetSec = Number(le ? buf.readBigInt64LE(o + 4) : buf.readBigInt64BE(o + 4));
      }
      o += 4 + ((olen + 3) & ~3);
    }
    this.ifaces.push(new PcapngInterface(linkType, snapLen, new TickResolution(tsresol), offsetSec));
    return true;
  }

  truncation(s: ByteStream): string | null {
    const avail = s.available;
    if (avail === 0) return null;
    if (avail < 12) return `block header cut off at end of file (${avail} of 12 bytes)`;
    const le = this.littleEndian;
    const type = u32(s.buf, s.pos, le);
    const len = u32(s.buf, s.pos + 4, le);
    return `block type ${hex32(type)} cut off at end of file (${avail} of ${len} bytes)`;
  }
}
