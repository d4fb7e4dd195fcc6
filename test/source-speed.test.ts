// Read-loop speed and event-loop responsiveness on a synthetic capture of small packets.
// The bar is deliberately low (other suites may run in parallel); the measured rate is
// printed as a diagnostic. Counts and timestamps are known from how the file was built.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CaptureFileSource } from '../src/source/capture-file.js';
import { tempDir } from './source-helpers.js';

const N = 500_000;
const CAP = 60;

function buildPcap(file: string): void {
  const rec = 16 + CAP;
  const b = Buffer.alloc(24 + N * rec);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(65535, 16);
  b.writeUInt32LE(1, 20);
  for (let i = 0; i < N; i++) {
    const p = 24 + i * rec;
    b.writeUInt32LE(1_700_000_000 + Math.floor(i / 1000), p);
    b.writeUInt32LE((i % 1000) * 1000, p + 4);
    b.writeUInt32LE(CAP, p + 8);
    b.writeUInt32LE(CAP + (i & 7), p + 12);
  }
  fs.writeFileSync(file, b);
}

test(`read loop: ${N} small records, fast and without starving the event loop`, async (t) => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'many.pcap');
    buildPcap(file);
    let best = 0;
    for (let rep = 0; rep < 3; rep++) {
      let sumCap = 0;
      let sumWire = 0;
      let lastSec = 0;
      let lastNsec = 0;
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const src = new CaptureFileSource(file, { chunkSize: 1 << 20 });
      const t0 = process.hrtime.bigint();
      const r = await src.run((_b, _o, caplen, wirelen, _lt, sec, nsec) => {
        sumCap += caplen;
        sumWire += wirelen;
        lastSec = sec;
        lastNsec = nsec;
      });
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      clearInterval(timer);
      assert.equal(r.error, undefined);
      assert.equal(r.stats.records, N);
      assert.equal(sumCap, N * CAP);
      // wirelen = CAP + (i & 7): the mean of 0..7 is 3.5.
      assert.equal(sumWire, N * CAP + (N / 8) * 28);
      assert.equal(lastSec, 1_700_000_000 + Math.floor((N - 1) / 1000));
      assert.equal(lastNsec, ((N - 1) % 1000) * 1_000_000);
      assert.ok(ticks > 0, 'timers ran while the file was read');
      const rate = N / secs;
      best = Math.max(best, rate);
      t.diagnostic(`run ${rep + 1}: ${(rate / 1e6).toFixed(2)} M records/s, ${ticks} timer ticks`);
    }
    assert.ok(best > 1_000_000, `best ${(best / 1e6).toFixed(2)} M records/s is below 1 M/s`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
