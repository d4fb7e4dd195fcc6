// `spanwatch alerts test|status|retry`: try the configured mail path, see what the outbox
// holds, and deliver what is queued without a capture running.

import path from 'node:path';
import type { Command } from 'commander';
import { composeAlertMail } from '../alert/alert-mail.js';
import { createAlertSink, type AlertSink } from '../alert/alert-sink.js';
import { AlertStateFile } from '../alert/alert-state.js';
import { systemClock } from '../alert/clock.js';
import { SendError } from '../alert/mail-transport.js';
import { createSMTPTransport, renderMessage } from '../alert/nodemailer-adapter.js';
import { listOutbox, Outbox } from '../alert/outbox.js';
import { smtpSettings } from '../alert/smtp-settings.js';
import { writeFileAtomic } from '../report/atomic-write.js';
import type { AlertConfig } from '../config/alert-config.js';
import type { Plan } from '../config/load-config.js';
import { loadPlan } from './load-plan.js';
import { EXIT, UsageError } from './usage-error.js';
import { log } from './log.js';

interface AlertsOptions {
  config?: string;
  reports?: string;
  json?: boolean;
  timeout?: string;
}

export function registerAlertsCommand(program: Command): void {
  const alerts = program.command('alerts').description('alert mail: send a test mail, list the outbox, deliver what is queued');
  const common = (c: Command): Command =>
    c.option('-c, --config <file>', 'config file (default: ./spanwatch.yaml if present, else built-in)').option('--reports <dir>', 'reports directory, overrides reports_dir');
  common(alerts.command('test').description('send one test mail through the configured path and show what the server said')).action(async (opts: AlertsOptions) => {
    process.exitCode = await testCommand(opts);
  });
  common(alerts.command('status').description('list queued, retrying, sent, written and refused alert mails'))
    .option('--json', 'one JSON object instead of text')
    .action((opts: AlertsOptions) => statusCommand(opts));
  common(alerts.command('retry').description('deliver queued alert mails now (e.g. from cron while no capture runs)'))
    .option('--timeout <seconds>', 'give up after this many seconds', '60')
    .action(async (opts: AlertsOptions) => {
      process.exitCode = await retryCommand(opts);
    });
}

function alertPlan(opts: AlertsOptions): { plan: Plan; cfg: AlertConfig; reportsDir: string } {
  const plan = loadPlan(opts);
  if (plan.alerts === null) throw new UsageError(`alerts: ${plan.file} has no "alerts:" block (to, from, smtp …)`);
  return { plan, cfg: plan.alerts, reportsDir: path.resolve(plan.reportsDir) };
}

async function testCommand(opts: AlertsOptions): Promise<number> {
  const { plan, cfg, reportsDir } = alertPlan(opts);
  const now = Date.now();
  const id = `${new Date(now).toISOString().replace(/[-:.]/g, '')}-test-${process.pid}`;
  const mail = composeAlertMail({ id, from: cfg.from, to: cfg.to, kind: 'test', findings: [], context: { sensor: plan.sensor, intervalSec: plan.intervalSec, baselineSince: null }, now, capNote: null });
  const raw = await renderMessage(mail);
  if (cfg.smtp === null) {
    const file = path.join(reportsDir, 'outbox', `${id}.eml`);
    await writeFileAtomic(file, raw);
    process.stdout.write(`no alerts.smtp set: test mail written to ${file}\n`);
    return EXIT.OK;
  }
  let settings;
  try {
    settings = smtpSettings(cfg);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const transport = createSMTPTransport(settings);
  try {
    const r = await transport.send({ from: cfg.from, to: cfg.to }, raw);
    process.stdout.write(`sent to ${cfg.to.join(', ')} through ${settings.description}\nserver said: ${r.response}\n`);
    if (r.rejected.length > 0) process.stdout.write(`refused recipients: ${r.rejected.join(', ')}\n`);
    return r.accepted.length > 0 ? EXIT.OK : EXIT.RUN_FAILED;
  } catch (err) {
    const e = err as SendError;
    process.stdout.write(`not sent through ${settings.description}\nserver said: ${e.message}${e.permanent ? ' (permanent)' : ''}\n`);
    return EXIT.RUN_FAILED;
  } finally {
    transport.close();
  }
}

function statusCommand(opts: AlertsOptions): void {
  const { reportsDir } = alertPlan(opts);
  const outboxDir = path.join(reportsDir, 'outbox');
  const entries = listOutbox(outboxDir);
  const state = new AlertStateFile(path.join(reportsDir, 'alerts', 'state.json'), () => undefined).load();
  const waiting = { batch: state.pending.length, urgent: state.urgent.length, digest: state.digest.length, suppressed: Object.keys(state.suppressed).length };
  if (opts.json) {
    process.stdout.write(JSON.stringify({ outbox: outboxDir, findings: waiting, mails: entries.map((e) => ({ state: e.state, id: e.id, file: e.file, ...e.meta })) }) + '\n');
    return;
  }
  const byState = new Map<string, number>();
  for (const e of entries) byState.set(e.state, (byState.get(e.state) ?? 0) + 1);
  const lines = [
    `outbox ${outboxDir}: ${entries.length === 0 ? 'empty' : [...byState].map(([s, n]) => `${n} ${s}`).join(', ')}`,
    `findings waiting: ${waiting.batch} in the batch window, ${waiting.urgent} urgent, ${waiting.digest} for the digest; ${waiting.suppressed} identifiers mailed (suppressed)`,
  ];
  for (const e of entries) {
    const m = e.meta;
    const detail =
      e.state === 'sent' ? `sent ${m?.sent_at ?? ''}: ${m?.response ?? ''}` : e.state === 'failed' ? `refused: ${m?.last_error ?? ''}` : e.state === 'retrying' ? `attempt ${m?.attempts}, next ${m?.next_attempt ?? 'now'}: ${m?.last_error ?? ''}` : e.state === 'written' ? e.file : 'waiting to be sent';
    lines.push(`  ${e.state.padEnd(8)} ${e.id}  ${m ? JSON.stringify(m.subject) : ''}  ${detail}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function retryCommand(opts: AlertsOptions): Promise<number> {
  const { cfg, reportsDir } = alertPlan(opts);
  const timeout = Number(opts.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout "${opts.timeout}": expected seconds > 0`);
  if (cfg.smtp === null) {
    process.stdout.write('no alerts.smtp set: mails are written to the outbox directly, nothing to deliver\n');
    return EXIT.OK;
  }
  const outbox = new Outbox(path.join(reportsDir, 'outbox'), createSMTPTransport(smtpSettings(cfg)), systemClock, log, {
    minMs: cfg.retryMinMs,
    maxMs: cfg.retryMaxMs,
  });
  outbox.start();
  const empty = await outbox.idle(timeout * 1000);
  outbox.close();
  process.stdout.write(`${outbox.sent} sent, ${outbox.failed} refused for good, ${outbox.queued} still queued\n`);
  return empty ? EXIT.OK : EXIT.RUN_FAILED;
}

/**
 * The alert sink for `spanwatch run`, or null when the config has no `alerts:` block. Made
 * once per process (a live SIGHUP reload keeps it), closed after the differ.
 */
export function openRunAlerts(plan: Plan): AlertSink | null {
  if (plan.alerts === null) return null;
  const intervalSec = plan.intervalSec;
  try {
    return createAlertSink({
      config: plan.alerts,
      reportsDir: path.resolve(plan.reportsDir),
      sensor: plan.sensor,
      // Baseline age: not offered by the baseline store yet; the mail says "unknown".
      context: () => ({ intervalSec, baselineSince: null }),
    });
  } catch (err) {
    throw new UsageError(`alerts: ${(err as Error).message}`);
  }
}
