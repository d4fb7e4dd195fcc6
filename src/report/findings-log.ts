// The findings sink used until (and beside) the mail alerts: one line per finding on
// stderr, and every finding as one JSON line in reports/findings/<YYYY-MM-DD>.jsonl (the
// day of the finding's packet time, UTC). `emit` only queues; the appends run off the
// packet loop, in order, and a failed write is reported once per file and never stops
// counting (DESIGN rule 7).

import fs from 'node:fs';
import path from 'node:path';
import type { Finding, FindingSink } from '../diff/finding.js';

export function findingsFile(reportsDir: string, ts: string): string {
  return path.join(reportsDir, 'findings', `${ts.slice(0, 10)}.jsonl`);
}

/** `new_row conn 10.0.0.5 198.51.100.7 tcp 443 (first seen 2026-11-08T09:12:01.250Z)` */
export function formatFindingLine(f: Finding): string {
  const when = f.kind === 'gone_row' ? `last seen ${f.counters.last_seen}` : `first seen ${f.counters.first_seen}`;
  return `${f.kind} ${f.table} ${f.key.join(' ')} (${when}${f.detail ? `; ${f.detail}` : ''})`;
}

export class FindingsLog implements FindingSink {
  /** Findings emitted, and failed appends. */
  emitted = 0;
  failed = 0;
  private pending = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(
    private readonly reportsDir: string,
    private readonly out: (line: string) => void = (line) => process.stderr.write(line),
    private readonly onError: (message: string) => void = (m) => process.stderr.write(`spanwatch: ${m}\n`),
  ) {}

  emit(finding: Finding): void {
    this.emitted++;
    this.out(`spanwatch: finding ${formatFindingLine(finding)}\n`);
    const file = findingsFile(this.reportsDir, finding.ts);
    this.pending.set(file, (this.pending.get(file) ?? '') + JSON.stringify(finding) + '\n');
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.writeBatch());
    }
  }

  flush(): Promise<void> {
    this.writeBatch();
    return this.queue;
  }

  private writeBatch(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.queue = this.queue.then(async () => {
      for (const [file, text] of batch) {
        try {
          await fs.promises.mkdir(path.dirname(file), { recursive: true });
          const fh = await fs.promises.open(file, 'a', 0o640);
          try {
            await fh.writeFile(text);
            await fh.sync();
          } finally {
            await fh.close();
          }
        } catch (err) {
          this.failed++;
          this.onError(`cannot append findings to ${file}: ${(err as Error).message}`);
        }
      }
    });
  }
}
