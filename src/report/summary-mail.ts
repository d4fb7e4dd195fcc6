// Mailing a finished summary report: the page as the HTML body, a short text part, and the
// CSV sections attached. The mail itself goes through the alert outbox (issue 5), reached
// through the small ReportMailer seam below, so a report never talks SMTP itself and an
// SMTP outage never loses a report (the outbox retries).

import type { ReportResult } from './summary-run.js';

export interface ReportAttachment {
  filename: string;
  content: string;
  contentType: string;
}

export interface ReportMailer {
  /** Resolves once the mail is durable in the outbox (not when it is delivered). */
  queue(subject: string, text: string, html: string, attachments: ReportAttachment[]): Promise<void>;
}

export function reportSubject(sensor: string, r: ReportResult): string {
  const s = r.summary;
  const newRows = s.tables.reduce((n, t) => n + t.newRows.length, 0);
  const day = s.to.slice(0, 10);
  return `[spanwatch ${sensor}] report ${s.name} ${day}: ${newRows} new row${newRows === 1 ? '' : 's'}`;
}

export function reportText(r: ReportResult): string {
  const s = r.summary;
  const lines = [`spanwatch report ${s.name}`, `period ${s.from} to ${s.to} (UTC)`, ''];
  for (const t of s.tables) {
    const traffic = s.only === 'findings' ? '' : `${t.packets} packets, ${t.bytes} bytes, ${t.rows} rows; `;
    lines.push(`${t.table}: ${traffic}${t.newRows.length} new, ${t.goneRows.length} gone, ${t.rates.filter((x) => x.flagged).length} above their usual rate`);
  }
  for (const n of s.notes) lines.push(`note: ${n}`);
  lines.push('', `The full report is the HTML part of this mail; the CSV files are attached.`, `On disk: ${r.outDir}`);
  return lines.join('\n') + '\n';
}

export async function mailReport(mailer: ReportMailer, sensor: string, r: ReportResult): Promise<void> {
  const attachments = r.sections.map((s) => ({ filename: s.file, content: s.text, contentType: 'text/csv; charset=utf-8' }));
  await mailer.queue(reportSubject(sensor, r), reportText(r), r.html, attachments);
}
