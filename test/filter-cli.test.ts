// `spanwatch filter`: counts what tcpdump counts, writes a pcap that tcpdump reads back with
// the same packets and timestamps, and refuses a bad expression with exit 2 and a caret.
// The command is registered on a bare commander program here (the lead wires it into main).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { REAL_PCAPS, REPO } from './support/paths.js';

const SCRIPT = `
import { Command } from 'commander';
import { registerFilterCommand } from ${JSON.stringify(path.join(REPO, 'src/cli/filter-command.ts'))};
const program = new Command('spanwatch');
registerFilterCommand(program);
await program.parseAsync(process.argv.slice(1), { from: 'user' });
`;

function filterCmd(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, '--', 'filter', ...args],
    { cwd: REPO, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tcpdumpLines(file: string, expr?: string): string[] {
  const out = execFileSync('tcpdump', ['-r', file, '-nn', '-tt', ...(expr ? [expr] : [])], { stdio: ['ignore', 'pipe', 'ignore'] });
  return out.toString().trim().split('\n').filter(Boolean);
}

test('filter --count-only prints what tcpdump counts', () => {
  const file = path.join(REAL_PCAPS, 'bgp-4byte-asn.pcap');
  for (const expr of ['tcp[tcpflags] & tcp-syn != 0', 'arp or port 179 and greater 100']) {
    const r = filterCmd([expr, '--read', file, '--count-only']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), String(tcpdumpLines(file, expr).length), expr);
  }
});

test('filter --write makes a pcap tcpdump reads back with the same packets and timestamps', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
  try {
    for (const [name, expr] of [['tcp-handshake-nano.pcap', 'tcp'], ['babel.pcap', 'udp'], ['ssh.pcap', 'src port 22']] as const) {
      const file = path.join(REAL_PCAPS, name);
      const out = path.join(dir, `${name}.out.pcap`);
      const r = filterCmd([expr, '--read', file, '--write', out]);
      assert.equal(r.status, 0, r.stderr);
      const want = tcpdumpLines(file, expr);
      assert.match(r.stdout, new RegExp(`^${want.length} of \\d+ packets match`));
      assert.ok(want.length > 0);
      // -tt prints seconds.microseconds: same stamps, same decoded packets, same link type.
      assert.deepEqual(tcpdumpLines(out), want, name);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad expression exits 2 with line:column, reason and a caret under the column', () => {
  const r = filterCmd(['tcp and port 99999', '--read', path.join(REAL_PCAPS, 'ssh.pcap')]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'spanwatch: filter:1:14: illegal port number 99999 > 65535\n  tcp and port 99999\n               ^\n');
  assert.equal(r.stdout, '');
});
