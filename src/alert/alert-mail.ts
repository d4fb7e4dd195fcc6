// What an alert mail says: subject, plain-text body (aligned rows, the exact baseline command
// for each row, the run's context), an HTML alternative, and the rows as CSV attachments.
// Pure text building; the MIME encoding and sending live in nodemailer-adapter.ts. Every
// finding value passes through mail-escape.ts before it lands anywhere.

import type { Finding, FindingKind } from '../diff/finding.js';
import { csvLine, displayValue, escapeHTML, headerText, shellQuote } from './mail-escape.js';

export type MailKind = 'batch' | 'urgent' | 'digest' | 'test';

export interface MailContext {
  sensor: string;
  intervalSec: number | null;
  /** When the baseline was started (ISO 8601), if the baseline store told us. */
  baselineSince: string | null;
}

export interface MailAttachment {
  filename: string;
  content: string;
  contentType: string;
}

/** A composed alert, before MIME encoding: everything the transport needs. */
export interface AlertMail {
  id: string;
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
  attachments: MailAttachment[];
  date: Date;
  messageId: string;
  urgent: boolean;
}

export interface ComposeInput {
  id: string;
  from: string;
  to: readonly string[];
  kind: MailKind;
  findings: readonly Finding[];
  context: MailContext;
  now: number;
  /** Said at the top of the mail that reaches max_mails_per_hour (and of digests). */
  capNote: string | null;
  /** Identifiers mailed before and mailed again because remind_after passed. */
  reminders?: ReadonlySet<string>;
}

// Beyond this many rows per section the body says "and N more"; the CSV has them all.
const MAX_BODY_ROWS = 200;

const NOUN: Record<FindingKind, [string, string]> = {
  new_row: ['new row', 'new rows'],
  denied_row: ['denied row', 'denied rows'],
  gone_row: ['gone row', 'gone rows'],
  volume_change: ['volume change', 'volume changes'],
};
const KIND_ORDER: readonly FindingKind[] = ['denied_row', 'new_row', 'gone_row', 'volume_change'];

function count(n: number, kind: FindingKind): string {
  return `${n} ${NOUN[kind][n === 1 ? 0 : 1]}`;
}

interface Section {
  table: string;
  kind: FindingKind;
  fields: readonly string[];
  findings: Finding[];
}

function sections(findings: readonly Finding[]): Section[] {
  const byKey = new Map<string, Section>();
  for (const f of findings) {
    const k = `${f.table}\u0000${f.kind}`;
    let s = byKey.get(k);
    if (!s) byKey.set(k, (s = { table: f.table, kind: f.kind, fields: f.key_fields, findings: [] }));
    s.findings.push(f);
  }
  return [...byKey.values()].sort(
    (a, b) => a.table.localeCompare(b.table) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind),
  );
}

/** The baseline commands that settle a finding, as the admin would type them. */
export function baselineCommands(f: Finding): string[] {
  const words = [f.table, ...f.key];
  const args = (f.key.some((v) => v.startsWith('-')) ? [f.table, '--', ...f.key] : words).map(shellQuote).join(' ');
  switch (f.kind) {
    case 'new_row':
      return [`spanwatch baseline approve ${args}`, `spanwatch baseline deny ${args}`];
    case 'denied_row':
      return [`spanwatch baseline approve ${args}`];
    case 'gone_row':
      return [`spanwatch baseline forget ${args}`];
    default:
      return [];
  }
}

export function mailSubject(sensor: string, kind: MailKind, findings: readonly Finding[]): string {
  const tag = `[spanwatch ${headerText(sensor, 60)}]`;
  if (kind === 'test') return `${tag} test mail`;
  const perKind = new Map<FindingKind, number>();
  for (const f of findings) perKind.set(f.kind, (perKind.get(f.kind) ?? 0) + 1);
  const what = KIND_ORDER.filter((k) => perKind.has(k))
    .map((k) => count(perKind.get(k)!, k))
    .join(', ');
  const tables = [...new Set(findings.map((f) => f.table))].sort();
  const where = tables.length > 3 ? `${tables.slice(0, 3).join(', ')} and ${tables.length - 3} more tables` : tables.join(', ');
  const prefix = kind === 'digest' ? 'digest: ' : kind === 'urgent' ? 'URGENT: ' : '';
  return headerText(`${tag} ${prefix}${what} in ${where}`, 200);
}

function pad(s: string, width: number, right: boolean): string {
  return right ? s.padStart(width) : s.padEnd(width);
}

function textTable(s: Section, reminders: ReadonlySet<string>): string[] {
  const head = [...s.fields.map((f) => displayValue(f)), 'packets', 'bytes', 'first seen'];
  const numeric = head.map((_, i) => i === s.fields.length || i === s.fields.length + 1);
  const shown = s.findings.slice(0, MAX_BODY_ROWS);
  const rows = shown.map((f) => [
    ...s.fields.map((_, i) => displayValue(f.key[i] ?? '')),
    String(f.counters.packets),
    String(f.counters.bytes),
    displayValue(f.counters.first_seen) + (reminders.has(f.identifier) ? '  (reminder)' : ''),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => '  ' + cells.map((c, i) => pad(c, widths[i]!, numeric[i]!)).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line)];
  if (s.findings.length > shown.length) out.push(`  … and ${s.findings.length - shown.length} more in the attached CSV`);
  return out;
}

function age(since: string | null, now: number): string {
  if (since === null) return 'unknown (not reported by the baseline store)';
  const t = Date.parse(since);
  if (Number.isNaN(t)) return 'unknown';
  const sec = Math.max(0, Math.round((now - t) / 1000));
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return `${d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min`} (since ${displayValue(since)})`;
}

function contextLines(input: ComposeInput): [string, string][] {
  const { context: c, findings } = input;
  const ts = findings.map((f) => f.ts).sort();
  const out: [string, string][] = [
    ['sensor', displayValue(c.sensor)],
    ['interval', c.intervalSec === null ? 'unknown' : `${c.intervalSec} s`],
    ['baseline age', age(c.baselineSince, input.now)],
  ];
  if (ts.length > 0) out.push(['found', `${ts.length} finding${ts.length === 1 ? '' : 's'}, packet time ${displayValue(ts[0]!)} to ${displayValue(ts[ts.length - 1]!)}`]);
  out.push(['mail', `${input.id}, composed ${new Date(input.now).toISOString()}`]);
  return out;
}

export function composeAlertMail(input: ComposeInput): AlertMail {
  const reminders = input.reminders ?? new Set<string>();
  const secs = sections(input.findings);
  const subject = mailSubject(input.context.sensor, input.kind, input.findings);
  const text: string[] = [];
  const html: string[] = ['<!doctype html><html><body style="font-family:sans-serif">'];
  const sensor = displayValue(input.context.sensor);
  if (input.kind === 'test') {
    text.push(`This is a test mail from spanwatch on sensor ${sensor}. If you read this, alert mail works.`, '');
    html.push(`<p>This is a test mail from spanwatch on sensor <b>${escapeHTML(sensor)}</b>. If you read this, alert mail works.</p>`);
  } else {
    const intro = input.kind === 'digest' ? 'Digest of findings gathered while the hourly mail cap was reached' : `spanwatch on sensor ${sensor} found`;
    text.push(`${intro}: ${subject.replace(/^\[[^\]]*\] (digest: |URGENT: )?/, '')}.`, '');
    html.push(`<p>${escapeHTML(intro)}: ${escapeHTML(subject.replace(/^\[[^\]]*\] (digest: |URGENT: )?/, ''))}.</p>`);
  }
  if (input.capNote) {
    text.push(`NOTE: ${input.capNote}`, '');
    html.push(`<p style="color:#a40"><b>Note:</b> ${escapeHTML(input.capNote)}</p>`);
  }
  for (const s of secs) {
    const title = `${s.table}: ${count(s.findings.length, s.kind)}`;
    text.push(title, ...textTable(s, reminders), '');
    html.push(`<h3>${escapeHTML(title)}</h3>`, htmlTable(s, reminders));
    const cmds = s.findings.slice(0, MAX_BODY_ROWS).flatMap(baselineCommands);
    if (cmds.length > 0) {
      const how = s.kind === 'new_row' ? 'To approve a row (add it to the baseline) or deny it, run:' : s.kind === 'denied_row' ? 'To allow a denied row after all, run:' : 'To forget a row, run:';
      text.push(how, ...cmds.map((c) => `  ${c}`), '');
      html.push(`<p>${escapeHTML(how)}</p><pre>${escapeHTML(cmds.join('\n'))}</pre>`);
    }
  }
  text.push('Run context');
  const ctx = contextLines(input);
  const w = Math.max(...ctx.map(([k]) => k.length)) + 1;
  for (const [k, v] of ctx) text.push(`  ${(k + ':').padEnd(w)}  ${v}`);
  html.push('<h3>Run context</h3><table>', ...ctx.map(([k, v]) => `<tr><th align="left">${escapeHTML(k)}</th><td>${escapeHTML(v)}</td></tr>`), '</table>');
  html.push('</body></html>');
  const domain = input.from.slice(input.from.lastIndexOf('@') + 1);
  return {
    id: input.id,
    from: input.from,
    to: input.to,
    subject,
    text: text.join('\n') + '\n',
    html: html.join('\n') + '\n',
    attachments: secs.length === 0 ? [] : csvAttachments(input.findings),
    date: new Date(input.now),
    messageId: `<${input.id}@${domain}>`,
    urgent: input.kind === 'urgent' || input.findings.some((f) => f.kind === 'denied_row'),
  };
}

function htmlTable(s: Section, reminders: ReadonlySet<string>): string {
  const th = (t: string, right = false): string => `<th${right ? ' align="right"' : ' align="left"'}>${escapeHTML(t)}</th>`;
  const td = (t: string, right = false): string => `<td${right ? ' align="right"' : ''}>${escapeHTML(t)}</td>`;
  const rows = s.findings.slice(0, MAX_BODY_ROWS).map(
    (f) =>
      '<tr>' +
      s.fields.map((_, i) => td(displayValue(f.key[i] ?? ''))).join('') +
      td(String(f.counters.packets), true) +
      td(String(f.counters.bytes), true) +
      td(displayValue(f.counters.first_seen) + (reminders.has(f.identifier) ? ' (reminder)' : '')) +
      '</tr>',
  );
  const more = s.findings.length > MAX_BODY_ROWS ? `<p>… and ${s.findings.length - MAX_BODY_ROWS} more in the attached CSV</p>` : '';
  return `<table border="1" cellspacing="0" cellpadding="3"><tr>${s.fields.map((f) => th(f)).join('')}${th('packets', true)}${th('bytes', true)}${th('first seen')}</tr>\n${rows.join('\n')}</table>${more}`;
}

/** One CSV per table (tables have different key columns), every finding in it. */
function csvAttachments(findings: readonly Finding[]): MailAttachment[] {
  const byTable = new Map<string, Finding[]>();
  for (const f of findings) byTable.set(f.table, [...(byTable.get(f.table) ?? []), f]);
  return [...byTable.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([table, fs]) => {
      const fields = fs[0]!.key_fields;
      const head = csvLine(['kind', ...fields, 'packets', 'bytes', 'first_seen', 'last_seen', 'found_at', 'identifier', 'detail']);
      const body = fs.map((f) =>
        csvLine([f.kind, ...fields.map((_, i) => f.key[i] ?? ''), f.counters.packets, f.counters.bytes, f.counters.first_seen, f.counters.last_seen, f.ts, f.identifier, f.detail ?? '']),
      );
      // Table names are [a-z0-9_-] by config validation; filter anyway, a filename is a header.
      return { filename: `spanwatch-${table.replace(/[^a-z0-9_-]/gi, '_')}.csv`, content: head + body.join(''), contentType: 'text/csv; charset=utf-8' };
    });
}
