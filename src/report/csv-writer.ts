// Interval snapshots as CSV files: the key fields in config order, then
// packets,bytes,first_seen,last_seen (ISO 8601 UTC). The only module that imports
// csv-stringify.
//
// Writing is queued and runs off the packet loop; a failed write (full disk, permissions)
// is reported and counted, and counting goes on.

import { stringify } from 'csv-stringify/sync';
import { COUNTER_COLUMNS, type TableSnapshot } from '../count/table.js';
import { writeFileAtomic } from './atomic-write.js';
import { intervalCSVPath, latestCSVPath } from './report-paths.js';

export function snapshotToCSV(s: TableSnapshot): string {
  const records = s.rows.map((r) => [
    ...r.key,
    r.packets,
    r.bytes,
    new Date(r.firstSeen).toISOString(),
    new Date(r.lastSeen).toISOString(),
  ]);
  return stringify(records, { header: true, columns: [...s.keyColumns, ...COUNTER_COLUMNS] });
}

export class SnapshotCSVWriter {
  /** Files written, and write failures (each reported through onError). */
  written = 0;
  failed = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly reportsDir: string,
    private readonly onError: (message: string) => void,
  ) {}

  /** Queues one interval's snapshots; returns at once. */
  enqueue(snapshots: readonly TableSnapshot[]): void {
    for (const s of snapshots) {
      const text = snapshotToCSV(s);
      const file = intervalCSVPath(this.reportsDir, s.table, s.start);
      this.queue = this.queue.then(() => this.write(file, text, latestCSVPath(this.reportsDir, s.table)));
    }
  }

  /** Resolves when every queued file is written (or has failed). */
  drain(): Promise<void> {
    return this.queue;
  }

  private async write(file: string, text: string, latest: string): Promise<void> {
    try {
      await writeFileAtomic(file, text);
      await writeFileAtomic(latest, text);
      this.written++;
    } catch (err) {
      this.failed++;
      this.onError(`cannot write ${file}: ${(err as Error).message}`);
    }
  }
}
