// Findings whose kind is set to `report` (gone_row by default) are not mailed: they are
// appended to reports/alerts/report-<YYYY-MM-DD>.csv (UTC day of arrival) for the daily
// reports and for spreadsheets, with the same hostile-value neutralisation as the mail CSV.

import fs from 'node:fs';
import path from 'node:path';
import type { Finding } from '../diff/finding.js';
import { csvLine } from './mail-escape.js';
import { dayOf } from '../report/report-paths.js';

const HEADER = csvLine(['found_at', 'kind', 'table', 'key', 'packets', 'bytes', 'first_seen', 'last_seen', 'identifier', 'detail']);

export class FindingReportLog {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly log: (msg: string) => void,
  ) {}

  append(f: Finding, now: number): void {
    const file = path.join(this.dir, `report-${dayOf(now)}.csv`);
    const line = csvLine([f.ts, f.kind, f.table, f.key.join(' '), f.counters.packets, f.counters.bytes, f.counters.first_seen, f.counters.last_seen, f.identifier, f.detail ?? '']);
    this.chain = this.chain.then(async () => {
      try {
        await fs.promises.mkdir(this.dir, { recursive: true });
        const fresh = !fs.existsSync(file);
        await fs.promises.appendFile(file, fresh ? HEADER + line : line);
      } catch (err) {
        this.log(`cannot append to ${file}: ${(err as Error).message}`);
      }
    });
  }

  /** Resolves when every line appended so far is written. */
  drain(): Promise<void> {
    return this.chain;
  }
}
