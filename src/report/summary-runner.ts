// Runs summary reports in a worker thread (summary-worker.ts) for the scheduler inside
// `spanwatch run`: the main thread only posts the job and awaits the result. The thread
// starts on the first report and is kept for the next (reports are rare; a thread is
// cheap to keep and slow-ish to start under tsx).

import type { Worker } from 'node:worker_threads';
import { startWorker } from './start-worker.js';
import type { ReportJob, ReportResult } from './summary-run.js';

export interface SummaryJobResult {
  id: number;
  result: ReportResult | null;
  error: string | null;
}


export class SummaryRunner {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: ReportResult) => void; reject: (e: Error) => void }>();

  run(job: ReportJob): Promise<ReportResult> {
    const worker = this.start();
    const id = this.nextId++;
    worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(import.meta.url, 'summary-worker');
    worker.on('message', (m: SummaryJobResult) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      // Held open only while a report is being built.
      if (this.waiting.size === 0) worker.unref();
      if (m.result !== null) w?.resolve(m.result);
      else w?.reject(new Error(m.error ?? 'report failed'));
    });
    worker.on('error', (err) => {
      for (const w of this.waiting.values()) w.reject(new Error(`report thread failed: ${err.message}`));
      this.waiting.clear();
      this.worker = null;
    });
    this.worker = worker;
    return worker;
  }
}
