// Direction inference, one scenario per rule of evidence, through the real CLI: a capture
// built packet by packet goes in, the conn table's CSV comes out.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { readCSV, spanwatch, tempDir } from './support/cli.js';
import { writePcap, type PacketSpec } from './support/pcap-builder.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0) / 1000;

/** Runs the default config on the packets; returns conn rows as "client server proto port" → packets. */
function connRows(name: string, packets: PacketSpec[], config?: string): Map<string, number> {
  const pcap = path.join(dir, `${name}.pcap`);
  writePcap(pcap, packets);
  const reports = path.join(dir, `${name}-reports`);
  const args = ['run', '--read', pcap, '--reports', reports, '--summary', 'none', '--interval', '1h'];
  if (config !== undefined) {
    const cfg = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(cfg, config);
    args.push('--config', cfg);
  }
  const r = spanwatch(args);
  assert.equal(r.status, 0, r.stderr);
  const rows = readCSV(path.join(reports, 'tables/conn/latest.csv'));
  return new Map(rows.map((row) => [`${row.client_host} ${row.server_host} ${row.proto} ${row.server_port}`, Number(row.packets)]));
}

test('a TCP handshake orients the whole conversation, even on a high, unlisted port', () => {
  const a = '10.0.0.5';
  const b = '10.0.0.9';
  const rows = connRows('handshake', [
    { t: T0, src: a, dst: b, proto: 'tcp', sport: 40000, dport: 50001, flags: 'S' },
    { t: T0 + 0.1, src: b, dst: a, proto: 'tcp', sport: 50001, dport: 40000, flags: 'SA' },
    { t: T0 + 0.2, src: a, dst: b, proto: 'tcp', sport: 40000, dport: 50001, flags: 'A' },
    // Without the handshake the lower-port rule would make 10.0.0.5:40000 the server.
    { t: T0 + 0.3, src: b, dst: a, proto: 'tcp', sport: 50001, dport: 40000, flags: 'PA', payload: 100 },
  ]);
  assert.deepEqual([...rows], [[`${a} ${b} tcp 50001`, 4]]);
});

test('listeners learned from one handshake orient later packets of other connections', () => {
  const rows = connRows('listener', [
    { t: T0, src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', sport: 45000, dport: 60000, flags: 'S' },
    // A mid-stream packet of another client to the same listener: only rule 2 can orient it
    // (the lower-port rule would pick 10.0.0.3:30000 as the server).
    { t: T0 + 1, src: '10.0.0.2', dst: '10.0.0.3', proto: 'tcp', sport: 60000, dport: 30000, flags: 'A' },
  ]);
  assert.deepEqual([...rows].sort(), [
    ['10.0.0.1 10.0.0.2 tcp 60000', 1],
    ['10.0.0.3 10.0.0.2 tcp 60000', 1],
  ]);
});

test('service ports beat the lower-port rule; the lower port decides otherwise; equal ports go by address', () => {
  const rows = connRows('ports', [
    // 3389 is a service port, 1000 is not: the RDP server is the destination despite the higher port.
    { t: T0, src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp', sport: 1000, dport: 3389, flags: 'A' },
    // Neither is a service port: lower port (7000) is the server's.
    { t: T0 + 1, src: '192.0.2.3', dst: '192.0.2.4', proto: 'udp', sport: 7000, dport: 41000 },
    // Both service ports and equal (NTP 123 ↔ 123): the lower address is the server.
    { t: T0 + 2, src: '192.0.2.20', dst: '192.0.2.10', proto: 'udp', sport: 123, dport: 123 },
    { t: T0 + 3, src: '192.0.2.10', dst: '192.0.2.20', proto: 'udp', sport: 123, dport: 123 },
  ]);
  assert.deepEqual([...rows].sort(), [
    ['192.0.2.1 192.0.2.2 tcp 3389', 1],
    ['192.0.2.20 192.0.2.10 udp 123', 2],
    ['192.0.2.4 192.0.2.3 udp 7000', 1],
  ]);
});

test('configured service_ports replace the built-in list', () => {
  const packets: PacketSpec[] = [{ t: T0, src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp', sport: 1000, dport: 3389, flags: 'A' }];
  const config = 'service_ports: [1000]\ntables:\n  - name: conn\n    key: [client_host, server_host, proto, server_port]\n';
  assert.deepEqual([...connRows('svc-config', packets, config)], [['192.0.2.2 192.0.2.1 tcp 1000', 1]]);
});

test('multicast destinations make the sender the client', () => {
  const rows = connRows('mcast', [{ t: T0, src: '10.1.1.1', dst: '224.0.0.251', proto: 'udp', sport: 5353, dport: 5353 }]);
  assert.deepEqual([...rows], [['10.1.1.1 224.0.0.251 udp 5353', 1]]);
});

test('ICMP: requester is the client, replies map to the request type, errors keep their type', () => {
  const rows = connRows('icmp', [
    { t: T0, src: '10.0.0.5', dst: '8.8.8.8', proto: 'icmp', icmpType: 8 },
    { t: T0 + 0.01, src: '8.8.8.8', dst: '10.0.0.5', proto: 'icmp', icmpType: 0 },
    { t: T0 + 1, src: '10.0.0.1', dst: '10.0.0.5', proto: 'icmp', icmpType: 3, icmpCode: 3 },
    { t: T0 + 2, src: '2001:db8::5', dst: '2001:db8::1', proto: 'icmp6', icmpType: 128 },
    { t: T0 + 2.1, src: '2001:db8::1', dst: '2001:db8::5', proto: 'icmp6', icmpType: 129 },
  ]);
  assert.deepEqual([...rows].sort(), [
    ['10.0.0.5 10.0.0.1 icmp 3', 1],
    ['10.0.0.5 8.8.8.8 icmp 8', 2],
    ['2001:db8::5 2001:db8::1 icmp6 128', 2],
  ]);
});

test('protocols without ports: lower address is the server, server_port 0', () => {
  const rows = connRows('gre', [
    { t: T0, src: '198.51.100.9', dst: '198.51.100.1', proto: 47, payload: 20 },
    { t: T0 + 1, src: '198.51.100.1', dst: '198.51.100.9', proto: 47, payload: 20 },
  ]);
  assert.deepEqual([...rows], [['198.51.100.9 198.51.100.1 47 0', 2]]);
});
