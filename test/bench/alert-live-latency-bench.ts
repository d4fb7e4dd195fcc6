// Alert latency end to end, as the admin sees it: `spanwatch run -i lo` (root) has learned
// its baseline; then real TCP connections to servers it has never seen are made at a steady
// pace, and each row's latency is from the connection's first packet (the connect() call)
// to the SMTP server on 127.0.0.1 accepting the mail that names that server's port.
// Prints one JSON object with p50/p99 against the target (batch window + 1 s).
//
//   node --import tsx test/bench/alert-live-latency-bench.ts [--rows 50] [--pace-ms 200] [--window-ms 3000]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { quantileSorted } from 'd3-array';
import { SMTPReceiver } from '../support/smtp-receiver.js';
import { startDaemon, tcpExchange } from '../live-support.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '50' }, 'pace-ms': { type: 'string', default: '200' }, 'window-ms': { type: 'string', default: '3000' } } });
const rows = Number(values.rows);
const paceMs = Number(values['pace-ms']);
const windowMs = Number(values['window-ms']);
if (process.getuid?.() !== 0) {
  process.stdout.write(JSON.stringify({ bench: 'alert-live-latency', skipped: 'needs root to capture on lo' }) + '\n');
  process.exit(0);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
const rx = await SMTPReceiver.start();
const config = path.join(dir, 'spanwatch.yaml');
fs.writeFileSync(
  config,
  `interval: 5s
capture:
  filter: "tcp and not port ${rx.port}"
alerts:
  to: [ops@example.org]
  from: spanwatch@bench.example
  smtp: smtp://127.0.0.1:${rx.port}
  batch_window: ${windowMs / 1000}s
  max_mails_per_hour: 10000
tables:
  - name: conn
    key: [client_host, server_host, proto, server_port]
`,
);
const d = startDaemon(['run', '-i', 'lo', '--config', config, '--stay-root', '--quiet', '--learn', '2s', '--reports', path.join(dir, 'reports'), '--baselines', path.join(dir, 'baselines')], dir);
try {
  await d.waitFor(/capturing on lo /);
  await tcpExchange(); // the first packet starts the learning window
  await d.waitFor(/table conn: learning ended/, 20000);
  // Connection i opens at its scheduled time; its server port is known once it listens.
  const openedAt = new Map<number, number>();
  const start = Date.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < rows; i++) {
    const due = start + i * paceMs;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const t = Date.now();
    pending.push(tcpExchange().then(({ serverPort }) => void openedAt.set(serverPort, t)));
  }
  await Promise.all(pending);
  const acceptedAt = new Map<number, number>();
  const deadline = Date.now() + windowMs + 15_000;
  while (acceptedAt.size < rows && Date.now() < deadline) {
    for (const m of rx.mails) {
      for (const port of openedAt.keys()) {
        if (!acceptedAt.has(port) && new RegExp(`approve conn 127\\.0\\.0\\.1 127\\.0\\.0\\.1 tcp ${port}(?!\\d)`).test(String(m.parsed.text))) acceptedAt.set(port, m.at);
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const lat = [...acceptedAt].map(([port, at]) => at - openedAt.get(port)!).sort((a, b) => a - b);
  const p99 = quantileSorted(lat, 0.99) ?? null;
  process.stdout.write(
    JSON.stringify({
      bench: 'alert-live-latency',
      measured_from: 'connect() of a new TCP connection on lo (its SYN is the row\'s first packet)',
      measured_to: 'SMTP server accepted the mail naming the row',
      rows,
      rows_mailed: lat.length,
      mails: rx.mails.length,
      pace_ms: paceMs,
      batch_window_ms: windowMs,
      p50_ms: quantileSorted(lat, 0.5) ?? null,
      p99_ms: p99,
      max_ms: lat[lat.length - 1] ?? null,
      target_p99_ms: windowMs + 1000,
      pass: lat.length === rows && p99 !== null && p99 <= windowMs + 1000,
    }) + '\n',
  );
} finally {
  d.child.kill('SIGTERM');
  await d.exited;
  await rx.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
