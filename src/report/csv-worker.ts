// Worker thread that turns snapshots into CSV text and writes the files, so that
// formatting large tables (csv-stringify costs microseconds per row) runs on another core
// and never stalls the packet loop.

import { parentPort } from 'node:worker_threads';
import { snapshotToCSV } from './csv-format.js';
import { writeFileAtomic } from './atomic-write.js';
import type { CSVJob, CSVJobResult } from './csv-writer.js';

const port = parentPort;
if (port === null) throw new Error('csv-worker must run in a worker thread');

// One job at a time, in arrival order: latest.csv must end as the newest interval.
let queue: Promise<void> = Promise.resolve();

port.on('message', (job: CSVJob) => {
  queue = queue.then(async () => {
    const result: CSVJobResult = { id: job.id, error: null };
    try {
      const text = snapshotToCSV(job.snapshot);
      await writeFileAtomic(job.file, text);
      await writeFileAtomic(job.latest, text);
    } catch (err) {
      result.error = `cannot write ${job.file}: ${(err as Error).message}`;
    }
    port.postMessage(result);
  });
});
