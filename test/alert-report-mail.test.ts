// Summary reports are mailed through the alert outbox: the mail reaches a real SMTP server
// on 127.0.0.1 with the report page as HTML and its CSV sections attached, and a hostile
// subject cannot inject a header.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createAlertSink } from '../src/alert/alert-sink.js';
import { alertConfig } from './support/alert-driver.js';
import { SMTPReceiver } from './support/smtp-receiver.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('queue() sends a report mail with HTML and CSV attachments through the outbox', async () => {
  const rx = await SMTPReceiver.start();
  try {
    const sink = createAlertSink({
      config: alertConfig({ smtp: `smtp://127.0.0.1:${rx.port}` }),
      reportsDir: dir,
      sensor: 's1',
      log: () => undefined,
    });
    const csv = 'table,packets\nconn,42\n';
    await sink.queue('[spanwatch s1] report daily\r\nBcc: evil@example.org', 'see the HTML part', '<h1>daily</h1><p>42</p>', [
      { filename: 'totals.csv', content: csv, contentType: 'text/csv; charset=utf-8' },
    ]);
    // On disk before any send was tried.
    assert.ok(fs.readdirSync(path.join(dir, 'outbox', 'queue')).length > 0 || rx.mails.length > 0);
    await rx.waitFor(() => rx.mails.length >= 1, 5000);
    await sink.close({ deliverWithinMs: 1000 });
    const mail = rx.mails[0]!;
    assert.equal(mail.parsed.subject, '[spanwatch s1] report daily Bcc: evil@example.org');
    assert.equal(mail.parsed.headers.get('bcc'), undefined);
    assert.deepEqual(mail.envelope.to, ['ops@example.org']);
    assert.match(String(mail.parsed.html), /<h1>daily<\/h1><p>42<\/p>/);
    assert.equal(mail.parsed.attachments.length, 1);
    assert.equal(mail.parsed.attachments[0]!.filename, 'totals.csv');
    assert.equal(mail.parsed.attachments[0]!.content.toString('utf8'), csv);
  } finally {
    await rx.stop();
  }
});
