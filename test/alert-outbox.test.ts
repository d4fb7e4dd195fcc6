// The durable outbox against a real SMTP server: a 4xx is retried until accepted, a 5xx is
// kept aside with its reason, STARTTLS + AUTH with a password from password_file, the
// offline .eml outbox, and the `spanwatch alerts test|status` commands.

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { createAlertSink } from '../src/alert/alert-sink.js';
import { listOutbox } from '../src/alert/outbox.js';
import { alertConfig, makeFinding } from './support/alert-driver.js';
import { spanwatch } from './support/cli.js';
import { REPO } from './support/paths.js';
import { SMTPReceiver } from './support/smtp-receiver.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => fs.mkdtempSync(path.join(root, `t${n++}-`));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
// The SMTP receiver lives in this process, so the CLI must run without blocking it (no spawnSync).
function spanwatchAsync(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(REPO, 'src/cli/main.ts'), ...args], { env: { ...process.env, TZ: 'UTC' } }, (err, stdout, stderr) =>
      resolve({ status: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const key = ['10.0.0.5', '198.51.100.7', 'tcp', '443'];

test('a 4xx reply is retried with backoff until the server accepts; the mail arrives once', async () => {
  const rx = await SMTPReceiver.start({ refuse: (i) => (i < 2 ? { code: 451, message: '4.3.0 try again later' } : null) });
  const dir = fresh();
  const sink = createAlertSink({ config: alertConfig({ smtp: `smtp://127.0.0.1:${rx.port}`, batchWindowMs: 100 }), reportsDir: dir, sensor: 's1', log: () => undefined });
  sink.emit(makeFinding(key));
  await rx.waitFor((m) => m.length >= 1, 5000);
  await sleep(300);
  await sink.close();
  await rx.stop();
  assert.equal(rx.refusals, 2);
  assert.equal(rx.mails.length, 1);
  const [e] = listOutbox(path.join(dir, 'outbox'));
  assert.equal(e!.state, 'sent');
  assert.equal(e!.meta!.attempts, 3);
  assert.match(e!.meta!.response!, /^250 /);
});

test('a 5xx rejection is kept aside in failed/ with its reason and shown by alerts status', async () => {
  const rx = await SMTPReceiver.start({ refuse: () => ({ code: 554, message: '5.7.1 rejected by policy' }) });
  const dir = fresh();
  const logged: string[] = [];
  const sink = createAlertSink({ config: alertConfig({ smtp: `smtp://127.0.0.1:${rx.port}`, batchWindowMs: 100 }), reportsDir: dir, sensor: 's1', log: (m) => logged.push(m) });
  sink.emit(makeFinding(key));
  const until = Date.now() + 5000;
  while (sink.outbox.failed === 0 && Date.now() < until) await sleep(20);
  await sink.close();
  await rx.stop();
  assert.equal(rx.refusals, 1, 'not retried');
  const entries = listOutbox(path.join(dir, 'outbox'));
  assert.deepEqual(entries.map((e) => e.state), ['failed']);
  assert.match(entries[0]!.meta!.last_error!, /554 5\.7\.1 rejected by policy/);
  assert.ok(fs.existsSync(entries[0]!.file), 'the message is kept');
  assert.ok(logged.some((l) => l.includes('refused for good')));
  const cfg = path.join(dir, 'spanwatch.yaml');
  fs.writeFileSync(cfg, `reports_dir: ${dir}\ntables:\n  - name: conn\n    key: [proto]\nalerts:\n  to: [ops@example.org]\n  from: spanwatch@s1.example.org\n  smtp: smtp://127.0.0.1:${rx.port}\n`);
  const st = spanwatch(['alerts', 'status', '--config', cfg]);
  assert.equal(st.status, 0, st.stderr);
  assert.match(st.stdout, /1 failed/);
  assert.match(st.stdout, /failed +\S+ +"\[spanwatch s1\] 1 new row in conn" +refused: 554 5\.7\.1 rejected by policy/);
});

test('STARTTLS is required with AUTH; the password comes from password_file', async () => {
  const dir = fresh();
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const rx = await SMTPReceiver.start({ auth: { user: 'alerts', pass: 's3cret pass' }, tls: { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) } });
  const pwFile = path.join(dir, 'pw');
  fs.writeFileSync(pwFile, 's3cret pass\n', { mode: 0o600 });
  const saved = process.env.SPANWATCH_SMTP_PASSWORD;
  delete process.env.SPANWATCH_SMTP_PASSWORD;
  const sink = createAlertSink({
    config: alertConfig({ smtp: `smtp://alerts@127.0.0.1:${rx.port}`, passwordFile: pwFile, caFile: certFile, batchWindowMs: 100 }),
    reportsDir: dir,
    sensor: 's1',
    log: () => undefined,
  });
  if (saved !== undefined) process.env.SPANWATCH_SMTP_PASSWORD = saved;
  sink.emit(makeFinding(key));
  await rx.waitFor((m) => m.length >= 1, 5000);
  await sink.close();
  await rx.stop();
  assert.equal(rx.mails[0]!.user, 'alerts');
  assert.equal(rx.mails[0]!.secure, true, 'upgraded with STARTTLS before AUTH');
});

test('with no smtp, each mail is an .eml file in reports/outbox/', async () => {
  const dir = fresh();
  const sink = createAlertSink({ config: alertConfig({ batchWindowMs: 100 }), reportsDir: dir, sensor: 'sensor1', log: () => undefined });
  sink.emit(makeFinding(key));
  sink.emit(makeFinding(['10.0.0.6', '198.51.100.7', 'tcp', '443']));
  await sink.close();
  const files = fs.readdirSync(path.join(dir, 'outbox')).filter((f) => f.endsWith('.eml'));
  assert.equal(files.length, 1);
  const parsed = await simpleParser(fs.readFileSync(path.join(dir, 'outbox', files[0]!)));
  assert.equal(parsed.subject, '[spanwatch sensor1] 2 new rows in conn');
  assert.ok(parsed.text!.includes('spanwatch baseline approve conn 10.0.0.6 198.51.100.7 tcp 443'));
});

test('spanwatch alerts test sends one mail and prints what the server said', async () => {
  const rx = await SMTPReceiver.start();
  const dir = fresh();
  const cfg = path.join(dir, 'spanwatch.yaml');
  fs.writeFileSync(cfg, `sensor: sensor9\nreports_dir: ${dir}\ntables:\n  - name: conn\n    key: [proto]\nalerts:\n  to: [ops@example.org, second@example.org]\n  from: spanwatch@s9.example.org\n  smtp: smtp://127.0.0.1:${rx.port}\n`);
  const r = await spanwatchAsync(['alerts', 'test', '--config', cfg]);
  await rx.stop();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^sent to ops@example\.org, second@example\.org through smtp:\/\/127\.0\.0\.1:\d+ \(STARTTLS if offered\)\nserver said: 250 /);
  assert.equal(rx.mails.length, 1);
  assert.equal(rx.mails[0]!.parsed.subject, '[spanwatch sensor9] test mail');
  assert.deepEqual(rx.mails[0]!.envelope.to, ['ops@example.org', 'second@example.org']);
  // Server gone: the command says so and exits 1.
  const down = await spanwatchAsync(['alerts', 'test', '--config', cfg]);
  assert.equal(down.status, 1);
  assert.match(down.stdout, /not sent .*\nserver said: .*ECONNREFUSED/);
});
