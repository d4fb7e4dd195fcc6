// A forward-only byte stream over a file or a pipe, read through two reused buffers that
// take turns: the parser works in one while the next chunk is read into the other.
//
// The format parsers look at `buf[pos .. end)` directly and advance `pos` synchronously; when
// a record does not fit, they ask `ensure(n)`, which moves on to the chunk read ahead (the
// unread tail of a cut record copied in front of it), grows a buffer only if a single
// record is larger than it, and reads asynchronously (so the event loop breathes between
// chunks). Nothing here knows about pcap.

import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** Default buffer size: large enough that per-chunk overhead vanishes, small enough to stay in cache-ish. */
export const DEFAULT_CHUNK_SIZE = 2 * 1024 * 1024;

/** Where the bytes come from: fills `target[off .. off+len)`, resolves 0 at end of input. */
export interface ChunkReader {
  read(target: Buffer, off: number, len: number): Promise<number>;
  close(): Promise<void>;
}

/** Reads a file (or FIFO) straight into the target buffer: no intermediate copy. */
export class FileChunkReader implements ChunkReader {
  private constructor(
    private readonly fh: FileHandle,
    /** File size for regular files; undefined for pipes and devices. */
    readonly size: number | undefined,
  ) {}

  /** Rejects with a message naming the path when the file cannot be opened. */
  static async open(path: string): Promise<FileChunkReader> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(`cannot open capture file '${path}': ${err.code ?? ''} ${err.message}`.trim(), { cause: e });
    }
    try {
      const st = await fh.stat();
      if (st.isDirectory()) throw new Error(`cannot read capture file '${path}': it is a directory`);
      return new FileChunkReader(fh, st.isFile() ? st.size : undefined);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async read(target: Buffer, off: number, len: number): Promise<number> {
    const { bytesRead } = await this.fh.read(target, off, len, null);
    return bytesRead;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/**
 * Reads a Node stream (stdin): its chunks are copied into the target buffer. The stream is
 * paused, not destroyed, on close, so stdin stays usable by the rest of the process.
 */
export class StreamChunkReader implements ChunkReader {
  private chunk: Buffer | null = null;
  private chunkPos = 0;
  private ended = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;
  private readonly onReadable = (): void => this.poke();
  private readonly onEnd = (): void => {
    this.ended = true;
    this.poke();
  };
  private readonly onError = (e: Error): void => {
    this.error = e;
    this.poke();
  };

  constructor(private readonly stream: Readable) {
    stream.on('readable', this.onReadable);
    stream.on('end', this.onEnd);
    stream.on('error', this.onError);
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    if (w) w();
  }

  async read(target: Buffer, off: number, len: number): Promise<number> {
    let n = 0;
    for (;;) {
      if (this.chunk === null) {
        const c = this.stream.read() as Buffer | string | null;
        if (c !== null) {
          this.chunk = typeof c === 'string' ? Buffer.from(c, 'latin1') : c;
          this.chunkPos = 0;
        }
      }
      if (this.chunk !== null) {
        const take = Math.min(len - n, this.chunk.length - this.chunkPos);
        this.chunk.copy(target, off + n, this.chunkPos, this.chunkPos + take);
        this.chunkPos += take;
        n += take;
        if (this.chunkPos === this.chunk.length) this.chunk = null;
        if (n === len) return n;
        continue; // take whatever else is already buffered in the stream
      }
      if (n > 0) return n;
      if (this.error) throw this.error;
      if (this.ended) return 0;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  async close(): Promise<void> {
    this.stream.off('readable', this.onReadable);
    this.stream.off('end', this.onEnd);
    this.stream.off('error', this.onError);
    this.stream.pause();
  }
}

/**
 * Room kept in front of each read-ahead chunk for the unread tail of the previous one (a
 * record cut by the chunk boundary), so switching buffers copies only that tail.
 */
const TAIL_ROOM = 64 * 1024;

export class ByteStream {
  /** The buffer being parsed; replaced at each chunk (two alternate) or when a record is larger. */
  buf: Buffer;
  /** Next unread byte in buf. */
  pos = 0;
  /** One past the last valid byte in buf. */
  end = 0;
  /** Input offset of buf[0]. */
  base = 0;
  private eof = false;
  /**
   * Read-ahead: while the parser works through `buf`, the next chunk is read into
   * spare[TAIL_ROOM ..] (by libuv's thread pool), so the parser rarely waits for the disk
   * or the page-cache copy.
   */
  private spare: Buffer;
  private ahead: Promise<number> | null = null;

  constructor(
    private readonly reader: ChunkReader,
    chunkSize = DEFAULT_CHUNK_SIZE,
  ) {
    this.buf = Buffer.allocUnsafe(TAIL_ROOM + chunkSize);
    this.spare = Buffer.allocUnsafe(TAIL_ROOM + chunkSize);
  }

  /** Input offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  get available(): number {
    return this.end - this.pos;
  }

  /**
   * Make at least `need` bytes available at `pos`. Resolves false when the input ends first
   * (whatever was left stays readable in buf[pos .. end)).
   */
  async ensure(need: number): Promise<boolean> {
    while (this.end - this.pos < need) {
      if (this.ahead !== null) {
        const n = await this.ahead;
        this.ahead = null;
        this.takeAhead(n);
        continue;
      }
      if (this.eof) return false;
      this.compact(need);
      const n = await this.reader.read(this.buf, this.end, this.buf.length - this.end);
      if (n === 0) this.eof = true;
      else this.end += n;
    }
    if (this.ahead === null && !this.eof) this.readAhead();
    return true;
  }

  close(): Promise<void> {
    // A read still in flight must end before its file is closed.
    const pending = this.ahead ?? Promise.resolve(0);
    this.ahead = null;
    return pending.then(
      () => this.reader.close(),
      () => this.reader.close(),
    );
  }

  private readAhead(): void {
    const p = this.reader.read(this.spare, TAIL_ROOM, this.spare.length - TAIL_ROOM);
    p.catch(() => undefined); // the error surfaces where ensure() awaits it, not as unhandled
    this.ahead = p;
  }

  /** Continues into the read-ahead chunk (n bytes at spare[TAIL_ROOM ..]), after the unread tail. */
  private takeAhead(n: number): void {
    if (n === 0) this.eof = true;
    const have = this.end - this.pos;
    if (have <= TAIL_ROOM) {
      const next = this.spare;
      const start = TAIL_ROOM - have;
      this.buf.copy(next, start, this.pos, this.end);
      this.base += this.pos - start;
      this.spare = this.buf;
      this.buf = next;
      this.pos = start;
      this.end = TAIL_ROOM + n;
      return;
    }
    // A tail longer than the room (a huge record): join the two in a buffer that holds both.
    const joined = Buffer.allocUnsafe(Math.max(have + n, this.buf.length));
    this.buf.copy(joined, 0, this.pos, this.end);
    this.spare.copy(joined, have, TAIL_ROOM, TAIL_ROOM + n);
    this.base += this.pos;
    this.buf = joined;
    this.pos = 0;
    this.end = have + n;
  }

  /** Moves the unread tail to the front, growing the buffer if one record needs more room. */
  private compact(need: number): void {
    const have = this.end - this.pos;
    if (need > this.buf.length) {
      // A record larger than the buffer: grow (and keep the larger buffer for later ones).
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, this.pos, this.end);
      this.buf = bigger;
    } else if (this.pos > 0 && have > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = have;
  }
}
