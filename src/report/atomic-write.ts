// Files that readers (spreadsheets, the differ, git) may open at any moment are written to
// a temp file beside the target, flushed, and renamed over it: a reader sees the old file or
// the new one, never half of one.

import fs from 'node:fs';
import path from 'node:path';

export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await fs.promises.open(tmp, 'w', 0o640);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.promises.rename(tmp, file);
}
