// CaptureFileSource: the PacketSource for pcap and pcapng files, or stdin ('-').
//
// The driver only: open the input, pick the format by magic, then alternate between one
// synchronous parse of everything buffered (packets go to the handler from inside that
// loop) and one asynchronous refill. Format details live in pcap-format.ts and
// pcapng-format.ts, buffering in byte-stream.ts. A corrupt or truncated file ends the run
// with a CaptureFileError (returned, not thrown); only a file that cannot be opened throws.

import type { PacketHandler, PacketSource, SourceStats } from './packet-source.js';
import { CaptureFileError } from './packet-source.js';
import { ByteStream, DEFAULT_CHUNK_SIZE, FileChunkReader, StreamChunkReader, type ChunkReader } from './byte-stream.js';
import { ReadState, hex32, type RecordParser } from './record-parser.js';
import { PcapParser, isPcapMagic } from './pcap-format.js';
import { PCAPNG_SHB, PcapngParser } from './pcapng-format.js';

/** Progress is reported at most this often, by bytes or by time, whichever comes first. */
const PROGRESS_BYTES = 64 * 1024 * 1024;
const PROGRESS_MS = 250;

export interface CaptureFileOptions {
  /** Called now and then with the byte offset reached and the total size (undefined for pipes). */
  onProgress?: (offset: number, total: number | undefined) => void;
  /** Size of the one read buffer (grows only for a record larger than this). */
  chunkSize?: number;
}

export type CaptureFileResult = { stats: SourceStats; error?: CaptureFileError };

export class CaptureFileSource implements PacketSource {
  private readonly state = new ReadState();
  private reader: ChunkReader | null = null;
  private size: number | undefined = undefined;
  private opened = false;
  private ran = false;

  constructor(
    readonly path: string,
    private readonly options: CaptureFileOptions = {},
  ) {}

  /** File size in bytes, known after open(); undefined for stdin and pipes. */
  get totalBytes(): number | undefined {
    return this.size;
  }

  /** How the input is named in messages. */
  get displayName(): string {
    return this.path === '-' ? '<stdin>' : this.path;
  }

  /** Opens the input; run() calls it if needed. Rejects, naming the path, if it cannot be opened. */
  async open(): Promise<void> {
    if (this.opened) return;
    if (this.path === '-') {
      this.reader = new StreamChunkReader(process.stdin);
      this.size = undefined;
    } else {
      const r = await FileChunkReader.open(this.path);
      this.reader = r;
      this.size = r.size;
    }
    this.opened = true;
  }

  stop(): void {
    this.state.stopped = true;
  }

  async run(onPacket: PacketHandler): Promise<CaptureFileResult> {
    if (this.ran) throw new Error(`capture source ${this.displayName} has already been run`);
    this.ran = true;
    await this.open();
    const reader = this.reader;
    if (reader === null) throw new Error('unreachable: capture file not opened');
    const stream = new ByteStream(reader, this.options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    const st = this.state;
    let error: CaptureFileError | undefined;
    try {
      error = await this.loop(stream, onPacket);
    } finally {
      await stream.close();
    }
    const stats: SourceStats = {
      records: st.records,
      offset: stream.offset,
      perLinkType: st.perLinkType,
      badTimestamps: st.badTimestamps,
    };
    return error ? { stats, error } : { stats };
  }

  private async loop(stream: ByteStream, onPacket: PacketHandler): Promise<CaptureFileError | undefined> {
    const st = this.state;
    if (st.stopped) return undefined;
    let gotMagic: boolean;
    try {
      gotMagic = await stream.ensure(4);
    } catch (e) {
      return this.fail(0, `read error: ${(e as Error).message}`);
    }
    if (!gotMagic) {
      const n = stream.available;
      return this.fail(0, n === 0 ? 'empty file: not a pcap or pcapng file' : `not a pcap or pcapng file (only ${n} bytes)`);
    }
    const magicBE = stream.buf.readUInt32BE(stream.pos);
    let parser: RecordParser;
    if (isPcapMagic(magicBE)) parser = new PcapParser(st);
    else if (magicBE === PCAPNG_SHB) parser = new PcapngParser(st);
    else return this.fail(0, `not a pcap or pcapng file (magic ${hex32(magicBE)})`);

    const onProgress = this.options.onProgress;
    let lastProgressOffset = 0;
    let lastProgressTime = Date.now();
    for (;;) {
      const need = parser.parse(stream, onPacket);
      if (st.failReason !== null) return new CaptureFileError(this.displayName, st.failOffset, st.failRecord, st.failReason);
      if (st.stopped) return undefined;
      if (onProgress) {
        // Checked once per buffer, not per packet: a clock read per few MiB costs nothing.
        const now = Date.now();
        const off = stream.offset;
        if (off - lastProgressOffset >= PROGRESS_BYTES || now - lastProgressTime >= PROGRESS_MS) {
          lastProgressOffset = off;
          lastProgressTime = now;
          onProgress(off, this.size);
        }
      }
      // A corrupt length could ask for a huge buffer: when the file size says the record
      // cannot be complete, read only what is left and report the truncation.
      let want = need;
      if (this.size !== undefined && need > stream.buf.length) {
        want = Math.min(need, Math.max(1, this.size - stream.offset));
      }
      let more: boolean;
      try {
        more = (await stream.ensure(want)) && stream.available >= need;
      } catch (e) {
        return this.fail(stream.offset, `read error: ${(e as Error).message}`);
      }
      if (!more) {
        const reason = parser.truncation(stream);
        if (reason === null) break;
        return this.fail(stream.offset, reason);
      }
    }
    if (onProgress) onProgress(stream.offset, this.size);
    return undefined;
  }

  private fail(offset: number, reason: string): CaptureFileError {
    return new CaptureFileError(this.displayName, offset, this.state.records + 1, reason);
  }
}
