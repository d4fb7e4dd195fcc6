// Live capture on `lo` (needs root, as CI runs): real TCP and UDP sockets while
// `spanwatch run -i lo` runs as a child process. The oracle is tcpdump on the same interface,
// read back with tshark; orientation is checked against the port the server listened on.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { readCSV, tempDir } from './support/cli.js';
import { intervalFiles, oracleIPLengths, sleep, startDaemon, startOracle, tcpExchange, udpPeer } from './live-support.js';

const ROOT = process.getuid?.() === 0;
const SKIP = ROOT ? false : 'live capture needs root (CI runs as root)';

interface Agg {
  packets: number;
  bytes: number;
  rows: Record<string, string>[];
}

function aggregate(reports: string, table: string, match: (r: Record<string, string>) => boolean): Agg {
  const out: Agg = { packets: 0, bytes: 0, rows: [] };
  for (const { file } of intervalFiles(reports, table)) {
    for (const r of readCSV(file)) {
      if (!match(r)) continue;
      out.packets += Number(r.packets);
      out.bytes += Number(r.bytes);
      out.rows.push(r);
    }
  }
  return out;
}

test('TCP and UDP on lo: rows oriented client→server as tcpdump counts them; SIGTERM writes the open interval, exits 0 in < 5 s', { skip: SKIP, timeout: 20000 }, async () => {
  const dir = tempDir();
  try {
    const reports = path.join(dir, 'reports');
    const d = startDaemon(['run', '-i', 'lo', '--interval', '2s', '--stay-root', '--no-baseline', '--reports', reports], dir);
    await d.waitFor(/capturing on lo /);
    const udp = await udpPeer();
    const pcap = path.join(dir, 'oracle.pcap');
    // The TCP port is known only once its server listens: the oracle takes all TCP on lo
    // and the display filter picks the connection afterwards.
    const oracle = await startOracle(pcap, `tcp or (udp port ${udp.port})`);
    const { serverPort, clientPort } = await tcpExchange();
    await udp.send(4, 100);
    await sleep(300);
    await oracle.stop();
    udp.close();
    // Run past at least one boundary, so an interval closes before SIGTERM.
    await d.waitFor(/lo: packets \d+/, 5000);
    const killedAt = Date.now();
    d.child.kill('SIGTERM');
    const { code } = await d.exited;
    const took = Date.now() - killedAt;
    assert.equal(code, 0, d.stderr());
    assert.ok(took < 5000, `exit took ${took} ms`);

    const tcpOracle = oracleIPLengths(pcap, `tcp.port == ${serverPort} && tcp.port == ${clientPort}`);
    assert.ok(tcpOracle.length >= 6, `tcpdump saw the handshake, data and close: ${tcpOracle.length}`);
    const tcp = aggregate(reports, 'conn', (r) => r.proto === 'tcp' && r.server_port === String(serverPort));
    assert.ok(tcp.rows.length > 0, 'the TCP connection is in conn');
    for (const r of tcp.rows) assert.equal(`${r.client_host}>${r.server_host}`, '127.0.0.1>127.0.0.1');
    assert.equal(tcp.packets, tcpOracle.length);
    assert.equal(tcp.bytes, tcpOracle.reduce((a, b) => a + b, 0));
    // The client's ephemeral port never shows as a server port.
    assert.equal(aggregate(reports, 'conn', (r) => r.proto === 'tcp' && r.server_port === String(clientPort)).rows.length, 0);

    const udpOracle = oracleIPLengths(pcap, `udp.dstport == ${udp.port}`);
    assert.equal(udpOracle.length, 4);
    const u = aggregate(reports, 'conn', (r) => r.proto === 'udp' && r.server_port === String(udp.port));
    assert.equal(u.packets, 4);
    assert.equal(u.bytes, 4 * (20 + 8 + 100));
    assert.deepEqual(udpOracle, [128, 128, 128, 128]);

    // Intervals: 2 s apart with no gap (the timer closes them when no packet does); the
    // last one is the interval open at SIGTERM, written partial.
    const files = intervalFiles(reports, 'conn');
    assert.ok(files.length >= 2, `several intervals: ${files.length}`);
    for (let i = 1; i < files.length; i++) assert.equal(files[i]!.stampMs - files[i - 1]!.stampMs, 2000);
    const last = files[files.length - 1]!;
    assert.ok(last.stampMs <= killedAt + 50 && last.stampMs > killedAt - 2100, `last interval ${last.stampMs} holds the SIGTERM time ${killedAt}`);

    // Status line per interval, and the state file after shutdown.
    assert.match(d.stderr(), /lo: packets \d+ \(\d+\/s\) rows \d+ malformed 0 mails_queued 0 unseen \d+ rx_dropped \d+ loop_delay_max \d+ms/);
    const state = JSON.parse(fs.readFileSync(path.join(reports, 'state', 'status.json'), 'utf8'));
    assert.equal(state.state, 'stopped');
    assert.equal(state.device, 'lo');
    assert.equal(state.link_type, 1);
    assert.equal(state.totals.intervals, files.length);
    assert.ok(state.totals.packets >= tcpOracle.length + 4);
    // Nothing was filtered, so the kernel's lo counter and what was seen agree (no loss here).
    assert.equal(state.totals.unseen, 0);
    // Files are not world-readable (umask 027).
    assert.equal(fs.statSync(last.file).mode & 0o007, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGHUP reloads the config at the next boundary: nothing lost, the new table starts whole; a broken config keeps the old one', { skip: SKIP, timeout: 20000 }, async () => {
  const dir = tempDir();
  try {
    const reports = path.join(dir, 'reports');
    const config = path.join(dir, 'spanwatch.yaml');
    const conn = 'interval: 2s\ntables:\n  - name: conn\n    key: [client_host, server_host, proto, server_port]\n';
    fs.writeFileSync(config, conn);
    const d = startDaemon(['run', '-i', 'lo', '--config', config, '--stay-root', '--no-baseline', '--reports', reports], dir);
    await d.waitFor(/capturing on lo /);
    const udp = await udpPeer();
    await udp.send(3, 10);
    fs.writeFileSync(config, conn + '  - name: udp_ports\n    key: [proto, server_port]\n    where: udp\n');
    d.child.kill('SIGHUP');
    const m = await d.waitFor(/SIGHUP: reloaded .* counting with it from (\S+)/);
    const swapAt = Date.parse(m[1]!);
    await udp.send(2, 10); // before the swap: counted by the old engine
    await sleep(Math.max(0, swapAt - Date.now()) + 200);
    await udp.send(5, 10); // after it: in both tables
    fs.writeFileSync(config, 'tables: [ {name: x, key: [no_such_field]} ]\n');
    d.child.kill('SIGHUP');
    await d.waitFor(/reload \(config\) failed, running on as before/);
    await udp.send(1, 10);
    await sleep(200);
    udp.close();
    d.child.kill('SIGTERM');
    const { code } = await d.exited;
    assert.equal(code, 0, d.stderr());

    const port = String(udp.port);
    assert.equal(aggregate(reports, 'conn', (r) => r.proto === 'udp' && r.server_port === port).packets, 3 + 2 + 5 + 1, d.stderr());
    const files = intervalFiles(reports, 'conn');
    for (let i = 1; i < files.length; i++) assert.equal(files[i]!.stampMs - files[i - 1]!.stampMs, 2000, 'no interval twice, none missing');
    const added = intervalFiles(reports, 'udp_ports');
    assert.ok(added.length > 0);
    assert.equal(added[0]!.stampMs, swapAt, 'the new table starts at the boundary');
    assert.equal(aggregate(reports, 'udp_ports', (r) => r.server_port === port).packets, 5 + 1);
    const state = JSON.parse(fs.readFileSync(path.join(reports, 'state', 'status.json'), 'utf8'));
    assert.equal(state.reloads, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGHUP reads the baselines again before the swap: a bad line is named and the daemon runs on; a good file is taken in', { skip: SKIP, timeout: 20000 }, async () => {
  const dir = tempDir();
  try {
    const reports = path.join(dir, 'reports');
    const baselines = path.join(dir, 'baselines');
    const config = path.join(dir, 'spanwatch.yaml');
    const known = await udpPeer();
    const unknown = await udpPeer();
    const approved = (columns: string, row: string): string => `${columns},first_seen,last_seen,approved_at,note\n${row},,,2026-11-01T00:00:00.000Z,known\n`;
    fs.mkdirSync(path.join(baselines, 'conn'), { recursive: true });
    fs.writeFileSync(path.join(baselines, 'conn/approved.csv'), approved('client_host,server_host,proto,server_port', `127.0.0.1,127.0.0.1,udp,${known.port}`));
    const conn = 'interval: 2s\ntables:\n  - name: conn\n    key: [client_host, server_host, proto, server_port]\n';
    fs.writeFileSync(config, conn);
    const d = startDaemon(['run', '-i', 'lo', '--config', config, '--stay-root', '--reports', reports, '--baselines', baselines], dir);
    await d.waitFor(/capturing on lo /);
    await known.send(2, 10);
    // A new table whose baseline has a bad line: the reload names file and line, and the
    // daemon runs on as it was.
    fs.writeFileSync(config, conn + '  - name: udp_ports\n    key: [proto, server_port]\n    where: udp\n');
    fs.mkdirSync(path.join(baselines, 'udp_ports'));
    const ports = path.join(baselines, 'udp_ports/approved.csv');
    fs.writeFileSync(ports, approved('proto,server_port', 'udp,not-a-port'));
    d.child.kill('SIGHUP');
    await d.waitFor(/reload \(config\) failed, running on as before: .*udp_ports\/approved\.csv:2/);
    // Fixed: read, then swapped in at the next boundary, with its one known row.
    fs.writeFileSync(ports, approved('proto,server_port', `udp,${known.port}`));
    d.child.kill('SIGHUP');
    const m = await d.waitFor(/SIGHUP: reloaded .* counting with it from (\S+)/);
    await sleep(Math.max(0, Date.parse(m[1]!) - Date.now()) + 200);
    await known.send(3, 10);
    await unknown.send(3, 10);
    await d.waitFor(new RegExp(`finding new_row udp_ports udp ${unknown.port} `));
    known.close();
    unknown.close();
    d.child.kill('SIGTERM');
    const { code } = await d.exited;
    assert.equal(code, 0, d.stderr());
    assert.equal(aggregate(reports, 'udp_ports', (r) => r.server_port === String(known.port)).packets, 3, d.stderr());
    // The known row is in both baselines: no finding for it in either table.
    assert.doesNotMatch(d.stderr(), new RegExp(`finding \\S+ (conn 127\\.0\\.0\\.1 127\\.0\\.0\\.1 )?(udp_ports )?udp ${known.port} `));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
