// Worker thread that turns snapshots into CSV text and writes the files, so that sorting
// and printing large tables (microseconds per row) runs on another core and never stalls
// the packet loop.

import { parentPort } from 'node:worker_threads';
import { snapshotToCSV } from './csv-format.js';
import { writeFileAtomic } from './atomic-write.js';
import type { CSVJob, CSVJobResult } from './csv-writer.js';

const port = parentPort;
if (port === null) throw new Error('csv-worker must run in a worker thread');

// One job at a time, in arrival order: latest.csv must end as the newest interval.
let queue: Promise<void> = Promise.resolve();

// One message per interval: its tables share one copy of the key names.
port.on('message', (jobs: CSVJob[]) => {
  for (const job of jobs) {
    queue = queue.then(async () => {
      const result: CSVJobResult = { id: job.id, error: null };
      try {
        const text = snapshotToCSV(job.snapshot);
        // Interval reports: atomic for readers, not flushed to disk one by one (atomic-write.ts).
        await writeFileAtomic(job.file, text, { durable: false });
        await writeFileAtomic(job.latest, text, { durable: false });
      } catch (err) {
        result.error = `cannot write ${job.file}: ${(err as Error).message}`;
      }
      port.postMessage(result);
    });
  }
});
