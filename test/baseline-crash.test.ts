// Crash safety: a worker process approves rows one by one and snapshots batches of rows in
// a loop, and is killed with SIGKILL at a random moment, again and again. After every kill
// the store must load (no half-written file, the dead writer's lock is taken over) and
// every row the worker reported as committed must still be approved.
//
// The worker is this same file run with SPANWATCH_CRASH_WORKER set (no test() runs then).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BaselineStore } from '../src/baseline/baseline-store.js';
import { tempDir } from './support/cli.js';

const COLS = ['client_host', 'server_host', 'proto', 'server_port'];
const keyOf = (i: number): string => `10.9.${(i >> 8) & 255}.${i & 255} 192.0.2.1 tcp 443`;

async function worker(dir: string, start: number): Promise<void> {
  const store = new BaselineStore(dir, { waitMs: 5000 });
  for (let i = start; ; i++) {
    const batch = i % 5 === 0 ? Array.from({ length: 300 }, (_, j) => `10.8.${(i >> 4) & 255}.${j & 255} 198.51.100.${j >> 8} udp 53`) : [keyOf(i)];
    await store.update(async () => {
      const tb = store.load('conn', COLS);
      for (const k of batch) tb.rows.set(k, { status: 'approved', firstSeen: NaN, lastSeen: NaN, at: Date.now(), note: i % 5 === 0 ? 'snapshot' : 'approve', line: undefined });
      // A pending row moves into approved, as `approve` does: approved.csv is written first.
      tb.rows.set(`10.7.0.${i & 255} 192.0.2.7 tcp 25`, { status: 'pending', firstSeen: NaN, lastSeen: NaN, at: Date.now() - 1000, note: '', line: undefined });
      await store.write(tb, ['approved', 'pending']);
    });
    process.stdout.write(batch.map((k) => `ok ${k}\n`).join(''));
  }
}

if (process.env.SPANWATCH_CRASH_WORKER) {
  await worker(process.env.SPANWATCH_CRASH_WORKER, Number(process.env.SPANWATCH_CRASH_START ?? 0));
} else {
  test('SIGKILL at random points while approving and snapshotting: the store always loads, nothing approved is lost', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'baselines');
    const committed = new Set<string>();
    let seed = 20261108;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    try {
      for (let round = 0; round < 15; round++) {
        const out = await runAndKill(store, round * 1000, 700 + Math.floor(random() * 900));
        for (const line of out.split('\n')) if (line.startsWith('ok ')) committed.add(line.slice(3));
        const tb = new BaselineStore(store).load('conn', COLS); // throws if a file is torn
        for (const k of committed) assert.equal(tb.rows.get(k)?.status, 'approved', `round ${round}: committed row ${k} is not approved`);
      }
      assert.ok(committed.size > 100, `the workers made progress (${committed.size} rows committed)`);
      const leftovers = fs.readdirSync(path.join(store, 'conn')).filter((f) => !f.endsWith('.csv'));
      assert.ok(leftovers.every((f) => f.includes('.tmp-')), `only temp files of killed writers are left over: ${leftovers.join(', ')}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

function runAndKill(store: string, start: number, killAfterMs: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, SPANWATCH_CRASH_WORKER: store, SPANWATCH_CRASH_START: String(start) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', () => {
      clearTimeout(timer);
      // A line cut by the kill was never reported in full: only whole lines count.
      resolve(out.slice(0, out.lastIndexOf('\n') + 1));
    });
  });
}
