// Files that readers (spreadsheets, the differ, git, the mail sender) may open at any moment
// are written to a temp file beside the target, flushed, renamed over it, and the directory
// is flushed too: a reader sees the old file or the new one, never half of one, and a file
// that was "written" survives a power cut as well as a kill.

import fs from 'node:fs';
import path from 'node:path';

let seq = 0;

export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const dir = path.dirname(file);
  await fs.promises.mkdir(dir, { recursive: true });
  // Unique per write: two writes of one file from this process never share a temp file.
  const tmp = `${file}.tmp-${process.pid}-${seq++}`;
  const fh = await fs.promises.open(tmp, 'w', 0o640);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.promises.rename(tmp, file);
  const d = await fs.promises.open(dir, 'r');
  try {
    await d.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await d.close();
  }
}
