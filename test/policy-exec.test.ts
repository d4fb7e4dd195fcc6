// exec actions (src/policy/exec-action.ts) with real scripts in a temp directory: the command
// runs without a shell and gets the finding as JSON on stdin; a hanging command is killed at
// its timeout; a failing one is logged once and never run again for that finding; a missing
// command is reported, not thrown; and kind actions fire for findings of their kind only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Finding } from '../src/diff/finding.js';
import { ActionRunner } from '../src/policy/exec-action.js';
import { tempDir } from './support/cli.js';

function finding(kind: Finding['kind'], key: string[]): Finding {
  return {
    kind,
    table: 'conn',
    key_fields: ['client_host', 'server_host', 'proto', 'server_port'],
    key,
    counters: { packets: 1, bytes: 40, first_seen: '2026-11-02T09:02:00.000Z', last_seen: '2026-11-02T09:02:00.000Z' },
    ts: '2026-11-02T09:02:00.000Z',
    identifier: `conn|${kind}|${key.join(' ')}`,
    detail: 'policy.deny[0] "tcp port 23"',
  };
}

function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

test('exec: argv without a shell, the finding as JSON on stdin, exit code logged', async () => {
  const dir = tempDir();
  try {
    const out = path.join(dir, 'out');
    // The argument holds shell syntax: with a shell it would run `touch pwned`.
    const cmd = script(dir, 'record.sh', `printf '%s\\n' "$1" > '${out}.arg'; cat > '${out}'`);
    const log: string[] = [];
    const runner = new ActionRunner((m) => log.push(m));
    const f = finding('denied_row', ['203.0.113.66', '192.0.2.25', 'tcp', '23']);
    runner.run({ exec: [cmd, '; touch pwned $(id)'], timeoutMs: 5000 }, f);
    await runner.drain();
    assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')), f);
    assert.equal(fs.readFileSync(`${out}.arg`, 'utf8'), '; touch pwned $(id)\n');
    assert.ok(!fs.existsSync(path.join(process.cwd(), 'pwned')) && !fs.existsSync(path.join(dir, 'pwned')));
    assert.equal(log.length, 1);
    assert.match(log[0]!, /record\.sh.*for conn\|denied_row\|203\.0\.113\.66 192\.0\.2\.25 tcp 23: exit 0 \(\d+ ms\)$/);
    assert.deepEqual(runner.stats, { started: 1, succeeded: 1, failed: 0, dropped: 0 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('exec: a hanging command is killed at its timeout; a failing one is logged once, not retried', async () => {
  const dir = tempDir();
  try {
    const ran = path.join(dir, 'ran');
    const hang = script(dir, 'hang.sh', 'exec sleep 30');
    const fail = script(dir, 'fail.sh', `echo x >> '${ran}'; exit 3`);
    const log: string[] = [];
    const runner = new ActionRunner((m) => log.push(m));
    const started = Date.now();
    runner.run({ exec: [hang], timeoutMs: 300 }, finding('denied_row', ['a']));
    runner.run({ exec: [fail], timeoutMs: 5000 }, finding('denied_row', ['b']));
    runner.run({ exec: [path.join(dir, 'no-such-command')], timeoutMs: 5000 }, finding('denied_row', ['c']));
    await runner.drain();
    const took = Date.now() - started;
    assert.ok(took >= 300 && took < 5000, `drain took ${took} ms`);
    await new Promise((r) => setTimeout(r, 300)); // room for a (wrong) retry to show up
    assert.equal(fs.readFileSync(ran, 'utf8'), 'x\n', 'the failing command ran exactly once');
    assert.equal(log.length, 3, log.join('\n'));
    assert.equal(log.filter((l) => /hang\.sh.*: timed out after 300 ms, killed \(\d+ ms\); not retried$/.test(l)).length, 1);
    assert.equal(log.filter((l) => /fail\.sh.*: exit 3 .*not retried$/.test(l)).length, 1);
    assert.equal(log.filter((l) => /no-such-command.*: failed to start: ENOENT/.test(l)).length, 1);
    assert.deepEqual(runner.stats, { started: 3, succeeded: 0, failed: 3, dropped: 0 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('exec: run() returns at once and kind actions fire only for their kind', async () => {
  const dir = tempDir();
  try {
    const out = path.join(dir, 'kinds');
    const cmd = script(dir, 'kind.sh', `cat >> '${out}'`);
    const runner = new ActionRunner(() => undefined);
    const sink = runner.kindSink({ new_row: { exec: [cmd], timeoutMs: 5000 } });
    const t = performance.now();
    sink.emit(finding('new_row', ['x']));
    sink.emit(finding('denied_row', ['y']));
    sink.emit(finding('new_row', ['z']));
    assert.ok(performance.now() - t < 20, 'emit does not wait for the command');
    assert.equal(fs.existsSync(out), false, 'nothing has run synchronously');
    await runner.drain();
    const ids = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).identifier).sort();
    assert.deepEqual(ids, ['conn|new_row|x', 'conn|new_row|z']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
