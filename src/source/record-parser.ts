// What the capture-file driver and the format parsers (pcap, pcapng) share: the parser
// interface and the run state both write into. No I/O and no format knowledge lives here.

import type { PacketHandler } from './packet-source.js';
import type { ByteStream } from './byte-stream.js';

/** Largest record or block accepted; anything above is taken as corruption (libpcap uses 256 KiB..256 MiB). */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** Counters and the stop / failure flags of one run; parsers update them once per batch. */
export class ReadState {
  records = 0;
  badTimestamps = 0;
  readonly perLinkType = new Map<number, number>();
  /** Set by stop(); parsers check it after every packet. */
  stopped = false;
  /** Set by a parser that found the input corrupt; the run ends with a CaptureFileError. */
  failReason: string | null = null;
  failOffset = 0;
  failRecord = 0;

  countLinkType(linkType: number, n: number): void {
    this.perLinkType.set(linkType, (this.perLinkType.get(linkType) ?? 0) + n);
  }

  fail(offset: number, record: number, reason: string): void {
    this.failReason = reason;
    this.failOffset = offset;
    this.failRecord = record;
  }
}

export interface RecordParser {
  /**
   * Deliver every complete record in `s.buf[s.pos .. s.end)` and advance `s.pos` past them.
   * Returns how many bytes must be available at `s.pos` to make progress, or 0 when the run
   * was stopped or failed (see ReadState).
   */
  parse(s: ByteStream, onPacket: PacketHandler): number;
  /**
   * The input ended with `s.available` bytes left that do not form a whole record. Returns
   * null for a clean end (nothing left at a record boundary) or the reason it is truncated.
   */
  truncation(s: ByteStream): string | null;
}

export function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}
