// Live capture errors and least privilege: a missing interface or permission is one line and
// exit 3; root without run_as is refused; with run_as the daemon drops to that user once the
// capture is open (checked in /proc while it runs) and writes files others cannot read.
// Also `spanwatch interfaces` and `spanwatch status`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { spanwatch, tempDir } from './support/cli.js';
import { REPO } from './support/paths.js';
import { intervalFiles, startDaemon, udpPeer } from './live-support.js';

const ROOT = process.getuid?.() === 0;
const SKIP = ROOT ? false : 'live capture needs root (CI runs as root)';
const SETPRIV = spawnSync('setpriv', ['--version']).status === 0;
const NOBODY = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
const NOBODY_UID = NOBODY.status === 0 ? Number(NOBODY.stdout.trim()) : null;
const NOGROUP = spawnSync('getent', ['group', 'nogroup'], { encoding: 'utf8' }).status === 0 ? 'nogroup' : 'nobody';

test('an interface that does not exist: one line naming it, exit 3', { skip: SKIP }, () => {
  const r = spanwatch(['run', '-i', 'nosuchif0', '--stay-root', '--reports', path.join(os.tmpdir(), 'spanwatch-never')]);
  assert.equal(r.status, 3);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /no interface "nosuchif0".*spanwatch interfaces/);
});

test('root without run_as is refused unless --stay-root (exit 2)', { skip: SKIP }, () => {
  const r = spanwatch(['run', '-i', 'lo', '--reports', path.join(os.tmpdir(), 'spanwatch-never')], { cwd: os.tmpdir() });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /refusing to capture as root.*run_as.*--stay-root/);
});

test('no capture permission (as nobody): one line saying root or CAP_NET_RAW, exit 3', { skip: SKIP || (!SETPRIV && 'setpriv is not installed') || (NOBODY_UID === null && 'no user nobody') }, () => {
  const tsx = import.meta.resolve('tsx');
  const r = spawnSync(
    'setpriv',
    ['--reuid=nobody', `--regid=${NOGROUP}`, '--clear-groups', process.execPath, '--import', tsx, path.join(REPO, 'src/cli/main.ts'), 'run', '-i', 'lo', '--reports', '/nonexistent'],
    { cwd: '/', encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } },
  );
  assert.equal(r.status, 3, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /no permission to capture on "lo".*root.*CAP_NET_RAW/);
});

test('run_as: the daemon drops to the user once the capture is open; files are 0640; status reads the state file', { skip: SKIP || (NOBODY_UID === null && 'no user nobody'), timeout: 20000 }, async () => {
  const dir = tempDir();
  try {
    fs.chmodSync(dir, 0o755);
    const reports = path.join(dir, 'reports');
    fs.mkdirSync(reports);
    fs.chownSync(reports, NOBODY_UID!, -1);
    const config = path.join(dir, 'spanwatch.yaml');
    fs.writeFileSync(config, `run_as: nobody:${NOGROUP}\ninterval: 2s\ncapture:\n  buffer_size: 4MiB\n  snaplen: 256\ntables:\n  - name: conn\n    key: [client_host, server_host, proto, server_port]\n`);
    fs.chmodSync(config, 0o644);
    const d = startDaemon(['run', '-i', 'lo', '--config', config, '--no-baseline', '--reports', reports], dir);
    await d.waitFor(/capturing on lo .* as nobody/);
    const procStatus = fs.readFileSync(`/proc/${d.child.pid}/status`, 'utf8');
    const uids = /^Uid:\s+(.*)$/m.exec(procStatus)![1]!.split(/\s+/).map(Number);
    assert.deepEqual(uids, [NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID], 'real, effective, saved and fs uid');
    assert.equal(/^CapEff:\s+(\S+)$/m.exec(procStatus)![1], '0000000000000000', 'no capabilities left');
    const udp = await udpPeer();
    await udp.send(3, 20);
    udp.close();
    await d.waitFor(/lo: packets \d+/);
    // While it runs, `spanwatch status` reports it from the state file.
    const st = spanwatch(['status', '--reports', reports]);
    assert.equal(st.status, 0, st.stderr);
    assert.match(st.stdout, new RegExp(`^running \\(pid ${d.child.pid}\\) on lo`));
    assert.match(st.stdout, /packets \d+ \(\d+\/s\) rows \d+ malformed 0 mails_queued 0/);
    d.child.kill('SIGTERM');
    const { code } = await d.exited;
    assert.equal(code, 0, d.stderr());
    const files = intervalFiles(reports, 'conn');
    assert.ok(files.length > 0);
    const rows = files.flatMap((f) => fs.readFileSync(f.file, 'utf8').trim().split('\n').slice(1));
    assert.ok(rows.some((l) => l.startsWith(`127.0.0.1,127.0.0.1,udp,${udp.port},`)), 'the UDP datagrams were counted after the drop');
    for (const f of [files[0]!.file, path.join(reports, 'state', 'status.json')]) {
      const s = fs.statSync(f);
      assert.equal(s.uid, NOBODY_UID, `${f} written as nobody`);
      assert.equal(s.mode & 0o777, 0o640, `${f} mode`);
    }
    assert.equal(fs.statSync(path.dirname(files[0]!.file)).mode & 0o777, 0o750);
    const after = spanwatch(['status', '--reports', reports]);
    assert.equal(after.status, 1);
    assert.match(after.stdout, /^stopped on lo/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('interfaces lists lo with its addresses as the kernel reports them', () => {
  const r = spanwatch(['interfaces', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const list = JSON.parse(r.stdout) as { name: string; addresses: string[]; loopback: boolean }[];
  const lo = list.find((i) => i.name === 'lo');
  assert.ok(lo, 'lo is listed');
  assert.equal(lo.loopback, true);
  // Oracle: libuv's getifaddrs (os.networkInterfaces), not libpcap.
  for (const a of os.networkInterfaces().lo ?? []) assert.ok(lo.addresses.includes(a.cidr!), `${a.cidr} in ${lo.addresses.join(' ')}`);
  assert.ok(list.some((i) => i.name === 'any'));
  const text = spanwatch(['interfaces']);
  assert.match(text.stdout, /^lo\s+\S+\s+loopback 127\.0\.0\.1\/8/m);
});
