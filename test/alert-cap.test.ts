// The storm breaker: max_mails_per_hour mails, the last of them saying the cap is reached,
// then one digest mail when the hour is over. An hour passes in a moment on a ManualClock;
// the mails still travel over real SMTP to smtp-server and are parsed with mailparser.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createAlertSink } from '../src/alert/alert-sink.js';
import { ManualClock } from '../src/alert/clock.js';
import { alertConfig, makeFinding } from './support/alert-driver.js';
import { mailRecords, SMTPReceiver } from './support/smtp-receiver.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('past max_mails_per_hour findings wait for one digest; the mail that hits the cap says so', async () => {
  const rx = await SMTPReceiver.start();
  const clock = new ManualClock(Date.UTC(2026, 10, 20, 10, 0, 0));
  const sink = createAlertSink({
    config: alertConfig({ smtp: `smtp://127.0.0.1:${rx.port}`, batchWindowMs: 200, maxMailsPerHour: 3 }),
    reportsDir: dir,
    sensor: 'sensor1',
    clock,
    log: () => undefined,
  });
  try {
    const key = (i: number): string[] => [`10.0.0.${i}`, '198.51.100.7', 'tcp', '443'];
    // Three bursts, a minute apart: three mails. The hour opens with the first mail, at 10:00:00.200.
    for (let i = 1; i <= 3; i++) {
      sink.emit(makeFinding(key(i)));
      clock.advance(200);
      await rx.waitFor((m) => m.length >= i, 5000);
      clock.advance(60_000);
    }
    assert.equal(rx.mails[0]!.parsed.text!.includes('NOTE:'), false);
    assert.equal(rx.mails[1]!.parsed.text!.includes('NOTE:'), false);
    const third = rx.mails[2]!.parsed.text!;
    assert.match(third, /NOTE: this is mail 3 of max_mails_per_hour \(3\)\. Until 2026-11-20T11:00:00\.200Z further findings are gathered into one digest mail/);
    // Twelve more findings in four bursts over the rest of the hour: no mail at all.
    for (let b = 0; b < 4; b++) {
      for (let j = 0; j < 3; j++) sink.emit(makeFinding(key(10 + b * 3 + j)));
      clock.advance(200);
      clock.advance(5 * 60_000);
    }
    sink.emit(makeFinding(key(1))); // already mailed: stays suppressed, not in the digest
    await sleep(400);
    assert.equal(rx.mails.length, 3);
    assert.equal(sink.stats().digestWaiting, 12);
    // The hour since the first mail ends: exactly one digest with all twelve.
    clock.advance(60 * 60_000);
    await rx.waitFor((m) => m.length >= 4, 5000);
    await sleep(300);
    assert.equal(rx.mails.length, 4);
    const digest = rx.mails[3]!;
    assert.equal(digest.parsed.subject, '[spanwatch sensor1] digest: 12 new rows in conn');
    assert.match(digest.parsed.text!, /max_mails_per_hour \(3\) was reached; these 12 findings arrived while mail was capped/);
    assert.deepEqual(
      mailRecords(digest).map((r) => r.client_host).sort(),
      Array.from({ length: 12 }, (_, i) => `10.0.0.${10 + i}`).sort(),
    );
    // The digest opened a new hour as its first mail: two more mails fit, the second hits the cap.
    sink.emit(makeFinding(key(30)));
    clock.advance(200);
    await rx.waitFor((m) => m.length >= 5, 5000);
    assert.equal(rx.mails[4]!.parsed.text!.includes('NOTE:'), false);
    sink.emit(makeFinding(key(31)));
    clock.advance(200);
    await rx.waitFor((m) => m.length >= 6, 5000);
    assert.match(rx.mails[5]!.parsed.text!, /NOTE: this is mail 3 of max_mails_per_hour/);
    assert.equal(new Set(rx.mails.map((m) => m.parsed.messageId)).size, 6);
  } finally {
    await sink.close();
    await rx.stop();
  }
});
