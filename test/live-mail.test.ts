// The whole product live on `lo` (needs root, as CI runs): `spanwatch run -i lo` learns for a
// few seconds, then a connection to a server it has never seen is mailed to a real SMTP
// server on 127.0.0.1, and a seconds-level cron report is built and mailed from the same run.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { tempDir } from './support/cli.js';
import { SMTPReceiver } from './support/smtp-receiver.js';
import { startDaemon, tcpExchange } from './live-support.js';

const ROOT = process.getuid?.() === 0;
const SKIP = ROOT ? false : 'live capture needs root (CI runs as root)';

test('a new connection after learning is mailed; a scheduled report is mailed from the live run', { skip: SKIP, timeout: 40000 }, async () => {
  const dir = tempDir();
  const rx = await SMTPReceiver.start();
  try {
    const reports = path.join(dir, 'reports');
    const config = path.join(dir, 'spanwatch.yaml');
    fs.writeFileSync(
      config,
      `sensor: lo-test
interval: 2s
capture:
  filter: "tcp and not port ${rx.port}"   # the mail to the test server is not traffic under test
alerts:
  to: [ops@example.org]
  from: spanwatch@lo-test.example
  smtp: smtp://127.0.0.1:${rx.port}
  batch_window: 0.5s
reports:
  - name: quick
    cron: "*/4 * * * * *"
    period: 1h
    tables: [conn]
    email: true
tables:
  - name: conn
    key: [client_host, server_host, proto, server_port]
`,
    );
    const d = startDaemon(['run', '-i', 'lo', '--config', config, '--stay-root', '--learn', '3s', '--reports', reports, '--baselines', path.join(dir, 'baselines')], dir);
    await d.waitFor(/capturing on lo /);
    const learned = await tcpExchange();
    await d.waitFor(/table conn: learning ended/, 15000);
    const fresh = await tcpExchange();

    const isAlert = (s: string | undefined): boolean => /new rows? in conn/.test(s ?? '');
    await rx.waitFor((mails) => mails.some((m) => isAlert(m.parsed.subject) && String(m.parsed.text).includes(` ${fresh.serverPort} `)), 15000);
    await rx.waitFor((mails) => mails.some((m) => /report quick/.test(m.parsed.subject ?? '')), 15000);
    d.child.kill('SIGTERM');
    const { code } = await d.exited;
    assert.equal(code, 0, d.stderr());

    const alerts = rx.mails.filter((m) => isAlert(m.parsed.subject));
    const text = alerts.map((m) => String(m.parsed.text)).join('\n');
    // The connection seen while learning is approved and silent; the new one carries the
    // exact command that approves it.
    assert.doesNotMatch(text, new RegExp(` ${learned.serverPort} `));
    assert.match(text, new RegExp(`spanwatch baseline approve conn 127\\.0\\.0\\.1 127\\.0\\.0\\.1 tcp ${fresh.serverPort}`));
    const report = rx.mails.find((m) => /report quick/.test(m.parsed.subject ?? ''))!;
    assert.match(String(report.parsed.html), /<svg/);
    assert.ok(report.parsed.attachments.some((a) => a.filename?.endsWith('.csv')));
  } finally {
    await rx.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
