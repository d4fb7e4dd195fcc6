// Writes interval snapshots as CSV files, one per table per interval plus latest.csv.
//
// Sorting, printing and writing run in a worker thread (csv-worker.ts): the packet loop
// only posts the snapshots (numbers) and goes on. Files of one table are written in interval order (the
// worker handles jobs one at a time), and a failed write (full disk, permissions) is
// reported and counted while counting goes on.

import type { Worker } from 'node:worker_threads';
import { startWorker } from './start-worker.js';
import type { TableSnapshot } from '../count/table.js';
import { intervalCSVPath, latestCSVPath } from './report-paths.js';

export interface CSVJob {
  id: number;
  file: string;
  latest: string;
  snapshot: TableSnapshot;
}

export interface CSVJobResult {
  id: number;
  error: string | null;
}

/** A writer thread started before its writer, and whether it failed meanwhile. */
let early: { worker: Worker; failed: boolean } | null = null;

/**
 * Starts the next writer's thread now. A thread and its modules take about as long to
 * start as `spanwatch run` takes to load its own, and a replay of a small file takes less:
 * started first, the two go at once. It does not keep the process alive until adopted.
 */
export function startWriterThreadEarly(): void {
  if (early !== null) return;
  const e = { worker: launchThread(), failed: false };
  e.worker.on('error', () => (e.failed = true));
  e.worker.unref();
  early = e;
}

function adoptEarlyThread(): Worker | null {
  const e = early;
  early = null;
  if (e === null) return null;
  e.worker.removeAllListeners('error');
  if (e.failed) return null; // start another: its failure, if it fails too, is reported
  e.worker.ref();
  return e.worker;
}

function launchThread(): Worker {
  return startWorker(import.meta.url, 'csv-worker');
}

export class SnapshotCSVWriter {
  /** Files written, and write failures (each reported through onError). */
  written = 0;
  failed = 0;
  private worker: Worker | null = null;
  private nextId = 0;
  private outstanding = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly reportsDir: string,
    private readonly onError: (message: string) => void,
  ) {}

  /** Queues one interval's snapshots; returns at once. */
  enqueue(snapshots: readonly TableSnapshot[]): void {
    const worker = this.startWorker();
    const jobs: CSVJob[] = snapshots.map((snapshot) => ({
      id: this.nextId++,
      file: intervalCSVPath(this.reportsDir, snapshot.table, snapshot.start),
      latest: latestCSVPath(this.reportsDir, snapshot.table),
      snapshot,
    }));
    this.outstanding += jobs.length;
    worker.postMessage(jobs); // one clone of the interval's shared key names
  }

  /** Resolves when every queued file is written (or has failed). */
  drain(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Drains, then stops the worker thread. */
  async close(): Promise<void> {
    await this.drain();
    await this.worker?.terminate();
    this.worker = null;
  }

  private startWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = adoptEarlyThread() ?? launchThread();
    worker.on('message', (r: CSVJobResult) => {
      if (r.error === null) this.written++;
      else {
        this.failed++;
        this.onError(r.error);
      }
      if (--this.outstanding === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
    worker.on('error', (err) => {
      this.onError(`CSV writer thread failed: ${err.message}`);
      this.failed += this.outstanding;
      this.outstanding = 0;
      for (const resolve of this.idle.splice(0)) resolve();
      this.worker = null;
    });
    this.worker = worker;
    return worker;
  }
}
