// One summary report from start to finish: read and fold the period (summary-build.ts),
// format the CSV sections and the HTML page, write them into the report's folder. The
// scheduler runs this in a worker thread (summary-runner.ts); `spanwatch report` calls it
// directly. Mailing is the caller's (summary-mail.ts), on the main thread.

import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { renderSummaryHTML } from './html-page.js';
import { compactStamp, dayOf } from './report-paths.js';
import { buildSummary } from './summary-build.js';
import type { Summary } from './summary-model.js';
import { summarySections, type Section } from './summary-sections.js';
import { baselineStates } from './summary-states.js';

export interface ReportJob {
  name: string;
  reportsDir: string;
  /** The baseline store, for row states; null: none. */
  baselinesDir: string | null;
  tables: string[];
  fromMs: number;
  toMs: number;
  intervalSec: number;
  only: 'findings' | null;
  /** Rate history reaches back this far; null: 90 days. */
  historySec: number | null;
  /** Where the files go (see summaryDir). */
  outDir: string;
}

export interface ReportResult {
  outDir: string;
  /** Files written, relative to outDir. */
  files: string[];
  summary: Summary;
  sections: Section[];
  html: string;
}

export const HTML_FILE = 'report.html';

/**
 * reports/summary/<name>/<YYYY-MM-DD>/, the UTC day the period ends in; periods shorter
 * than a day (an hourly report) get a subfolder per run named for the period's end,
 * <YYYY-MM-DD>/<HHMMSS>/, so runs of one day do not overwrite each other.
 */
export function summaryDir(reportsDir: string, name: string, fromMs: number, toMs: number): string {
  const day = path.join(reportsDir, 'summary', name, dayOf(toMs - 1));
  return toMs - fromMs >= 86_400_000 ? day : path.join(day, compactStamp(toMs).slice(9, 15));
}

export async function produceReport(job: ReportJob): Promise<ReportResult> {
  const states = baselineStates(job.baselinesDir);
  const summary = await buildSummary({
    name: job.name,
    reportsDir: job.reportsDir,
    tables: job.tables,
    fromMs: job.fromMs,
    toMs: job.toMs,
    intervalSec: job.intervalSec,
    only: job.only,
    historySec: job.historySec ?? undefined,
    rowState: states.lookup,
  });
  summary.notes.push(...states.notes);
  const sections = summarySections(summary);
  const html = renderSummaryHTML(summary);
  await fs.promises.mkdir(job.outDir, { recursive: true });
  for (const s of sections) await writeFileAtomic(path.join(job.outDir, s.file), s.text);
  await writeFileAtomic(path.join(job.outDir, HTML_FILE), html);
  return { outDir: job.outDir, files: [...sections.map((s) => s.file), HTML_FILE], summary, sections, html };
}
