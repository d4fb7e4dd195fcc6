// pcapng by hand: two sections in different byte orders, interfaces with different link
// types, if_tsresol (10^-k and 2^-k) and if_tsoffset, EPB, SPB, obsolete PB and blocks to
// skip. Expected values are computed here with BigInt from the ticks written, and checked
// against tshark reading the same file. Also: exact tick splitting, corrupt/cut blocks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TickResolution, TickSplitter } from '../src/source/pcapng-time.js';
import { Bytes, type Pkt, epoch, fill, readAll, tempDir, tsharkCount, tsharkFrames } from './source-helpers.js';

const LE = true;
const BE = false;

function block(le: boolean, type: number, body: Buffer): Buffer {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  return new Bytes(le).u32(type).u32(total).raw(body).pad4().u32(total).bytes();
}
function opt(le: boolean, code: number, value: Buffer): Buffer {
  return new Bytes(le).u16(code).u16(value.length).raw(value).pad4().bytes();
}
const END_OPT = (le: boolean): Buffer => new Bytes(le).u16(0).u16(0).bytes();
function shb(le: boolean): Buffer {
  return block(le, 0x0a0d0d0a, new Bytes(le).u32(0x1a2b3c4d).u16(1).u16(0).i64(-1n).bytes());
}
function idb(le: boolean, linkType: number, snapLen: number, tsresol?: number, tsoffset?: bigint): Buffer {
  const b = new Bytes(le).u16(linkType).u16(0).u32(snapLen);
  if (tsresol !== undefined) b.raw(opt(le, 9, Buffer.from([tsresol])));
  if (tsoffset !== undefined) b.raw(opt(le, 14, new Bytes(le).i64(tsoffset).bytes()));
  if (tsresol !== undefined || tsoffset !== undefined) b.raw(END_OPT(le));
  return block(le, 1, b.bytes());
}
function epb(le: boolean, ifId: number, ticks: bigint, wirelen: number, data: Buffer): Buffer {
  const b = new Bytes(le).u32(ifId).u32(Number(ticks >> 32n)).u32(Number(ticks & 0xffffffffn));
  return block(le, 6, b.u32(data.length).u32(wirelen).raw(data).pad4().bytes());
}
function pb(le: boolean, ifId: number, ticks: bigint, wirelen: number, data: Buffer): Buffer {
  const b = new Bytes(le).u16(ifId).u16(0).u32(Number(ticks >> 32n)).u32(Number(ticks & 0xffffffffn));
  return block(le, 2, b.u32(data.length).u32(wirelen).raw(data).pad4().bytes());
}
function spb(le: boolean, wirelen: number, data: Buffer): Buffer {
  return block(le, 3, new Bytes(le).u32(wirelen).raw(data).pad4().bytes());
}

interface Built {
  file: Buffer;
  /** Byte offset of each block, by label. */
  at: Record<string, number>;
  expected: Omit<Pkt, 'data'>[];
  data: Buffer[];
}

/** The two-section file; every expected value is derived from the ticks written. */
function build(): Built {
  const parts: [string, Buffer][] = [];
  const expected: Omit<Pkt, 'data'>[] = [];
  const data: Buffer[] = [];
  const add = (label: string, b: Buffer): void => void parts.push([label, b]);
  const pkt = (p: Omit<Pkt, 'data'>, d: Buffer): void => {
    expected.push(p);
    data.push(d);
  };

  // Section A, little-endian.
  add('shbA', shb(LE));
  add('idbA0', idb(LE, 1, 64, 9)); // Ethernet, snaplen 64, nanoseconds
  add('idbA1', idb(LE, 113, 0, 0x80 | 10, 100n)); // SLL, 2^-10 s, +100 s
  const t1 = 5_000_000_000n * 1_000_000_000n + 987_654_321n; // year 2128, past 2106
  const d1 = fill(60, 1);
  add('epb1', epb(LE, 0, t1, 60, d1));
  pkt({ caplen: 60, wirelen: 60, linkType: 1, sec: 5_000_000_000, nsec: 987_654_321 }, d1);
  add('unknown', block(LE, 0x00000bad, Buffer.from('skip me!!!')));
  const t2 = 1_700_000_000n * 1024n + 513n;
  const d2 = fill(42, 2);
  add('epb2', epb(LE, 1, t2, 1500, d2));
  const ns2 = Number((513n * 1_000_000_000n) / 1024n); // 500976562 (floor of .5)
  pkt({ caplen: 42, wirelen: 1500, linkType: 113, sec: 1_700_000_100, nsec: ns2 }, d2);
  const d3 = fill(64, 3); // wire length 100, snaplen 64: only 64 bytes in the block
  add('spb', spb(LE, 100, d3));
  pkt({ caplen: 64, wirelen: 100, linkType: 1, sec: 1_700_000_100, nsec: ns2 }, d3); // previous packet's time
  const t4 = 1_700_000_001n * 1024n + 1023n;
  const d4 = fill(30, 4);
  add('pb', pb(LE, 1, t4, 30, d4));
  pkt({ caplen: 30, wirelen: 30, linkType: 113, sec: 1_700_000_101, nsec: Number((1023n * 1_000_000_000n) / 1024n) }, d4);
  add('isb', block(LE, 5, new Bytes(LE).u32(0).u32(0).u32(0).bytes()));

  // Section B, big-endian, fresh interfaces.
  add('shbB', shb(BE));
  add('idbB0', idb(BE, 101, 65535)); // raw IP, default microseconds
  add('idbB1', idb(BE, 228, 65535, 3, -10n)); // IPv4, milliseconds, -10 s
  const d5 = fill(20, 5);
  add('epb5', epb(BE, 1, 1_600_000_000_123n, 10, d5)); // wire length below caplen
  pkt({ caplen: 20, wirelen: 20, linkType: 228, sec: 1_600_000_000 - 10, nsec: 123_000_000 }, d5);
  const d6 = fill(33, 6);
  add('epb6', epb(BE, 0, 1_650_000_000_654_321n, 33, d6));
  pkt({ caplen: 33, wirelen: 33, linkType: 101, sec: 1_650_000_000, nsec: 654_321_000 }, d6);
  add('nrb', block(BE, 4, new Bytes(BE).u16(0).u16(0).bytes()));
  const d7 = fill(21, 7);
  add('epb7', epb(BE, 1, 1_600_000_001_999n, 21, d7));
  pkt({ caplen: 21, wirelen: 21, linkType: 228, sec: 1_600_000_001 - 10, nsec: 999_000_000 }, d7);

  const at: Record<string, number> = {};
  let off = 0;
  for (const [label, b] of parts) {
    at[label] = off;
    off += b.length;
  }
  return { file: Buffer.concat(parts.map(([, b]) => b)), at, expected, data };
}

function withFile<T>(bytes: Buffer, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = tempDir();
  const file = path.join(dir, 'hand.pcapng');
  fs.writeFileSync(file, bytes);
  return fn(file).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}

test('hand-built two-section pcapng: every field of every packet', async () => {
  const b = build();
  await withFile(b.file, async (file) => {
    const r = await readAll(file);
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(
      r.packets.map(({ data: _d, ...rest }) => rest),
      b.expected,
    );
    r.packets.forEach((p, i) => assert.deepEqual(p.data, b.data[i], `packet ${i + 1} bytes`));
    assert.equal(r.stats.records, 7);
    assert.equal(r.stats.offset, b.file.length);
    assert.deepEqual(
      [...r.stats.perLinkType].sort((x, y) => x[0] - y[0]),
      [
        [1, 2],
        [101, 1],
        [113, 2],
        [228, 2],
      ],
    );

    // tshark reads the same file; it gives SPBs no time and keeps len < caplen, so skip those
    // fields there. It lists the unknown block as a frame without an interface: left out.
    const ts = tsharkFrames(file).filter((f) => f.iface !== '');
    assert.equal(ts.length, 7);
    r.packets.forEach((p, i) => {
      const w = ts[i]!;
      assert.equal(p.caplen, w.caplen, `packet ${i + 1} caplen vs tshark`);
      if (i !== 2) assert.equal(epoch(p), w.time, `packet ${i + 1} time vs tshark`);
      if (i !== 4) assert.equal(p.wirelen, w.len, `packet ${i + 1} len vs tshark`);
    });
  });
});

test('tick splitting is exact (checked against BigInt) for decimal and binary resolutions', () => {
  const sp = new TickSplitter();
  let seed = 12345;
  const rnd32 = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  const resols = [0, 1, 3, 6, 9, 10, 11, 12, 15, 0x80, 0x8a, 0x94, 0x9e, 0xa0, 0xa1, 0xa8];
  for (const r of resols) {
    const res = new TickResolution(r);
    const units = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
    for (let i = 0; i < 2000; i++) {
      // Mix small, typical and huge (past 2106) tick counts.
      const high = i % 3 === 0 ? rnd32() : i % 3 === 1 ? rnd32() & 0x1fffff : 0xffffffff - (rnd32() & 0xff);
      const low = rnd32();
      sp.split(high, low, res);
      const ticks = (BigInt(high) << 32n) | BigInt(low);
      const sec = ticks / units;
      const nsec = ((ticks % units) * 1_000_000_000n) / units;
      assert.equal(BigInt(sp.nsec), nsec, `resol ${r} ticks ${ticks} nsec`);
      if (sec <= BigInt(Number.MAX_SAFE_INTEGER)) assert.equal(BigInt(sp.sec), sec, `resol ${r} ticks ${ticks} sec`);
    }
  }
});

test('pcapng corruption: bad length, trailer mismatch, undefined interface, bad byte-order magic', async () => {
  const b = build();
  const cases: [string, (f: Buffer) => void, number, RegExp][] = [
    // [label of the damaged block, damage, record number, message]
    ['epb2', (f) => f.writeUInt32LE(f.readUInt32LE(b.at.epb2! + 4) + 2, b.at.epb2! + 4), 2, /not a multiple of 4/],
    ['epb2', (f) => f.writeUInt32LE(999, b.at.spb! - 4), 2, /trailing length 999 does not match/],
    ['epb1', (f) => f.writeUInt32LE(2, b.at.epb1! + 8), 1, /undefined interface 2 \(section has 2\)/],
    ['epb6', (f) => f.writeUInt32BE(7, b.at.epb6! + 8), 6, /undefined interface 7/],
    ['shbB', (f) => f.writeUInt32BE(0x11223344, b.at.shbB! + 8), 5, /byte-order magic 0x11223344/],
    ['epb1', (f) => f.writeUInt32LE(0x7ffffff0, b.at.epb1! + 4), 1, /absurdly large/],
    ['epb2', (f) => f.writeUInt32LE(200, b.at.epb2! + 20), 2, /caplen 200 runs past its block/],
  ];
  for (const [label, damage, record, msg] of cases) {
    const f = Buffer.from(b.file);
    damage(f);
    await withFile(f, async (file) => {
      const r = await readAll(file);
      assert.ok(r.error, `${label}: expected an error`);
      assert.match(r.error.message, msg);
      assert.equal(r.error.offset, b.at[label], `${label}: offset`);
      assert.equal(r.error.record, record, `${label}: record`);
      assert.equal(r.packets.length, record - 1, `${label}: packets before`);
      assert.deepEqual(
        r.packets.map((p) => p.data),
        b.data.slice(0, record - 1),
      );
    });
  }
});

test('pcapng cut at several points: error names the cut block, earlier packets delivered', async () => {
  const b = build();
  const cuts: [number, string, number][] = [
    // [cut length, label of the block cut, packets before it]
    [10, 'shbA', 0], // inside the first SHB header
    [b.at.idbA1! + 6, 'idbA1', 0], // inside a block header
    [b.at.epb2! + 30, 'epb2', 1], // inside an EPB body
    [b.at.shbB! + 20, 'shbB', 4], // inside the second section header
    [b.file.length - 2, 'epb7', 6], // inside the trailing length of the last block
  ];
  for (const [len, label, before] of cuts) {
    await withFile(b.file.subarray(0, len), async (file) => {
      const r = await readAll(file);
      assert.ok(r.error, `cut at ${len}: expected an error`);
      assert.match(r.error.message, /cut off at end of file/);
      assert.equal(r.error.offset, b.at[label], `cut at ${len}: offset`);
      assert.equal(r.error.record, before + 1, `cut at ${len}: record`);
      assert.equal(r.packets.length, before);
      if (len > 12) assert.equal(tsharkCount(file), before, `cut at ${len}: tshark reads as many`);
    });
  }
  // A cut exactly between blocks is a clean (shorter) file.
  await withFile(b.file.subarray(0, b.at.shbB!), async (file) => {
    const r = await readAll(file);
    assert.equal(r.error, undefined);
    assert.equal(r.packets.length, 4);
  });
});
