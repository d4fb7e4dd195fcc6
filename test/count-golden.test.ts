// Golden scenarios: real captures through the built-in default config (conn + ether tables)
// and through a config with prefix masks and a port list; the whole reports tree must equal
// test/golden/<scenario>. The captures are tcpdump's own test inputs (../shared/pcaps).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { spanwatch, tempDir, readCSV } from './support/cli.js';
import { assertGoldenTree } from './support/golden.js';
import { REAL_PCAPS } from './support/paths.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(name: string, capture: string, extra: string[] = [], config?: string): string {
  const reports = path.join(dir, name);
  const args = ['run', '--read', path.join(REAL_PCAPS, capture), '--reports', reports, '--summary', 'none', ...extra];
  if (config !== undefined) {
    const cfg = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(cfg, config);
    args.push('--config', cfg);
  }
  const r = spanwatch(args);
  assert.equal(r.status, 0, r.stderr);
  return reports;
}

// Alert mails and their state carry message ids and send times: checked apart, below.
const MAIL_FILES = /^(outbox|alerts)\//;

// Several intervals (DHCP, ARP, ICMP over 33 minutes), IPv6 on cooked capture, VLAN tags.
for (const capture of ['dhcp-rfc4388.pcap', 'babel.pcap', 'ldp-common-session.pcap', 'icmpv6.pcap', 'ssh.pcap']) {
  test(`default config on ${capture}`, () => {
    assertGoldenTree(`default-${capture.replace(/\.pcap(ng)?$/, '')}`, run(`default-${capture}`, capture), MAIL_FILES);
  });
}

test('default config: findings after the learning week are mailed to the offline outbox', () => {
  // icmpv6.pcap holds packets from 2012 and from 2013: the second part comes after the
  // default 7-day learning window, so its rows are new.
  const reports = run('default-icmpv6-mail', 'icmpv6.pcap');
  const findings = fs.readFileSync(path.join(reports, 'findings/2013-01-19.jsonl'), 'utf8').trimEnd().split('\n');
  const mails = fs.readdirSync(path.join(reports, 'outbox')).filter((f) => f.endsWith('.eml'));
  assert.equal(mails.length, 1);
  const mail = fs.readFileSync(path.join(reports, 'outbox', mails[0]!), 'utf8');
  assert.match(mail, /^To: root@localhost$/m);
  const tables = new Set(findings.map((l) => JSON.parse(l).table as string));
  assert.deepEqual([...tables].sort(), ['conn', 'ether']);
  // The sensor defaults to the host name.
  assert.match(mail, new RegExp(`^Subject: \\[spanwatch ${os.hostname()}\\] ${findings.length} new rows in conn, ether$`, 'm'));
});

const MASKED = `interval: 1h
port_lists:
  known: [22, 53, 67, 68]
tables:
  - name: nets
    key: [src_host/16/64, dst_host/24/48, proto]
  - name: svc
    key: [server_port:known, proto]
`;

test('prefix masks and a port list with an other bucket', () => {
  const reports = run('masked', 'dhcp-rfc4388.pcap', [], MASKED);
  assertGoldenTree('masked-dhcp-rfc4388', reports);
  // Independently of the golden files: every host is a /16 or /24 network, every port
  // outside the list is "other".
  const nets = readCSV(path.join(reports, 'tables/nets/latest.csv'));
  assert.ok(nets.length > 0);
  for (const row of nets) {
    assert.match(row['src_host/16/64']!, /^\d+\.\d+\.0\.0\/16$|\/64$/);
    assert.match(row['dst_host/24/48']!, /^\d+\.\d+\.\d+\.0\/24$|\/48$/);
  }
  const ports = readCSV(path.join(reports, 'tables/svc/latest.csv')).map((r) => r['server_port:known']);
  assert.ok(ports.every((p) => ['22', '53', '67', '68', 'other'].includes(p!)), ports.join(' '));
});
