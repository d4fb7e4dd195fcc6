// The alert pipeline as a FindingSink: per-kind policy (email, report, ignore), suppression
// per identifier, the batch window, the urgent path, the hourly cap with its digest, and the
// hand-over of each composed mail to the durable outbox. emit() is synchronous and cheap:
// capture and counting never wait on mail (DESIGN rule 7). Everything slow runs on timers
// and promises behind it. Detection stays in the differ (rule 6).

import path from 'node:path';
import type { AlertConfig } from '../config/alert-config.js';
import type { Finding, FindingSink } from '../diff/finding.js';
import { composeAlertMail, type MailAttachment, type MailContext, type MailKind } from './alert-mail.js';
import { headerText } from './mail-escape.js';
import { AlertStateFile, type AlertStateData } from './alert-state.js';
import { systemClock, type Clock } from './clock.js';
import { FindingReportLog } from './finding-report-log.js';
import type { MailTransport } from './mail-transport.js';
import { createSMTPTransport, renderMessage } from './nodemailer-adapter.js';
import { Outbox } from './outbox.js';
import { smtpSettings } from './smtp-settings.js';

const HOUR_MS = 3600_000;

export interface AlertSinkOptions {
  config: AlertConfig;
  /** reports/: mail goes to <reportsDir>/outbox, state and report-only findings to <reportsDir>/alerts. */
  reportsDir: string;
  sensor: string;
  clock?: Clock;
  log?: (msg: string) => void;
  /** The run's context for the mail (interval, baseline age), asked when a mail is composed. */
  context?: () => Omit<MailContext, 'sensor'>;
  /** Override the transport; default: SMTP from config.smtp, or .eml files when it is unset. */
  transport?: MailTransport | null;
}

export interface AlertStats {
  emitted: number;
  mailedFindings: number;
  suppressed: number;
  reported: number;
  ignored: number;
  mails: number;
  /** Findings in the batch window, the urgent queue or being committed. */
  waiting: number;
  digestWaiting: number;
}

export interface AlertSink extends FindingSink {
  readonly outbox: Outbox;
  /**
   * Queues a mail that is not about findings (a summary report) through the same durable
   * outbox, to the same recipients; resolves once it is on disk. Fits the report stage's
   * ReportMailer seam.
   */
  queue(subject: string, text: string, html: string, attachments: MailAttachment[]): Promise<void>;
  stats(): AlertStats;
  /**
   * Ends the sink: open batches are mailed now (not the digest, which waits for its hour),
   * then up to `deliverWithinMs` of real time is spent delivering; what is left stays queued
   * on disk for the next start.
   */
  close(opts?: { deliverWithinMs?: number }): Promise<void>;
}

export function createAlertSink(opts: AlertSinkOptions): AlertSink {
  const log = opts.log ?? ((m: string) => process.stderr.write(`spanwatch: ${m}\n`));
  const transport = opts.transport !== undefined ? opts.transport : opts.config.smtp !== null ? createSMTPTransport(smtpSettings(opts.config)) : null;
  return new AlertPipeline(opts, opts.clock ?? systemClock, log, transport);
}

type Queue = 'pending' | 'urgent' | 'digest';
const QUEUE_OF: Record<MailKind, Queue> = { batch: 'pending', urgent: 'urgent', digest: 'digest', test: 'pending' };

class AlertPipeline implements AlertSink {
  readonly outbox: Outbox;
  private readonly st: AlertStateData;
  private readonly stateFile: AlertStateFile;
  private readonly reportLog: FindingReportLog;
  private readonly reminders = new Set<string>();
  private readonly counts = { emitted: 0, mailedFindings: 0, suppressed: 0, reported: 0, ignored: 0, mails: 0 };
  private chain: Promise<void> = Promise.resolve();
  private readonly cancel: Partial<Record<Queue, () => void>> = {};
  private seq = 0;
  private closed = false;

  constructor(
    private readonly opts: AlertSinkOptions,
    private readonly clock: Clock,
    private readonly log: (msg: string) => void,
    transport: MailTransport | null,
  ) {
    const alertsDir = path.join(opts.reportsDir, 'alerts');
    this.stateFile = new AlertStateFile(path.join(alertsDir, 'state.json'), log);
    this.reportLog = new FindingReportLog(alertsDir, log);
    this.st = this.stateFile.load();
    const { retryMinMs, retryMaxMs } = opts.config;
    this.outbox = new Outbox(path.join(opts.reportsDir, 'outbox'), transport, clock, log, { minMs: retryMinMs, maxMs: retryMaxMs });
    this.recover();
    this.outbox.start();
  }

  emit(f: Finding): void {
    if (this.closed) return;
    this.counts.emitted++;
    const action = this.opts.config.kinds[f.kind];
    if (action === 'ignore') {
      this.counts.ignored++;
      return;
    }
    const now = this.clock.now();
    const row = JSON.stringify([f.table, ...f.key]);
    const previous = this.st.last_kind[row];
    this.st.last_kind[row] = f.kind;
    const changed = previous !== undefined && previous !== f.kind;
    if (action === 'report') {
      this.counts.reported++;
      this.reportLog.append(f, now);
      this.save();
      return;
    }
    // Already waiting to be mailed: keep the newest counters, mail it once.
    if (this.replaceQueued(f) || this.st.in_flight?.findings.some((x) => x.identifier === f.identifier)) return;
    const mailedAt = this.st.suppressed[f.identifier];
    if (mailedAt !== undefined && !changed) {
      const remind = this.opts.config.remindAfterMs;
      if (remind === null || now - mailedAt < remind) {
        this.counts.suppressed++;
        this.save();
        return;
      }
      this.reminders.add(f.identifier);
    }
    if (this.capped(now)) {
      this.st.digest.push(f);
      this.armDigest(now);
    } else if (f.kind === 'denied_row') {
      // Urgent: no batch window; findings arriving in the same tick still share one mail.
      this.st.urgent.push(f);
      if (!this.cancel.urgent) this.cancel.urgent = this.clock.setTimer(0, () => this.close_('urgent'));
    } else {
      this.st.pending.push(f);
      if (this.st.batch_opened_at === null) this.st.batch_opened_at = now;
      if (!this.cancel.pending) this.cancel.pending = this.clock.setTimer(this.opts.config.batchWindowMs, () => this.close_('batch'));
    }
    this.save();
  }

  async queue(subject: string, text: string, html: string, attachments: MailAttachment[]): Promise<void> {
    const now = this.clock.now();
    const id = this.mailId(now);
    const { from, to } = this.opts.config;
    const raw = await renderMessage({
      id,
      from,
      to,
      subject: headerText(subject),
      text,
      html,
      attachments,
      date: new Date(now),
      messageId: `<${id}@${from.slice(from.lastIndexOf("@") + 1).replace(/[>\s].*$/, "") || "spanwatch"}>`,
      urgent: false,
    });
    await this.outbox.enqueue(
      { id, created: new Date(now).toISOString(), subject, from, to: [...to], urgent: false, findings: 0, attempts: 0, next_attempt: null, last_error: null },
      raw,
    );
  }

  async flush(): Promise<void> {
    await this.stateFile.save(() => this.st);
    await this.reportLog.drain();
  }

  stats(): AlertStats {
    const s = this.st;
    return { ...this.counts, waiting: s.pending.length + s.urgent.length + (s.in_flight?.findings.length ?? 0), digestWaiting: s.digest.length };
  }

  async close(opts: { deliverWithinMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    for (const q of ['urgent', 'pending'] as const) this.cancel[q]?.();
    this.close_('urgent');
    this.close_('batch');
    await this.chain;
    this.closed = true;
    this.cancel.digest?.();
    await this.flush();
    if (opts.deliverWithinMs && this.outbox.queued > 0) await this.outbox.idle(opts.deliverWithinMs);
    this.outbox.close();
  }

  private save(): void {
    void this.stateFile.save(() => this.st);
  }

  private replaceQueued(f: Finding): boolean {
    for (const q of ['pending', 'urgent', 'digest'] as const) {
      const list = this.st[q];
      const i = list.findIndex((x) => x.identifier === f.identifier);
      if (i >= 0) {
        list[i] = f;
        return true;
      }
    }
    return false;
  }

  private capped(now: number): boolean {
    const s = this.st;
    return s.window_start !== null && now - s.window_start < HOUR_MS && s.window_count >= this.opts.config.maxMailsPerHour;
  }

  private armDigest(now: number): void {
    if (this.cancel.digest) return;
    const at = (this.st.window_start ?? now) + HOUR_MS;
    this.cancel.digest = this.clock.setTimer(at - now, () => this.close_('digest'));
  }

  /** Queues the commit of one mail; commits run one after another. */
  private close_(kind: MailKind): void {
    delete this.cancel[QUEUE_OF[kind]];
    this.chain = this.chain.then(() => this.commit(kind)).catch((err: Error) => this.log(`alert pipeline: ${err.message}`));
  }

  private async commit(kind: MailKind): Promise<void> {
    const s = this.st;
    const now = this.clock.now();
    const queue = QUEUE_OF[kind];
    const findings = s[queue].splice(0);
    if (kind === 'batch') s.batch_opened_at = null;
    if (s.window_start !== null && now - s.window_start >= HOUR_MS && kind !== 'digest') {
      if (s.digest.length > 0) {
        // The digest's hour ended while we were not running: it goes first.
        s[queue].unshift(...findings);
        this.close_('digest');
        this.close_(kind);
        return;
      }
      s.window_start = null;
      s.window_count = 0;
    }
    if (kind === 'digest') {
      // The digest opens the next hour and is its first mail; an empty one just reopens it.
      s.window_start = findings.length > 0 ? now : null;
      s.window_count = findings.length > 0 ? 1 : 0;
    }
    if (findings.length === 0) return void this.save();
    if (kind !== 'digest' && this.capped(now)) {
      s.digest.push(...findings);
      this.armDigest(now);
      return void this.save();
    }
    const max = this.opts.config.maxMailsPerHour;
    if (kind !== 'digest') {
      if (s.window_start === null) s.window_start = now;
      s.window_count++;
    }
    const until = new Date(s.window_start! + HOUR_MS).toISOString();
    const capNote =
      kind === 'digest'
        ? `max_mails_per_hour (${max}) was reached; these ${findings.length} findings arrived while mail was capped and are gathered in this one digest.`
        : s.window_count === max
          ? `this is mail ${max} of max_mails_per_hour (${max}). Until ${until} further findings are gathered into one digest mail, sent at that time.`
          : null;
    const id = this.mailId(now);
    s.in_flight = { id, kind, findings };
    await this.stateFile.save(() => s);
    try {
      const mail = composeAlertMail({
        id,
        from: this.opts.config.from,
        to: this.opts.config.to,
        kind,
        findings,
        context: { intervalSec: null, baselineSince: null, ...this.opts.context?.(), sensor: this.opts.sensor },
        now,
        capNote,
        reminders: this.reminders,
      });
      const raw = await renderMessage(mail);
      await this.outbox.enqueue(
        { id, created: new Date(now).toISOString(), subject: mail.subject, from: mail.from, to: [...mail.to], urgent: mail.urgent, findings: findings.length, attempts: 0, next_attempt: null, last_error: null },
        raw,
      );
    } catch (err) {
      // Disk full or similar: keep the findings, try again after the retry delay.
      this.log(`cannot write alert mail ${id} to the outbox: ${(err as Error).message}; will retry`);
      s[queue].unshift(...findings);
      if (kind !== 'digest') s.window_count--;
      s.in_flight = null;
      this.save();
      if (!this.closed) this.cancel[queue] = this.clock.setTimer(this.opts.config.retryMinMs, () => this.close_(kind));
      return;
    }
    for (const f of findings) {
      s.suppressed[f.identifier] = now;
      this.reminders.delete(f.identifier);
    }
    s.in_flight = null;
    this.counts.mails++;
    this.counts.mailedFindings += findings.length;
    await this.stateFile.save(() => s);
  }

  /** After a restart: settle the mail that was being committed, and re-arm the timers. */
  private recover(): void {
    const s = this.st;
    const now = this.clock.now();
    const f = s.in_flight;
    if (f !== null) {
      if (this.outbox.has(f.id)) {
        for (const x of f.findings) s.suppressed[x.identifier] = now;
      } else {
        s[QUEUE_OF[f.kind]].unshift(...f.findings);
        if (f.kind !== 'digest') s.window_count = Math.max(0, s.window_count - 1);
      }
      s.in_flight = null;
    }
    if (s.urgent.length > 0) this.cancel.urgent = this.clock.setTimer(0, () => this.close_('urgent'));
    if (s.pending.length > 0) {
      const wait = (s.batch_opened_at ?? now) + this.opts.config.batchWindowMs - now;
      this.cancel.pending = this.clock.setTimer(Math.max(0, wait), () => this.close_('batch'));
    }
    if (s.digest.length > 0) this.armDigest(now);
    this.save();
  }

  private mailId(now: number): string {
    const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('.', '');
    const rand = Math.floor(Math.random() * 0x1000000).toString(16).padStart(6, '0');
    return `${stamp}-${process.pid}-${String(this.seq++).padStart(4, '0')}-${rand}`;
  }
}
