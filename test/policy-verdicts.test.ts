// The verdict rule of the policy (src/policy/policy-gate.ts), through `spanwatch run` on
// hand-built captures, with the expected findings worked out by hand from the rule:
// deny wins over allow; a reply is allowed by the mirror of a rule written from the
// client's side, even when it is the row's first packet; a white row turns grey (or black
// with default: deny) at its first packet no rule allows, and only then reaches the
// baseline; and config problems in vars/policy are located down to the column in the rule.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { writePcap, type PacketSpec } from './support/pcap-builder.js';
import { spanwatch, tempDir } from './support/cli.js';

const T = Date.UTC(2026, 10, 2, 9, 0, 0) / 1000;
const MAIL = '192.0.2.25';
const M = { mail: '02:00:00:00:00:25', router: '02:00:00:00:00:01', x: '02:00:00:00:00:99' };

// in: from the router to the mail server; out: the other way; x: a host on its own MAC.
const inbound = (p: Omit<PacketSpec, 'srcMac' | 'dstMac'>): PacketSpec => ({ ...p, srcMac: M.router, dstMac: M.mail });
const outbound = (p: Omit<PacketSpec, 'srcMac' | 'dstMac'>): PacketSpec => ({ ...p, srcMac: M.mail, dstMac: M.router });
const PACKETS: PacketSpec[] = [
  // SMTP caught mid-handshake: the row's first packet is the server's SYN-ACK (a reply).
  outbound({ t: T + 1, src: MAIL, dst: '198.51.100.7', proto: 'tcp', sport: 25, dport: 40000, flags: 'SA' }),
  inbound({ t: T + 1.01, src: '198.51.100.7', dst: MAIL, proto: 'tcp', sport: 40000, dport: 25, flags: 'A' }),
  outbound({ t: T + 1.02, src: MAIL, dst: '198.51.100.7', proto: 'tcp', sport: 25, dport: 40000, flags: 'PA', payload: 20 }),
  // Web to the mail server: no allow rule. Through the router, so the ether rows that were
  // white (SMTP only so far) see their first packet no rule allows.
  inbound({ t: T + 10, src: '10.0.0.5', dst: MAIL, proto: 'tcp', sport: 41000, dport: 80, flags: 'S' }),
  outbound({ t: T + 10.01, src: MAIL, dst: '10.0.0.5', proto: 'tcp', sport: 80, dport: 41000, flags: 'SA' }),
  // Telnet from a host an allow rule names: deny wins.
  { t: T + 20, src: '192.0.2.99', dst: MAIL, proto: 'tcp', sport: 42000, dport: 23, flags: 'S', srcMac: M.x, dstMac: M.mail },
];

function config(def: 'grey' | 'deny', extra = ''): string {
  return [
    'interval: 60s',
    'learn_for: 0',
    'vars: { mail: 192.0.2.25 }',
    'tables:',
    '  - name: conn',
    '    key: [client_host, server_host, proto, server_port]',
    '  - name: ether',
    '    key: [src_mac, dst_mac, ether_type]',
    'policy:',
    '  allow: ["tcp dst port 25 and dst host $mail", "host 192.0.2.99"]',
    '  deny: ["tcp port 23"]',
    `  default: ${def}`,
    extra,
    '',
  ].join('\n');
}

function run(def: 'grey' | 'deny', extra = ''): { kind: string; table: string; key: string; detail?: string; ts: string; first: string }[] {
  const dir = tempDir();
  try {
    writePcap(path.join(dir, 'c.pcap'), PACKETS);
    fs.writeFileSync(path.join(dir, 'spanwatch.yaml'), config(def, extra));
    const r = spanwatch(['run', '--read', 'c.pcap', '--summary', 'none'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const fdir = path.join(dir, 'reports/findings');
    return fs.readdirSync(fdir).flatMap((f) => fs.readFileSync(path.join(fdir, f), 'utf8').trim().split('\n')).map((l) => {
      const f = JSON.parse(l);
      return { kind: f.kind, table: f.table, key: f.key.join(' '), detail: f.detail, ts: f.ts.slice(11, 23), first: f.counters.first_seen.slice(11, 23) };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const at = (s: number): string => new Date((T + s) * 1000).toISOString().slice(11, 23);

test('default grey: white rows silent, rows leaving white reach the baseline then, deny wins', () => {
  const got = run('grey');
  const want = [
    // conn: the web connection is grey → the baseline (no baseline, learn_for 0) → new_row.
    { kind: 'new_row', table: 'conn', key: `10.0.0.5 ${MAIL} tcp 80`, detail: undefined, ts: at(10), first: at(10) },
    // ether: both MAC-pair rows were white (SMTP and its replies) until the web packets.
    { kind: 'new_row', table: 'ether', key: `${M.router} ${M.mail} ipv4`, detail: undefined, ts: at(1.01), first: at(1.01) },
    { kind: 'new_row', table: 'ether', key: `${M.mail} ${M.router} ipv4`, detail: undefined, ts: at(1), first: at(1) },
    // telnet from 192.0.2.99: allowed by `host 192.0.2.99`, denied by `tcp port 23`.
    { kind: 'denied_row', table: 'conn', key: `192.0.2.99 ${MAIL} tcp 23`, detail: 'policy.deny[0] "tcp port 23"', ts: at(20), first: at(20) },
    { kind: 'denied_row', table: 'ether', key: `${M.x} ${M.mail} ipv4`, detail: 'policy.deny[0] "tcp port 23"', ts: at(20), first: at(20) },
  ];
  // new_row is stamped by the differ with the row's first_seen; the rows were white until +10 s.
  assert.deepEqual(got.map((f) => `${f.kind} ${f.table} ${f.key} | ${f.detail ?? ''}`).sort(), want.map((f) => `${f.kind} ${f.table} ${f.key} | ${f.detail ?? ''}`).sort());
  assert.ok(!got.some((f) => f.key.includes('198.51.100.7')), 'the SMTP row whose first packet was a reply stays white');
});

test('default deny: the same rows are black, named policy.default, stamped when they left white', () => {
  const got = run('deny');
  const lines = got.map((f) => `${f.kind} ${f.table} ${f.key} @${f.ts} | ${(f.detail ?? '').split(' ')[0]}`).sort();
  assert.deepEqual(lines, [
    `denied_row conn 10.0.0.5 ${MAIL} tcp 80 @${at(10)} | policy.default`,
    `denied_row conn 192.0.2.99 ${MAIL} tcp 23 @${at(20)} | policy.deny[0]`,
    `denied_row ether ${M.mail} ${M.router} ipv4 @${at(10.01)} | policy.default`,
    `denied_row ether ${M.router} ${M.mail} ipv4 @${at(10)} | policy.default`,
    `denied_row ether ${M.x} ${M.mail} ipv4 @${at(20)} | policy.deny[0]`,
  ].sort());
});

test('policy.tables: a table outside the list is compared with the baseline only, at first sight', () => {
  const got = run('deny', '  tables: [conn]');
  const lines = got.map((f) => `${f.kind} ${f.table} ${f.key} @${f.ts}`).sort();
  assert.deepEqual(lines, [
    `denied_row conn 10.0.0.5 ${MAIL} tcp 80 @${at(10)}`,
    `denied_row conn 192.0.2.99 ${MAIL} tcp 23 @${at(20)}`,
    // No baseline and learn_for 0: every ether row is new at its first packet, policy or not.
    `new_row ether ${M.mail} ${M.router} ipv4 @${at(1)}`,
    `new_row ether ${M.router} ${M.mail} ipv4 @${at(1.01)}`,
    `new_row ether ${M.x} ${M.mail} ipv4 @${at(20)}`,
  ].sort());
});

test('vars and policy problems are reported with file:line:col, down to the column in the rule', () => {
  const dir = tempDir();
  try {
    const lines = [
      'vars:', //                                                  1
      '  mail: 192.0.2.25', //                                    2
      'tables:', //                                               3
      '  - name: conn', //                                        4
      '    key: [proto]', //                                      5
      'policy:', //                                               6
      '  allow:', //                                              7
      '    - "tcp dst port 25 and dst host $mail"', //            8
      '    - "tcp dst port 25 and dst host $mial"', //            9: $mial at rule col 30, file col 7+1+29 = 37
      '    - rule: "tcp port 993 and"', //                        10: `and` at rule col 14, file col 13+14 = 27
      '  deny:', //                                               11
      '    - rule: "tcp port 23"', //                             12
      '      action: { exec: [] }', //                            13: `[]` at col 23
      '  default: black', //                                      14
    ];
    fs.writeFileSync(path.join(dir, 'spanwatch.yaml'), lines.join('\n') + '\n');
    const r = spanwatch(['check'], { cwd: dir });
    assert.equal(r.status, 2);
    const located = r.stderr.trim().split('\n').map((l) => l.split(': ')[0]);
    assert.deepEqual(located, [
      'spanwatch.yaml:9:37 policy.allow[1]:1:30',
      'spanwatch.yaml:10:27 policy.allow[2].rule:1:14',
      'spanwatch.yaml:13:23 policy.deny[0].action.exec',
      'spanwatch.yaml:14:12 policy.default',
    ]);
    assert.match(r.stderr, /policy\.allow\[1\]:1:30: unknown variable '\$mial'/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
