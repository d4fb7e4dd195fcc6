// Files that readers (spreadsheets, the differ, git, the mail sender) may open at any moment
// are written to a temp file beside the target, flushed, renamed over it, and the directory
// is flushed too: a reader sees the old file or the new one, never half of one, and a file
// that was "written" survives a power cut as well as a kill.
//
// `durable: false` skips the two flushes (still atomic against readers and kills): for
// interval CSVs, which a replay writes by the dozen per second, where two fsyncs per file
// cost more than counting the interval. State that must survive a power cut (baselines,
// outbox, alert state) keeps the default.

import fs from 'node:fs';
import path from 'node:path';

let seq = 0;

/** Bytes gathered from pieces before each write (a MiB: some ten thousand rows), reused for the whole file. */
const PIECES_BUFFER = 1024 * 1024;

/**
 * Encodes the pieces into one reused buffer and writes it whenever the next piece might not
 * fit. A Buffer per piece is memory outside the heap, which V8 answers with a full
 * collection of a big heap every few MiB; one for the whole text is the stall pieces avoid.
 */
async function writePieces(fh: fs.promises.FileHandle, pieces: Iterable<string>): Promise<void> {
  let buf = Buffer.allocUnsafe(PIECES_BUFFER);
  let used = 0;
  const flush = async (): Promise<void> => {
    for (let off = 0; off < used; ) off += (await fh.write(buf, off, used - off)).bytesWritten;
    used = 0;
  };
  for (const piece of pieces) {
    const most = piece.length * 3; // UTF-8 bytes per UTF-16 unit, at most
    if (used + most > buf.length) {
      await flush();
      if (most > buf.length) buf = Buffer.allocUnsafe(most);
    }
    used += buf.write(piece, used, 'utf8');
  }
  await flush();
}

/**
 * `data` may come in pieces (an iterable of texts), asked for as the file is written a MiB
 * at a time: a big file is never one string, and the event loop runs between the writes.
 */
export async function writeFileAtomic(file: string, data: string | Buffer | Iterable<string>, opts: { durable?: boolean } = {}): Promise<void> {
  const durable = opts.durable ?? true;
  const dir = path.dirname(file);
  await fs.promises.mkdir(dir, { recursive: true });
  // Unique per write: two writes of one file from this process never share a temp file.
  const tmp = `${file}.tmp-${process.pid}-${seq++}`;
  const fh = await fs.promises.open(tmp, 'w', 0o640);
  try {
    if (typeof data === 'string' || Buffer.isBuffer(data)) await fh.writeFile(data);
    else await writePieces(fh, data);
    if (durable) await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.promises.rename(tmp, file);
  if (!durable) return;
  const d = await fs.promises.open(dir, 'r');
  try {
    await d.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await d.close();
  }
}
