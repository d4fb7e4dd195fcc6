// Never lost, never twice: the SMTP server is down while findings arrive; the process
// feeding them (a child running the real alert sink) is killed with SIGKILL mid-stream and
// started again; then the server comes back. Every finding arrives in exactly one mail.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { listOutbox } from '../src/alert/outbox.js';
import { alertConfig, makeFinding } from './support/alert-driver.js';
import { REPO } from './support/paths.js';
import { mailRecords, SMTPReceiver } from './support/smtp-receiver.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function startDriver(spec: object, name: string): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(REPO, 'test/support/alert-driver.ts'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.resume();
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, lines, exited };
}

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('SMTP down, process killed and restarted, server back: every alert arrives exactly once', { timeout: 60_000 }, async () => {
  // A free port, then nothing listening on it.
  const probe = await SMTPReceiver.start();
  const port = probe.port;
  await probe.stop();

  const findings = Array.from({ length: 16 }, (_, i) => makeFinding([`10.0.1.${i + 1}`, '198.51.100.7', 'tcp', '443']));
  const config = alertConfig({ smtp: `smtp://127.0.0.1:${port}`, batchWindowMs: 250, retryMinMs: 100, retryMaxMs: 400 });
  const reportsDir = path.join(dir, 'reports');

  // Run 1: twelve findings at a steady pace; killed once eight are durable.
  const run1 = startDriver({ config, reportsDir, sensor: 'sensor1', findings: findings.slice(0, 12), paceMs: 60, exitWhenDelivered: false }, 'run1');
  await until(() => run1.lines.includes('durable 8'), 20_000, 'run 1 to make 8 findings durable');
  run1.child.kill('SIGKILL');
  await run1.exited;
  const durable = Math.max(...run1.lines.map((l) => Number(/^durable (\d+)$/.exec(l)?.[1] ?? 0)));
  const queuedAtKill = listOutbox(path.join(reportsDir, 'outbox')).filter((e) => e.state === 'queued' || e.state === 'retrying').length;
  assert.ok(queuedAtKill >= 1, 'some mails were already queued (and failing) when the process died');

  // Run 2: the differ re-emits what it had not seen durable, repeats two old ones, adds four more.
  const again = [findings[0]!, findings[4]!, ...findings.slice(durable)];
  const run2 = startDriver({ config, reportsDir, sensor: 'sensor1', findings: again, paceMs: 30, exitWhenDelivered: true }, 'run2');
  await new Promise((r) => setTimeout(r, 1200)); // still down: run 2 retries against a closed port
  assert.equal(run2.child.exitCode, null);
  const rx = await SMTPReceiver.start({ port });
  try {
    await until(() => run2.lines.includes('delivered'), 30_000, 'run 2 to deliver everything');
    assert.equal(await run2.exited, 0);
    const ids = rx.mails.flatMap((m) => mailRecords(m).map((r) => r.identifier));
    assert.deepEqual([...ids].sort(), findings.map((f) => f.identifier).sort(), 'each finding exactly once');
    assert.equal(new Set(rx.mails.map((m) => m.parsed.messageId)).size, rx.mails.length, 'no mail twice');
    const states = listOutbox(path.join(reportsDir, 'outbox')).map((e) => e.state);
    assert.ok(states.length === rx.mails.length && states.every((s) => s === 'sent'), `outbox: ${states.join(',')}`);
  } finally {
    await rx.stop();
  }
});
