// End to end through a real MTA: Debian's postfix listening on loopback accepts the alert
// and delivers it to root's local mailbox (/var/mail/root), where it is found and parsed.
// Skips, saying why, when postfix is not installed or not running (CI installs it: see README).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { createAlertSink } from '../src/alert/alert-sink.js';
import { listOutbox } from '../src/alert/outbox.js';
import { alertConfig, makeFinding } from './support/alert-driver.js';

const MAILBOX = '/var/mail/root';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function postfixProblem(): string | null {
  if (!fs.existsSync('/usr/sbin/postfix')) return 'postfix is not installed (apt-get install postfix, see README "Alerts")';
  if (process.getuid?.() !== 0) return 'needs root to read /var/mail/root';
  const st = spawnSync('/usr/sbin/postfix', ['status'], { encoding: 'utf8' });
  if (st.status !== 0) return `postfix is not running (start it with: postfix start) ${(st.stderr || st.stdout).trim()}`.trim();
  return null;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

const problem = postfixProblem();

test('postfix on loopback delivers the alert to root\'s mailbox', { skip: problem ?? false, timeout: 60_000 }, async () => {
  assert.ok(await listening(25), 'postfix listens on 127.0.0.1:25');
  const token = crypto.randomBytes(4).toString('hex');
  const key = [`10.77.${parseInt(token.slice(0, 2), 16)}.${parseInt(token.slice(2, 4), 16)}`, '198.51.100.25', 'tcp', '25'];
  const sink = createAlertSink({
    config: alertConfig({ to: ['root@localhost'], from: 'spanwatch@spanwatch.test', smtp: 'smtp://127.0.0.1:25', batchWindowMs: 200 }),
    reportsDir: dir,
    sensor: `postfix-${token}`,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  sink.emit(makeFinding(key));
  sink.emit(makeFinding([...key.slice(0, 3), '587'], 'denied_row'));
  await sink.close({ deliverWithinMs: 15_000 });
  const sent = listOutbox(path.join(dir, 'outbox'));
  assert.equal(sent.length, 2);
  assert.ok(sent.every((e) => e.state === 'sent' && /^250 /.test(e.meta!.response!)), JSON.stringify(sent.map((e) => e.meta)));
  // Local delivery is asynchronous after the 250: wait for both mails in the mbox.
  const ids = sent.map((e) => `<${e.id}@spanwatch.test>`);
  let box = '';
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    box = fs.existsSync(MAILBOX) ? fs.readFileSync(MAILBOX, 'latin1') : '';
    if (ids.every((id) => box.includes(id))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const messages = box.split(/^From .*\n/m).filter((m) => ids.some((id) => m.includes(id)));
  assert.equal(messages.length, 2, `both mails in ${MAILBOX}`);
  const parsed = await Promise.all(messages.map((m) => simpleParser(Buffer.from(m, 'latin1'))));
  const subjects = parsed.map((p) => p.subject).sort();
  assert.deepEqual(subjects, [`[spanwatch postfix-${token}] 1 new row in conn`, `[spanwatch postfix-${token}] URGENT: 1 denied row in conn`]);
  for (const p of parsed) {
    assert.match(String(p.headers.get('received') ?? ''), /by \S+ \(Postfix\)/, 'passed through postfix');
    assert.equal((p.headers.get('delivered-to') as { text: string }).text, 'root@localhost', 'delivered locally to root');
  }
  const newRow = parsed.find((p) => p.subject!.includes('new row'))!;
  assert.ok(newRow.text!.includes(`spanwatch baseline approve conn ${key.join(' ')}`));
});
