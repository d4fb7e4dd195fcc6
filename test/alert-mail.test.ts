// Alert mail end to end against a real SMTP server on 127.0.0.1 (smtp-server), each mail
// parsed back with mailparser: batching, suppression, urgent mail, reminders, the baseline
// commands (checked by bash itself), and hostile key values that must not inject headers,
// HTML or spreadsheet formulas.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createAlertSink, type AlertSink } from '../src/alert/alert-sink.js';
import type { AlertConfig } from '../src/config/alert-config.js';
import { alertConfig, makeFinding } from './support/alert-driver.js';
import { mailRecords, SMTPReceiver, type ReceivedMail } from './support/smtp-receiver.js';

const dirs: string[] = [];
let rx: SMTPReceiver;
before(async () => {
  rx = await SMTPReceiver.start();
});
after(async () => {
  await rx.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const WINDOW = 300;

function sinkFor(over: Partial<AlertConfig> = {}, sensor = 'sensor1'): AlertSink {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
  dirs.push(dir);
  return createAlertSink({
    config: alertConfig({ smtp: `smtp://127.0.0.1:${rx.port}`, batchWindowMs: WINDOW, ...over }),
    reportsDir: dir,
    sensor,
    log: () => undefined,
    context: () => ({ intervalSec: 60, baselineSince: null }),
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Mails received from now on, for one test (the receiver is shared). */
function since(): () => ReceivedMail[] {
  const start = rx.mails.length;
  return () => rx.mails.slice(start);
}

test('findings inside the batch window arrive as one mail with an aligned table, commands, CSV and HTML', async () => {
  const sink = sinkFor();
  const got = since();
  const keys = [
    ['10.0.0.5', '198.51.100.7', 'tcp', '443'],
    ['10.0.0.10', '192.0.2.25', 'tcp', '25'],
    ['2001:db8::1', '2001:db8::53', 'udp', '53'],
  ];
  for (const k of keys) {
    sink.emit(makeFinding(k));
    await sleep(30);
  }
  await rx.waitFor(() => got().length >= 1, 5000);
  await sleep(WINDOW + 200); // nothing else may follow
  assert.equal(got().length, 1);
  const m = got()[0]!;
  assert.equal(m.parsed.subject, '[spanwatch sensor1] 3 new rows in conn');
  assert.deepEqual(m.envelope.to, ['ops@example.org']);
  assert.equal(m.envelope.from, 'spanwatch@sensor1.example.org');
  assert.equal(m.parsed.headers.get('auto-submitted'), 'auto-generated');
  assert.equal(m.parsed.headers.get('priority'), undefined);
  const text = m.parsed.text!;
  for (const k of keys) {
    assert.ok(text.includes(`  spanwatch baseline approve conn ${k.join(' ')}\n`), `approve command for ${k.join(' ')}`);
    assert.ok(text.includes(`  spanwatch baseline deny conn ${k.join(' ')}\n`), `deny command for ${k.join(' ')}`);
  }
  // Aligned: every value of a column starts where its header does; numbers end where theirs does.
  const lines = text.split('\n');
  const head = lines.findIndex((l) => l.includes('client_host') && l.includes('first seen'));
  const header = lines[head]!;
  const rows = lines.slice(head + 1, head + 4);
  for (const [i, k] of keys.entries()) {
    const row = rows.find((r) => r.includes(k[0]!))!;
    assert.equal(row.indexOf(k[1]!), header.indexOf('server_host'), `row ${i} server_host column`);
    assert.equal(row.indexOf(` ${k[2]} `) + 1, header.indexOf('proto'));
    assert.match(row.slice(0, header.indexOf('packets') + 'packets'.length), / 3$/, 'packets right-aligned');
    assert.match(row.slice(0, header.indexOf('bytes') + 'bytes'.length), / 180$/, 'bytes right-aligned');
    assert.equal(row.indexOf('2026-11-20T10:00:01.000Z'), header.indexOf('first seen'));
  }
  assert.match(text, /sensor: +sensor1\n/);
  assert.match(text, /interval: +60 s\n/);
  assert.match(text, /baseline age: +unknown/);
  assert.ok(typeof m.parsed.html === 'string' && m.parsed.html.includes('<td>2001:db8::53</td>'));
  const recs = mailRecords(m);
  assert.deepEqual(
    recs.map((r) => [r.client_host, r.server_host, r.proto, r.server_port, r.packets, r.bytes, r.kind]),
    keys.map((k) => [...k, '3', '180', 'new_row']),
  );
  await sink.close();
});

test('findings in separate bursts go into separate mails; a mailed identifier is not mailed again', async () => {
  const sink = sinkFor();
  const got = since();
  const a = makeFinding(['10.0.0.5', '198.51.100.7', 'tcp', '443']);
  sink.emit(a);
  await rx.waitFor(() => got().length >= 1, 5000);
  sink.emit(makeFinding(['10.0.0.5', '198.51.100.7', 'tcp', '443'], 'new_row', 'conn', undefined, 99)); // same identifier
  sink.emit(makeFinding(['10.0.0.6', '198.51.100.7', 'tcp', '443']));
  await rx.waitFor(() => got().length >= 2, 5000);
  await sleep(WINDOW + 200);
  assert.equal(got().length, 2);
  assert.equal(got()[1]!.parsed.subject, '[spanwatch sensor1] 1 new row in conn');
  assert.deepEqual(mailRecords(got()[1]!).map((r) => r.client_host), ['10.0.0.6']);
  assert.equal(sink.stats().suppressed, 1);
  await sink.close();
});

test('a denied row skips the batch window, carries Importance: high, and a changed decision is mailed again', async () => {
  const sink = sinkFor({ batchWindowMs: 2000 });
  const got = since();
  const key = ['10.0.0.9', '203.0.113.9', 'tcp', '23'];
  sink.emit(makeFinding(key)); // new_row: waits for the 2 s window
  const t0 = Date.now();
  sink.emit(makeFinding(key, 'denied_row'));
  await rx.waitFor(() => got().length >= 1, 5000);
  const urgent = got()[0]!;
  assert.ok(urgent.at - t0 < 1000, `urgent mail after ${urgent.at - t0} ms, before the 2 s window`);
  assert.equal(urgent.parsed.subject, '[spanwatch sensor1] URGENT: 1 denied row in conn');
  // mailparser folds Importance and X-Priority into one `priority`; the raw header shows both.
  assert.equal(urgent.parsed.headers.get('priority'), 'high');
  assert.match(urgent.raw.toString('latin1').split('\r\n\r\n')[0]!, /^Importance: high\r$/m);
  assert.match(urgent.raw.toString('latin1').split('\r\n\r\n')[0]!, /^X-Priority: 1 \(Highest\)\r$/m);
  assert.ok(urgent.parsed.text!.includes(`spanwatch baseline approve conn ${key.join(' ')}\n`));
  await rx.waitFor(() => got().length >= 2, 5000);
  assert.equal(got()[1]!.parsed.subject, '[spanwatch sensor1] 1 new row in conn');
  assert.equal(got()[1]!.parsed.headers.get('priority'), undefined);
  // Same decision again: silent. The decision changes back to new_row: mailed again.
  sink.emit(makeFinding(key, 'denied_row'));
  await sleep(300);
  assert.equal(got().length, 2);
  sink.emit(makeFinding(key, 'new_row'));
  await rx.waitFor(() => got().length >= 3, 5000);
  assert.equal(got()[2]!.parsed.subject, '[spanwatch sensor1] 1 new row in conn');
  await sink.close();
});

test('remind_after mails a suppressed identifier again, marked as a reminder; report-only kinds are not mailed', async () => {
  const sink = sinkFor({ remindAfterMs: 700 });
  const got = since();
  const key = ['10.0.0.7', '198.51.100.8', 'udp', '123'];
  sink.emit(makeFinding(key));
  await rx.waitFor(() => got().length >= 1, 5000);
  sink.emit(makeFinding(key)); // within remind_after: suppressed
  sink.emit(makeFinding(['10.0.0.1', '10.0.0.2', 'tcp', '22'], 'gone_row')); // report only
  await sleep(800);
  assert.equal(got().length, 1);
  sink.emit(makeFinding(key));
  await rx.waitFor(() => got().length >= 2, 5000);
  assert.match(got()[1]!.parsed.text!, /10\.0\.0\.7 .* \(reminder\)\n/);
  await sink.close();
  assert.equal(sink.stats().reported, 1);
});

test('hostile key values: no header injection, HTML escaped, CSV formulas neutralised, commands exact in bash', async () => {
  const sink = sinkFor({}, 'sensor1\r\nX-Sensor-Injected: yes');
  const got = since();
  const hostile = ['evil\r\nBcc: victim@example.org\r\nX-Injected: yes', '<script>alert(1)</script>', "=cmd|' /C calc'!A0", '-1'];
  const second = ['@SUM(1+1)*cmd|x', '+1+1', 'a\u202Eb"c', "it's $(touch /tmp/pwned) `id`"];
  sink.emit(makeFinding(hostile));
  sink.emit(makeFinding(second, 'new_row', 'web', ['client_host', 'server_host', 'proto', '<b>server_port</b>']));
  await rx.waitFor(() => got().length >= 1, 5000);
  const m = got()[0]!;
  // Headers: only what spanwatch set, the subject on one line, recipients only from the config.
  assert.deepEqual(m.envelope.to, ['ops@example.org']);
  assert.equal(m.parsed.headers.has('bcc'), false);
  assert.equal(m.parsed.headers.has('x-injected'), false);
  assert.equal(m.parsed.headers.has('x-sensor-injected'), false);
  assert.equal(m.parsed.subject, '[spanwatch sensor1 X-Sensor-Injected: yes] 2 new rows in conn, web');
  const rawHead = m.raw.toString('latin1').split('\r\n\r\n')[0]!;
  assert.doesNotMatch(rawHead, /^(Bcc|X-Injected|X-Sensor-Injected):/im);
  // Text: the CR LF shows as visible escapes inside one line of the table.
  const text = m.parsed.text!;
  assert.ok(text.includes('evil\\r\\nBcc: victim@example.org\\r\\nX-Injected: yes  <script>'), 'CRLF escaped in the table row');
  assert.ok(text.includes('a\\u{202e}b"c'), 'bidi override shown, not obeyed');
  assert.doesNotMatch(text, /\r/);
  // HTML: no live markup from the wire.
  const html = m.parsed.html as string;
  assert.doesNotMatch(html, /<script>|<b>server_port/);
  assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
  assert.ok(html.includes('&#60;b&#62;server_port&#60;/b&#62;'));
  // CSV: exact values, formula starters neutralised with a leading apostrophe.
  const recs = mailRecords(m);
  const r1 = recs.find((r) => r.client_host === hostile[0])!;
  assert.ok(r1, 'CR LF value kept exactly in the quoted CSV cell');
  assert.equal(r1.proto, "'=cmd|' /C calc'!A0");
  assert.equal(r1.server_port, "'-1");
  const r2 = recs.find((r) => r.server_host === "'+1+1")!;
  assert.equal(r2.client_host, "'@SUM(1+1)*cmd|x");
  // Commands: bash parses each pasted command back into exactly the table and key values.
  const cmds = text.split('\n').filter((l) => l.startsWith('  spanwatch baseline approve '));
  assert.equal(cmds.length, 2);
  for (const [i, words] of [['conn', '--', ...hostile], ['web', ...second]].entries()) {
    const args = cmds[i]!.slice('  spanwatch baseline approve '.length);
    const out = execFileSync('bash', ['-c', `set -- ${args}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
    assert.deepEqual(out.split('\0').slice(0, -1), words);
  }
  assert.equal(fs.existsSync('/tmp/pwned'), false);
  await sink.close();
});
