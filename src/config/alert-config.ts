// The `alerts:` block of the config: who gets mail, through which server, and how often.
// Read with file:line:col problems like every other block. The SMTP password never lives
// here: it comes from SPANWATCH_SMTP_PASSWORD or the file named by `password_file`, and is
// read only when mail is about to be sent (src/alert/smtp-settings.ts).

import type { FindingKind } from '../diff/finding.js';
import { parseDuration } from './duration.js';
import type { At, ConfigReader } from './config-reader.js';

/** What the alert policy does with a finding kind. */
export type AlertAction = 'email' | 'report' | 'ignore';

export interface AlertConfig {
  to: readonly string[];
  from: string;
  /** smtp:// or smtps:// URL (user allowed, password refused); null: write .eml files to reports/outbox/. */
  smtp: string | null;
  passwordFile: string | null;
  /** PEM file of a private CA that signed the SMTP server's certificate, or null. */
  caFile: string | null;
  batchWindowMs: number;
  maxMailsPerHour: number;
  kinds: Readonly<Record<FindingKind, AlertAction>>;
  /** Mail an identifier again after this long; null: only when its decision changes. */
  remindAfterMs: number | null;
  /** Retry backoff after a failed send: doubles from min up to max. */
  retryMinMs: number;
  retryMaxMs: number;
}

export const ALERT_KEYS = [
  'to',
  'from',
  'smtp',
  'password_file',
  'ca_file',
  'batch_window',
  'max_mails_per_hour',
  'kinds',
  'remind_after',
  'retry_min',
  'retry_max',
];
const KINDS: readonly FindingKind[] = ['new_row', 'denied_row', 'gone_row', 'volume_change'];
const ACTIONS: readonly AlertAction[] = ['email', 'report', 'ignore'];

export const DEFAULT_ALERT_KINDS: Readonly<Record<FindingKind, AlertAction>> = {
  new_row: 'email',
  denied_row: 'email',
  gone_row: 'report',
  volume_change: 'report',
};

// Deliberately strict: an address goes into SMTP envelopes and headers, so no spaces,
// commas, angle brackets, quotes or control characters; a plain local@domain.
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** Reads `alerts:`; returns null when it has problems (they are recorded on the reader). */
export function readAlertConfig(r: ConfigReader, at: At): AlertConfig | null {
  const before = r.problems.length;
  const m = r.map(at, ALERT_KEYS);
  if (!m) return null;
  const to: string[] = [];
  const toAt = m.get('to');
  if (!toAt) r.problem(at, 'alerts need "to": a list of addresses such as [ops@example.org]');
  for (const item of toAt ? (r.seq(toAt) ?? []) : []) {
    const a = readAddress(r, item);
    if (a !== null) to.push(a);
  }
  if (toAt && to.length === 0 && r.problems.length === before) r.problem(toAt, 'give at least one address');
  const fromAt = m.get('from');
  if (!fromAt) r.problem(at, 'alerts need "from": the sender address, such as spanwatch@sensor1.example.org');
  const from = fromAt ? readAddress(r, fromAt) : null;

  const smtpAt = m.get('smtp');
  const smtp = smtpAt ? readSMTPURL(r, smtpAt) : null;
  const pwAt = m.get('password_file');
  const passwordFile = pwAt ? r.string(pwAt, 'a file name') : null;
  if (pwAt && !smtpAt) r.problem(pwAt, '"password_file" needs "smtp" to be set');
  const caAt = m.get('ca_file');
  const caFile = caAt ? r.string(caAt, 'a PEM file name') : null;
  if (caAt && !smtpAt) r.problem(caAt, '"ca_file" needs "smtp" to be set');

  const batchWindowMs = duration(r, m.get('batch_window'), 0, 3600, 3) * 1000;
  const maxAt = m.get('max_mails_per_hour');
  let maxMailsPerHour = 20;
  if (maxAt) {
    const v = r.scalar(maxAt);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) r.problem(maxAt, `"${v}" is not a whole number ≥ 1`);
    else maxMailsPerHour = v;
  }
  const kinds = { ...DEFAULT_ALERT_KINDS };
  const kindsAt = m.get('kinds');
  for (const [kind, kat] of kindsAt ? (r.map(kindsAt, KINDS) ?? []) : []) {
    const v = r.string(kat, 'email, report or ignore');
    if (v === null) continue;
    if (!(ACTIONS as readonly string[]).includes(v)) r.problem(kat, `"${v}" is not an action; use email, report or ignore`);
    else kinds[kind as FindingKind] = v as AlertAction;
  }
  const remindAt = m.get('remind_after');
  const remindAfterMs = remindAt ? duration(r, remindAt, 60, 365 * 86400, 0) * 1000 : null;
  const retryMinMs = duration(r, m.get('retry_min'), 0.01, 3600, 5) * 1000;
  const retryMaxMs = duration(r, m.get('retry_max'), 0.01, 86400, 600) * 1000;
  if (retryMaxMs < retryMinMs && m.get('retry_max')) r.problem(m.get('retry_max')!, 'retry_max must not be below retry_min');

  if (r.problems.length > before || from === null) return null;
  return { to, from, smtp, passwordFile, caFile, batchWindowMs, maxMailsPerHour, kinds, remindAfterMs, retryMinMs, retryMaxMs };
}

function readAddress(r: ConfigReader, at: At): string | null {
  const s = r.string(at, 'an email address');
  if (s === null) return null;
  if (!ADDRESS.test(s)) {
    r.problem(at, `"${s}" is not a plain email address (local@domain, no name, brackets or spaces)`);
    return null;
  }
  return s;
}

function readSMTPURL(r: ConfigReader, at: At): string | null {
  const s = r.string(at, 'an smtp:// or smtps:// URL');
  if (s === null) return null;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    r.problem(at, `"${s}" is not a URL; write smtp://host:587 or smtps://host:465`);
    return null;
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') {
    r.problem(at, `"${u.protocol}" is not supported; write smtp://host:587 (STARTTLS) or smtps://host:465 (TLS)`);
    return null;
  }
  if (u.password !== '') {
    r.problem(at, 'no password in the config: set SPANWATCH_SMTP_PASSWORD or alerts.password_file');
    return null;
  }
  if (u.hostname === '' || (u.pathname !== '' && u.pathname !== '/') || u.search !== '' || u.hash !== '') {
    r.problem(at, `"${s}" must be just scheme, optional user@, host and port (smtp://user@host:587)`);
    return null;
  }
  return s;
}

/** A duration in seconds within [min, max], or `fallback` when absent or wrong (with a problem). */
function duration(r: ConfigReader, at: At | undefined, min: number, max: number, fallback: number): number {
  if (!at) return fallback;
  const v = r.scalar(at);
  const sec = v === null ? null : parseDuration(v);
  if (v !== null && (sec === null || sec < min || sec > max)) {
    r.problem(at, `"${v}" is not a duration between ${min} s and ${max} s (write 3s, 0.5s, 5m, 1h)`);
    return fallback;
  }
  return sec ?? fallback;
}
