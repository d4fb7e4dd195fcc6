// Table `where:` clauses and `capture.filter` end to end: the packets a table counts are the
// packets tcpdump selects with the same expression (tcpdump is the oracle).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { listFiles, readCSV, spanwatch, tempDir } from './support/cli.js';
import { REAL_PCAPS } from './support/paths.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function tcpdumpCount(file: string, expr: string): number {
  const out = execFileSync('tcpdump', ['-r', file, '-nn', '-q', expr], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => /^\d/.test(l)).length;
}

/** Sum of the packets column over every interval CSV of a table. */
function tablePackets(reports: string, table: string): number {
  const root = path.join(reports, 'tables', table);
  return listFiles(root)
    .filter((f) => f !== 'latest.csv')
    .flatMap((f) => readCSV(path.join(root, f)))
    .reduce((n, row) => n + Number(row.packets), 0);
}

const CASES: [capture: string, where: string][] = [
  ['dhcp-rfc4388.pcap', 'udp port 67 or udp port 68'],
  ['dhcp-rfc4388.pcap', 'icmp[icmptype] == icmp-echo or arp'],
  ['isakmp4500.pcap', 'udp and (port 500 or port 4500) and not host 10.0.0.1'],
  ['ssh.pcap', 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0'],
  ['ldp-common-session.pcap', 'vlan and udp'],
];

test('a table counts exactly the packets tcpdump selects with its where clause', () => {
  for (const [capture, where] of CASES) {
    const file = path.join(REAL_PCAPS, capture);
    const cfg = path.join(dir, 'where.yaml');
    // The key is the sensor only, so every selected packet is counted (none lacks the field).
    fs.writeFileSync(cfg, `tables:\n  - name: sel\n    key: [sensor]\n    where: ${JSON.stringify(where)}\n`);
    const reports = path.join(dir, `where-${capture}-${CASES.findIndex((c) => c[1] === where)}`);
    const r = spanwatch(['run', '--read', file, '--config', cfg, '--reports', reports, '--summary', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const expected = tcpdumpCount(file, where);
    assert.ok(expected > 0, `${capture} '${where}' selects nothing: a weak case`);
    assert.equal(tablePackets(reports, 'sel'), expected, `${capture}: ${where}`);
  }
});

test('capture.filter drops what tcpdump would not capture, before any table', () => {
  const file = path.join(REAL_PCAPS, 'dhcp-rfc4388.pcap');
  const filter = 'not arp and not icmp';
  const cfg = path.join(dir, 'capture.yaml');
  fs.writeFileSync(cfg, `capture:\n  filter: ${JSON.stringify(filter)}\ntables:\n  - name: all\n    key: [sensor]\n`);
  const reports = path.join(dir, 'capture');
  const r = spanwatch(['run', '--read', file, '--config', cfg, '--reports', reports, '--summary', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  const kept = tcpdumpCount(file, filter);
  assert.equal(s.filtered_out, s.packets - kept);
  assert.equal(tablePackets(reports, 'all'), kept);
});
