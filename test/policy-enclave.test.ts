// The mail-enclave profile (etc/enclave.yaml) on its bundled capture (test/data/enclave.pcap,
// built by test/data/make-enclave.ts): exactly the injected violations alarm, each once per
// suppression window and naming its rule; the permitted traffic stays silent — in the
// findings log, in the alert mails a real SMTP server receives, and in the deny rule's exec
// action (a real script that records its stdin). The expected violations are the ones the
// generator says it injected, not the run's output.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MAC, TELNET_TIMES, T0, VIOLATIONS, writeEnclavePcap } from './data/make-enclave.js';
import { mailRecords, SMTPReceiver } from './support/smtp-receiver.js';
import { REPO } from './support/paths.js';
import { spanwatch, tempDir } from './support/cli.js';

const TSX = import.meta.resolve('tsx');
const PCAP = path.join(REPO, 'test/data/enclave.pcap');

/** The CLI in a child, without blocking this process (the SMTP server lives here). */
function spanwatchAsync(args: string[], cwd: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, path.join(REPO, 'src/cli/main.ts'), ...args], { cwd, env: { ...process.env, TZ: 'UTC' } }, (err, stdout, stderr) => {
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('the bundled enclave capture is what the generator makes', () => {
  const dir = tempDir();
  try {
    const out = path.join(dir, 'enclave.pcap');
    writeEnclavePcap(out);
    assert.ok(fs.readFileSync(out).equals(fs.readFileSync(PCAP)), 'regenerate with: node --import tsx test/data/make-enclave.ts');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('enclave profile: only the injected violations alarm, once per window, naming their rule; mails and actions agree', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const rx = await SMTPReceiver.start();
  try {
    const got = path.join(dir, 'lockdown.jsonl');
    const script = path.join(dir, 'lockdown.sh');
    fs.writeFileSync(script, `#!/bin/sh\n# args: "$@"\ncat >> '${got}'\n`, { mode: 0o755 });
    const profile = fs.readFileSync(path.join(REPO, 'etc/enclave.yaml'), 'utf8');
    assert.match(profile, /"\/usr\/local\/sbin\/lockdown"/);
    const config = profile.replace('"/usr/local/sbin/lockdown"', JSON.stringify(script)) +
      `alerts:\n  to: [ops@example.org]\n  from: spanwatch@enclave.example.org\n  smtp: smtp://127.0.0.1:${rx.port}\n  batch_window: 1s\n`;
    fs.writeFileSync(path.join(dir, 'spanwatch.yaml'), config);
    const r = await spanwatchAsync(['run', '--read', PCAP, '--summary', 'none'], dir);
    assert.equal(r.status, 0, r.stderr);

    // Findings: one denied_row per violation and window, nothing else.
    const findingsDir = path.join(dir, 'reports/findings');
    const findings = fs.readdirSync(findingsDir).flatMap((f) => fs.readFileSync(path.join(findingsDir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
    assert.ok(findings.every((f) => f.kind === 'denied_row'), JSON.stringify(findings.map((f) => f.kind)));
    const seen = findings.map((f) => `${f.table} ${f.key.join(' ')} | ${String(f.detail).split(' ')[0]}`).sort();
    const expected = VIOLATIONS.flatMap((v) => Array<string>(v.alarms).fill(`${v.table} ${v.key.join(' ')} | ${v.rule}`)).sort();
    assert.deepEqual(seen, expected);
    // The telnet attempts at +120 s and +123 s share a row; +200 s is another interval but inside
    // the 5 min window (suppressed); +460 s is past it and alarms again.
    const telnet = findings.filter((f) => f.key[3] === '23').map((f) => Date.parse(f.ts) / 1000 - T0);
    assert.deepEqual(telnet, [TELNET_TIMES[0], TELNET_TIMES[3]]);
    assert.match(r.stderr, /policy: rows white \d+, grey 0, black 7 \(denied_row 6, suppressed 1\)/);

    // The deny rule's action ran once per telnet alarm, with the finding on stdin.
    const runs = fs.readFileSync(got, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(runs.map((x) => x.identifier), ['conn|denied_row|203.0.113.66 192.0.2.25 tcp 23', 'conn|denied_row|203.0.113.66 192.0.2.25 tcp 23']);
    assert.match(runs[0].detail, /^policy\.deny\[0\] "tcp port 23 or tcp port 3389"$/);
    assert.equal((r.stderr.match(/action .*lockdown\.sh.*: exit 0/g) ?? []).length, 2);

    // Mail: every violation is mailed (urgent), each once — the alert stage suppresses the
    // second telnet alarm by identifier — and nothing permitted is in any mail.
    await rx.waitFor((m) => m.flatMap(mailRecords).length >= VIOLATIONS.length, 10_000);
    const mailed = rx.mails.flatMap(mailRecords);
    const ids = mailed.map((rec) => rec.identifier!).sort();
    assert.deepEqual(ids, VIOLATIONS.map((v) => `${v.table}|denied_row|${v.key.join(' ')}`).sort());
    for (const rec of mailed) {
      const v = VIOLATIONS.find((x) => rec.identifier === `${x.table}|denied_row|${x.key.join(' ')}`)!;
      assert.ok(rec.detail!.startsWith(`${v.rule} `), `${v.what}: ${rec.detail}`);
    }
    assert.ok(rx.mails.every((m) => /^Importance: high$/im.test(m.raw.toString('utf8'))), 'denied rows are urgent');
    assert.ok(!rx.mails.some((m) => /198\.51\.100\.(7|9|11)\b|10\.8\.0\.1\b|10\.9\.0\.1\b|192\.0\.2\.53\b/.test(m.raw.toString('utf8'))), 'nothing permitted is mailed');
    assert.ok(!mailed.some((rec) => rec.src_mac === MAC.mail || rec.src_mac === MAC.router));
  } finally {
    await rx.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('policy test prints per rule packets and rows, and the white, black and grey rows', () => {
  const r = spanwatch(['policy', 'test', '--config', path.join(REPO, 'etc/enclave.yaml'), '--read', PCAP, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const black = out.rows.filter((x: { verdict: string }) => x.verdict === 'black').map((x: { table: string; key: string[]; by: string }) => `${x.table} ${x.key.join(' ')} | ${x.by}`).sort();
  assert.deepEqual(black, VIOLATIONS.map((v) => `${v.table} ${v.key.join(' ')} | ${v.rule}`).sort());
  assert.equal(out.rows.filter((x: { verdict: string }) => x.verdict === 'grey').length, 0);
  // Hand count from the generator: 10 inbound SMTP sessions × 5 client-to-server packets; 4
  // telnet SYNs and 4 RSTs; the SSH rule's 2 sessions × 5.
  const byRule = Object.fromEntries(out.rules.map((x: { rule: string; packets: number; rows: number }) => [x.rule, [x.packets, x.rows]]));
  assert.deepEqual(byRule['policy.allow[1]'], [50, 3]);
  assert.deepEqual(byRule['policy.deny[0]'], [8, 1]);
  assert.deepEqual(byRule['policy.allow[4]'], [10, 1]);
  const text = spanwatch(['policy', 'test', '--config', path.join(REPO, 'etc/enclave.yaml'), '--read', PCAP]);
  assert.match(text.stdout, /^policy\.deny\[0\] +8 +1 +tcp port 23 or tcp port 3389$/m);
  assert.match(text.stdout, /^table arp: 5 rows: white 4, black 1, grey 0$/m);
});

test('with --no-baseline the policy still alarms on exactly the injected violations, and no store is made', () => {
  const dir = tempDir();
  try {
    const profile = fs.readFileSync(path.join(REPO, 'etc/enclave.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'spanwatch.yaml'), profile.replace('"/usr/local/sbin/lockdown"', '"/bin/true"'));
    const r = spanwatch(['run', '--read', PCAP, '--summary', 'none', '--no-baseline'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const findingsDir = path.join(dir, 'reports/findings');
    const findings = fs.readdirSync(findingsDir).flatMap((f) => fs.readFileSync(path.join(findingsDir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
    const seen = findings.map((f) => `${f.kind} ${f.table} ${f.key.join(' ')} | ${String(f.detail).split(' ')[0]}`).sort();
    const expected = VIOLATIONS.flatMap((v) => Array<string>(v.alarms).fill(`denied_row ${v.table} ${v.key.join(' ')} | ${v.rule}`)).sort();
    assert.deepEqual(seen, expected);
    assert.match(r.stderr, /policy: rows white \d+, grey 0, black 7 \(denied_row 6, suppressed 1\)/);
    assert.equal(fs.existsSync(path.join(dir, 'baselines')), false, 'count only: no baseline store');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
