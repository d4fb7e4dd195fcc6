// Worker thread that builds and writes summary reports (summary-run.ts), so folding a day of
// interval CSVs (seconds of CPU for a busy link) runs on another core and never stalls the
// packet loop of `spanwatch run`. One job at a time, in arrival order.

import { parentPort } from 'node:worker_threads';
import { produceReport, type ReportJob } from './summary-run.js';
import type { SummaryJobResult } from './summary-runner.js';

const port = parentPort;
if (port === null) throw new Error('summary-worker must run in a worker thread');

let queue: Promise<void> = Promise.resolve();

port.on('message', (msg: { id: number; job: ReportJob }) => {
  queue = queue.then(async () => {
    let reply: SummaryJobResult;
    try {
      reply = { id: msg.id, result: await produceReport(msg.job), error: null };
    } catch (err) {
      reply = { id: msg.id, result: null, error: (err as Error).message };
    }
    port.postMessage(reply);
  });
});
