// Soak benchmark for live capture (not a test; needs root): a bounded UDP flood on the
// loopback interface at fixed rate steps, while `spanwatch run -i lo` counts it.
//
//   node --import tsx test/bench/live-soak-bench.ts [--seconds 60] [--rates 20000,50000,100000,200000]
//        [--buffer 32MiB] [--size 64]
//
// Per step: a fresh daemon (capture.filter admits only the flood's port), a small C sender
// (compiled here with cc: Node's dgram cannot pace 200k datagrams/s on a shared core) that
// sends exactly rate × seconds datagrams to 127.0.0.1 and to nowhere else, RSS of the daemon
// sampled every second. Captured = packets in the interval CSVs for that flow (spanwatch's own
// output), loss = sent − captured. Prints one JSON object: per step the rate asked and reached,
// captured per second, loss, RSS series; the highest rate with zero loss; whether RSS stayed
// flat (growth over the second half of every step under 5 MiB).

import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCSV } from '../support/cli.js';
import { REPO } from '../support/paths.js';
import { intervalFiles, sleep, startDaemon } from '../live-support.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const SECONDS = Number(arg('seconds', '60'));
const RATES = arg('rates', '20000,50000,100000,200000').split(',').map(Number);
const BUFFER = arg('buffer', '32MiB');
const SIZE = Number(arg('size', '64'));
const MAX_RATE = 1_000_000;

const SENDER_C = String.raw`
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
/* flood PORT RATE SECONDS SIZE: exactly RATE*SECONDS datagrams to 127.0.0.1:PORT, paced. */
int main(int argc, char **argv) {
  if (argc != 5) return 2;
  int port = atoi(argv[1]); double rate = atof(argv[2]), secs = atof(argv[3]); int size = atoi(argv[4]);
  struct sockaddr_in a; memset(&a, 0, sizeof a);
  a.sin_family = AF_INET; a.sin_port = htons(port); a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  /* A bound, never-read sink: the kernel drops quietly when it fills (no ICMP back). */
  int rx = socket(AF_INET, SOCK_DGRAM, 0);
  if (bind(rx, (struct sockaddr *)&a, sizeof a) != 0) { perror("bind"); return 1; }
  int tx = socket(AF_INET, SOCK_DGRAM, 0);
  if (connect(tx, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 1; }
  char buf[1500]; memset(buf, 'x', sizeof buf);
  if (size > (int)sizeof buf) size = sizeof buf;
  long total = (long)(rate * secs), sent = 0, failed = 0;
  struct timespec t0, t; clock_gettime(CLOCK_MONOTONIC, &t0);
  double el = 0;
  while (sent < total) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    el = (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
    long due = (long)(el * rate); if (due > total) due = total;
    if (sent >= due) { struct timespec s = {0, 100000}; nanosleep(&s, NULL); continue; }
    while (sent < due) { if (send(tx, buf, size, 0) == size) sent++; else { failed++; break; } }
  }
  clock_gettime(CLOCK_MONOTONIC, &t);
  el = (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
  printf("{\"sent\":%ld,\"failed\":%ld,\"seconds\":%.3f}\n", sent, failed, el);
  return 0;
}
`;

interface Step {
  rate: number;
  sent: number;
  sender_seconds: number;
  rate_reached: number;
  captured: number;
  captured_per_sec: number;
  loss: number;
  loss_pct: number;
  rss_mib: number[];
  rss_growth_second_half_mib: number;
  loop_delay_max_ms: number | null;
}

async function freePort(): Promise<number> {
  // Below the ephemeral range, so the lower-port rule makes it the server's port.
  for (let p = 20000 + Math.floor(Math.random() * 10000); ; p++) {
    const s = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((r) => {
      s.once('error', () => r(false));
      s.bind(p, '127.0.0.1', () => r(true));
    });
    await new Promise<void>((r) => (ok ? s.close(() => r()) : r()));
    if (ok) return p;
  }
}

function rssMiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

async function runStep(dir: string, sender: string, rate: number): Promise<Step> {
  const port = await freePort();
  const stepDir = fs.mkdtempSync(path.join(dir, `rate-${rate}-`));
  const reports = path.join(stepDir, 'reports');
  const config = path.join(stepDir, 'spanwatch.yaml');
  fs.writeFileSync(
    config,
    `interval: 10s\ncapture:\n  filter: "udp dst port ${port}"\n  buffer_size: ${BUFFER}\n  snaplen: 256\n` +
      `tables:\n  - name: conn\n    key: [client_host, server_host, proto, server_port]\n`,
  );
  const d = startDaemon(['run', '-i', 'lo', '--config', config, '--stay-root', '--no-baseline', '--quiet', '--reports', reports], stepDir);
  await d.waitFor(/capturing on lo /);
  await sleep(500);
  const pid = d.child.pid!;
  const rss: number[] = [];
  const sampler = setInterval(() => {
    const r = rssMiB(pid);
    if (r !== null) rss.push(r);
  }, 1000);
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(sender, [String(port), String(rate), String(SECONDS), String(SIZE)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let s = '';
    p.stdout.on('data', (b: Buffer) => (s += b.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`sender exited ${code}`))));
  });
  await sleep(1500); // let the ring drain
  clearInterval(sampler);
  d.child.kill('SIGTERM');
  const { code } = await d.exited;
  if (code !== 0) throw new Error(`daemon exited ${code}: ${d.stderr()}`);
  const sent = JSON.parse(out) as { sent: number; seconds: number };
  let captured = 0;
  for (const { file } of intervalFiles(reports, 'conn')) {
    for (const r of readCSV(file)) if (r.proto === 'udp' && r.server_port === String(port)) captured += Number(r.packets);
  }
  let loopMax: number | null = null;
  try {
    loopMax = JSON.parse(fs.readFileSync(path.join(reports, 'state', 'status.json'), 'utf8')).last_interval?.loop_delay_max_ms ?? null;
  } catch {
    // no state file: leave null
  }
  const half = rss.slice(Math.floor(rss.length / 2));
  fs.rmSync(stepDir, { recursive: true, force: true });
  return {
    rate,
    sent: sent.sent,
    sender_seconds: sent.seconds,
    rate_reached: Math.round(sent.sent / sent.seconds),
    captured,
    captured_per_sec: Math.round(captured / sent.seconds),
    loss: sent.sent - captured,
    loss_pct: Math.round(((sent.sent - captured) / Math.max(1, sent.sent)) * 10000) / 100,
    rss_mib: rss,
    rss_growth_second_half_mib: half.length > 1 ? Math.round((half[half.length - 1]! - half[0]!) * 10) / 10 : 0,
    loop_delay_max_ms: loopMax,
  };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('live-soak-bench needs root (capture on lo)');
  if (!(SECONDS > 0 && SECONDS <= 600)) throw new Error('--seconds: 1..600');
  if (RATES.some((r) => !(r > 0 && r <= MAX_RATE))) throw new Error(`--rates: each 1..${MAX_RATE}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-soak-'));
  try {
    const sender = path.join(dir, 'flood');
    fs.writeFileSync(`${sender}.c`, SENDER_C);
    execFileSync('cc', ['-O2', '-o', sender, `${sender}.c`]);
    const steps: Step[] = [];
    for (const rate of RATES) {
      process.stderr.write(`live-soak: ${rate} pps for ${SECONDS} s…\n`);
      steps.push(await runStep(dir, sender, rate));
    }
    const zeroLoss = steps.filter((s) => s.loss === 0).map((s) => s.rate);
    const result = {
      bench: 'live-soak',
      interface: 'lo',
      seconds_per_step: SECONDS,
      buffer_size: BUFFER,
      datagram_payload: SIZE,
      cpus: os.cpus().length,
      steps,
      highest_zero_loss_rate: zeroLoss.length > 0 ? Math.max(...zeroLoss) : null,
      memory_flat: steps.every((s) => s.rss_growth_second_half_mib < 5),
      repo: REPO,
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
