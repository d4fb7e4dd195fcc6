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

export async function writeFileAtomic(file: string, data: string | Buffer, opts: { durable?: boolean } = {}): Promise<void> {
  const durable = opts.durable ?? true;
  const dir = path.dirname(file);
  await fs.promises.mkdir(dir, { recursive: true });
  // Unique per write: two writes of one file from this process never share a temp file.
  const tmp = `${file}.tmp-${process.pid}-${seq++}`;
  const fh = await fs.promises.open(tmp, 'w', 0o640);
  try {
    await fh.writeFile(data);
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
