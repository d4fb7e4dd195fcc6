// PCAPWriter: writes packets to a classic pcap file (the format every tool reads, including
// `tcpdump -r`), keeping each record's link type, timestamps and original length.
//
// Nanosecond-resolution magic by default, so timestamps from nanosecond pcap and pcapng
// survive exactly; microsecond on request. Records are copied into one reused buffer and
// written with synchronous writes when it fills: writing allocates nothing per packet.
// Classic pcap holds one link type per file and 32-bit seconds: a packet of another link
// type is refused (counted in `skippedLinkType`), seconds past 2^32-1 are clamped (counted).

import fs from 'node:fs';

const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;
const HEADER = 24;
const RECORD_HEADER = 16;

export interface PCAPWriterOptions {
  /** Microsecond timestamps (older readers); default nanosecond. */
  microseconds?: boolean;
  /** Snapshot length written in the header; default 262144 (tcpdump's). */
  snaplen?: number;
  /** Size of the write buffer; default 1 MiB. */
  bufferSize?: number;
}

export class PCAPWriter {
  private readonly fd: number;
  private readonly chunk: Buffer;
  private used = 0;
  private readonly nanos: boolean;
  private closed = false;
  packets = 0;
  skippedLinkType = 0;
  clampedTimestamps = 0;

  constructor(
    readonly path: string,
    readonly linkType: number,
    options: PCAPWriterOptions = {},
  ) {
    this.nanos = !options.microseconds;
    this.chunk = Buffer.allocUnsafe(Math.max(options.bufferSize ?? 1 << 20, 64 * 1024));
    this.fd = fs.openSync(path, 'w');
    const h = Buffer.alloc(HEADER);
    h.writeUInt32LE(this.nanos ? MAGIC_NSEC : MAGIC_USEC, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(options.snaplen ?? 262144, 16);
    h.writeUInt32LE(linkType, 20);
    fs.writeSync(this.fd, h);
  }

  /** Appends one packet: buf[off .. off+caplen). Returns false when it had to be skipped. */
  write(buf: Buffer, off: number, caplen: number, wirelen: number, linkType: number, tsSec: number, tsNsec: number): boolean {
    if (linkType !== this.linkType) {
      this.skippedLinkType++;
      return false;
    }
    if (this.used + RECORD_HEADER + caplen > this.chunk.length) this.flush();
    let sec = tsSec;
    if (sec > 0xffffffff || sec < 0) {
      sec = sec < 0 ? 0 : 0xffffffff;
      this.clampedTimestamps++;
    }
    const frac = this.nanos ? tsNsec : Math.floor(tsNsec / 1000);
    if (RECORD_HEADER + caplen > this.chunk.length) {
      // A record larger than the buffer goes out on its own (rare: jumbo frames, GSO).
      const h = Buffer.alloc(RECORD_HEADER);
      this.header(h, 0, sec, frac, caplen, wirelen);
      fs.writeSync(this.fd, h);
      fs.writeSync(this.fd, buf, off, caplen);
    } else {
      this.header(this.chunk, this.used, sec, frac, caplen, wirelen);
      buf.copy(this.chunk, this.used + RECORD_HEADER, off, off + caplen);
      this.used += RECORD_HEADER + caplen;
    }
    this.packets++;
    return true;
  }

  private header(b: Buffer, at: number, sec: number, frac: number, caplen: number, wirelen: number): void {
    b.writeUInt32LE(sec, at);
    b.writeUInt32LE(frac, at + 4);
    b.writeUInt32LE(caplen, at + 8);
    b.writeUInt32LE(wirelen, at + 12);
  }

  private flush(): void {
    let done = 0;
    while (done < this.used) done += fs.writeSync(this.fd, this.chunk, done, this.used - done);
    this.used = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    fs.closeSync(this.fd);
  }
}
