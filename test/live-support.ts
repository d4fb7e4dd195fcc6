// Helpers for test/live-*.test.ts (not a test itself): runs `spanwatch run -i …` as a
// long-lived child process, and makes loopback traffic that an independent capture
// (tcpdump, read back with tshark) counts too.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO } from './support/paths.js';

const TSX = import.meta.resolve('tsx');

export interface Daemon {
  child: ChildProcess;
  stderr: () => string;
  /** Resolves with the first match of `re` in stderr; rejects after `ms`. */
  waitFor: (re: RegExp, ms?: number) => Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startDaemon(args: readonly string[], cwd: string): Daemon {
  const child = spawn(process.execPath, ['--import', TSX, path.join(REPO, 'src/cli/main.ts'), ...args], {
    cwd,
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const waiters: (() => void)[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      for (const w of waiters.splice(0)) w();
      resolve({ code, signal });
    }),
  );
  const waitFor = (re: RegExp, ms = 15000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in stderr:\n${err}`)), ms);
      const check = (): void => {
        const m = re.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`daemon exited (${child.exitCode}) before ${re}:\n${err}`));
        } else waiters.push(check);
      };
      check();
    });
  return { child, stderr: () => err, waitFor, exited };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** tcpdump on lo writing `file` for `filter`; resolves once it listens. stop() ends it. */
export async function startOracle(file: string, filter: string): Promise<{ stop: () => Promise<void> }> {
  const td = spawn('tcpdump', ['-i', 'lo', '--immediate-mode', '-U', '-n', '-Z', 'root', '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    td.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) resolve();
    });
    td.on('exit', (code) => reject(new Error(`tcpdump exited ${code}: ${err}`)));
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        td.removeAllListeners('exit');
        td.on('exit', () => resolve());
        td.kill('SIGINT');
      }),
  };
}

/** IP lengths of the packets in a capture matching a Wireshark display filter (tshark). */
export function oracleIPLengths(file: string, displayFilter: string): number[] {
  const r = spawnSync('tshark', ['-r', file, '-Y', displayFilter, '-T', 'fields', '-e', 'ip.len'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
}

/** One TCP connection to a fresh server on 127.0.0.1: a request, a reply, both sides close. */
export async function tcpExchange(): Promise<{ serverPort: number; clientPort: number }> {
  const server = net.createServer((sock) => {
    sock.on('data', () => sock.end('pong'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const serverPort = (server.address() as net.AddressInfo).port;
  const client = net.connect(serverPort, '127.0.0.1');
  await new Promise<void>((r) => client.on('connect', r));
  const clientPort = client.localPort!;
  client.write('ping');
  await new Promise<void>((r) => {
    client.on('data', () => undefined);
    client.on('end', () => {
      client.end();
      r();
    });
  });
  await new Promise<void>((r) => client.on('close', () => r()));
  await new Promise<void>((r) => server.close(() => r()));
  return { serverPort, clientPort };
}

/** A UDP "server" port on 127.0.0.1 and a client that sends datagrams of `size` bytes to it. */
export async function udpPeer(): Promise<{ port: number; send: (n: number, size: number) => Promise<void>; close: () => void }> {
  const server = dgram.createSocket('udp4');
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
  const port = server.address().port;
  // UDP has no handshake: spanwatch takes the lower port as the server's (README,
  // Direction rule 5), so the client gets a higher port than the server.
  let client = dgram.createSocket('udp4');
  for (let p = port + 1; ; p++) {
    if (p > 65535) throw new Error('no free UDP port above the server port');
    const ok = await new Promise<boolean>((r) => {
      client.once('error', () => r(false));
      client.bind(p, '127.0.0.1', () => r(true));
    });
    if (ok) break;
    client = dgram.createSocket('udp4');
  }
  return {
    port,
    send: async (n, size) => {
      const payload = Buffer.alloc(size, 0x61);
      for (let i = 0; i < n; i++) await new Promise<void>((r, j) => client.send(payload, port, '127.0.0.1', (e) => (e ? j(e) : r())));
    },
    close: () => {
      client.close();
      server.close();
    },
  };
}

/** Every interval CSV of a table (not latest.csv), by stamp. */
export function intervalFiles(reports: string, table: string): { stampMs: number; file: string }[] {
  const dir = path.join(reports, 'tables', table);
  if (!fs.existsSync(dir)) return [];
  const out: { stampMs: number; file: string }[] = [];
  for (const day of fs.readdirSync(dir)) {
    const d = path.join(dir, day);
    if (!fs.statSync(d).isDirectory()) continue;
    for (const f of fs.readdirSync(d)) {
      const m = /-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.csv$/.exec(f);
      if (m) out.push({ stampMs: Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!), file: path.join(d, f) });
    }
  }
  return out.sort((a, b) => a.stampMs - b.stampMs);
}
