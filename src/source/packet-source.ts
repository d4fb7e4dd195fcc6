// The seam between where packets come from (a capture file, stdin, a live interface) and
// the engine. A source calls `onPacket` synchronously for every record, passing a view into
// a buffer it reuses: the handler must take everything it needs before it returns.

/**
 * Called once per packet record. `buf[off .. off+caplen)` holds the captured bytes;
 * `wirelen` is the original length on the wire, or 0 when the source cannot know it (the
 * decoder then derives it from the IP header); the timestamp is split into whole seconds
 * since the epoch and nanoseconds within the second.
 */
export type PacketHandler = (
  buf: Buffer,
  off: number,
  caplen: number,
  wirelen: number,
  linkType: number,
  tsSec: number,
  tsNsec: number,
) => void;

/** What a source read; filled in as it goes, so a failed read still reports its progress. */
export interface SourceStats {
  /** Packet records handed to the handler. */
  records: number;
  /** Bytes of the capture consumed (file offset reached). */
  offset: number;
  /** Records per link type number. */
  perLinkType: Map<number, number>;
  /** Records whose timestamp fraction was out of range (clamped to the last valid value). */
  badTimestamps: number;
}

/**
 * A capture that ends badly (truncated, corrupt, unreadable) is not an exception that
 * loses the run: the source stops, and reports this alongside what it read.
 */
export class CaptureFileError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly record: number,
    readonly reason: string,
  ) {
    super(`${file}: byte offset ${offset}, record ${record}: ${reason}`);
    this.name = 'CaptureFileError';
  }
}

export interface PacketSource {
  /** Reads to the end (or until stopped); resolves with the error, if any, instead of throwing. */
  run(onPacket: PacketHandler): Promise<{ stats: SourceStats; error?: CaptureFileError }>;
  /** Ask a running source to stop after the current packet. */
  stop(): void;
}
