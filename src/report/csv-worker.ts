// Worker thread that turns snapshots into CSV text and writes the files, so that sorting
// and printing large tables (microseconds per row) runs on another core and never stalls
// the packet loop.

import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { snapshotToCSV } from './csv-format.js';
import { writeFileAtomic } from './atomic-write.js';
import type { CSVJob, CSVJobResult } from './csv-writer.js';

const port = parentPort;
if (port === null) throw new Error('csv-worker must run in a worker thread');
// The packet loop comes first: where both want a core (two cores, a busy replay or a busy
// link), this thread yields. Its work waits in its queue and loses nothing; a packet the
// loop does not take in time is lost. On Linux this sets this thread's priority only.
try {
  os.setPriority(10);
} catch {
  // not permitted: the same priority as the packet loop
}

// One job at a time, in arrival order: latest.csv must end as the newest interval.
let queue: Promise<void> = Promise.resolve();
// Jobs received and not yet done, per latest.csv: a replay closes intervals faster than
// they are written, and only the newest of them needs to become latest.csv.
const waiting = new Map<string, number>();

// One message per interval: its tables share one copy of the key names.
port.on('message', (jobs: CSVJob[]) => {
  for (const job of jobs) {
    waiting.set(job.latest, (waiting.get(job.latest) ?? 0) + 1);
    queue = queue.then(async () => {
      const result: CSVJobResult = { id: job.id, error: null };
      const newerQueued = waiting.get(job.latest)! > 1;
      try {
        const csv = snapshotToCSV(job.snapshot);
        // Interval reports: atomic for readers, not flushed to disk one by one (atomic-write.ts).
        await writeFileAtomic(job.file, csv, { durable: false });
        if (!newerQueued) await writeFileAtomic(job.latest, csv, { durable: false });
      } catch (err) {
        result.error = `cannot write ${job.file}: ${(err as Error).message}`;
      }
      waiting.set(job.latest, waiting.get(job.latest)! - 1);
      port.postMessage(result);
    });
  }
});
