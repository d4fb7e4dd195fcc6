// Classic pcap: byte order (files rewritten into the other order here), FCS bits in the link
// type field, and damage at the container level: cuts inside the global header, a record
// header or a record body, an absurd caplen, bad magic. Record offsets come from tshark's
// cap_len of each frame, not from the reader.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MALFORMED, REAL, readAll, tempDir, tsharkCount, tsharkFrames } from './source-helpers.js';

/** Rewrites a pcap file into the other byte order: global header fields and record headers. */
function swapPcap(src: Buffer): Buffer {
  const out = Buffer.from(src);
  const le = src.readUInt32LE(0) === 0xa1b2c3d4 || src.readUInt32LE(0) === 0xa1b23c4d;
  const r32 = (i: number): number => (le ? src.readUInt32LE(i) : src.readUInt32BE(i));
  const r16 = (i: number): number => (le ? src.readUInt16LE(i) : src.readUInt16BE(i));
  const w32 = (v: number, i: number): void => void (le ? out.writeUInt32BE(v, i) : out.writeUInt32LE(v, i));
  const w16 = (v: number, i: number): void => void (le ? out.writeUInt16BE(v, i) : out.writeUInt16LE(v, i));
  w32(r32(0), 0);
  w16(r16(4), 4);
  w16(r16(6), 6);
  for (const i of [8, 12, 16, 20]) w32(r32(i), i);
  let p = 24;
  while (p + 16 <= src.length) {
    const caplen = r32(p + 8);
    for (const i of [0, 4, 8, 12]) w32(r32(p + i), p + i);
    p += 16 + caplen;
  }
  assert.equal(p, src.length, 'swapPcap walked the whole file');
  return out;
}

/** Byte offset of every record, from tshark's per-frame captured lengths. */
function recordOffsets(file: string): number[] {
  const offs: number[] = [];
  let p = 24;
  for (const f of tsharkFrames(file)) {
    offs.push(p);
    p += 16 + f.caplen;
  }
  assert.equal(p, fs.statSync(file).size);
  return offs;
}

async function withFile<T>(bytes: Buffer, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = tempDir();
  const file = path.join(dir, 'x.pcap');
  fs.writeFileSync(file, bytes);
  try {
    return await fn(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('byte order: a file rewritten into the other order gives the same packets', async () => {
  const files = [
    `${REAL}/pptp.pcap`, // big-endian original
    `${REAL}/dns_tcp.pcap`,
    `${REAL}/tcp-handshake-nano.pcap`, // nanosecond magic
    `${MALFORMED}/timestamp_invalid_micro.pcap`,
  ];
  for (const file of files) {
    const orig = fs.readFileSync(file);
    const swapped = swapPcap(orig);
    assert.notDeepEqual(swapped.subarray(0, 4), orig.subarray(0, 4));
    const a = await readAll(file);
    await withFile(swapped, async (f2) => {
      const b = await readAll(f2);
      assert.equal(b.error, undefined);
      assert.ok(a.packets.length > 0);
      assert.deepEqual(b.packets, a.packets, path.basename(file));
      assert.deepEqual(b.stats, a.stats);
      // And tshark agrees with the swapped file too.
      assert.deepEqual(
        tsharkFrames(f2).map((f) => f.caplen),
        b.packets.map((p) => p.caplen),
      );
    });
  }
});

test('pcap packet bytes are the file bytes after each record header (offsets from tshark)', async () => {
  for (const file of [`${REAL}/pptp.pcap`, `${REAL}/dns_tcp.pcap`]) {
    const bytes = fs.readFileSync(file);
    const offs = recordOffsets(file);
    const r = await readAll(file);
    r.packets.forEach((p, i) => {
      const at = offs[i]! + 16;
      assert.deepEqual(p.data, bytes.subarray(at, at + p.caplen));
    });
  }
});

test('FCS bits in the upper link-type bits are masked off', async () => {
  const orig = fs.readFileSync(`${REAL}/dns_tcp.pcap`);
  const f = Buffer.from(orig);
  f.writeUInt32LE(0x44000001, 20); // FCS length 4 present (LT_FCS_LENGTH_PRESENT) + Ethernet
  await withFile(f, async (file) => {
    const r = await readAll(file);
    assert.equal(r.error, undefined);
    assert.ok(r.packets.every((p) => p.linkType === 1));
    assert.deepEqual([...r.stats.perLinkType], [[1, 11]]);
  });
});

test('pcap cut inside the header, a record header and a record body', async () => {
  const src = `${REAL}/dns_tcp.pcap`;
  const orig = fs.readFileSync(src);
  const offs = recordOffsets(src); // 11 records
  const cuts: [number, number, number, RegExp][] = [
    // [cut length, expected error offset, records before, message]
    [10, 0, 0, /pcap file header cut off \(10 of 24 bytes\)/],
    [24 + 5, 24, 0, /record header cut off at end of file \(5 of 16 bytes\)/],
    [offs[4]! + 8, offs[4]!, 4, /record header cut off/],
    [offs[4]! + 16 + 3, offs[4]!, 4, /record data cut off at end of file \(3 of \d+ bytes\)/],
    [orig.length - 1, offs[10]!, 10, /record data cut off/],
  ];
  for (const [len, offset, before, msg] of cuts) {
    await withFile(orig.subarray(0, len), async (file) => {
      const r = await readAll(file);
      assert.ok(r.error, `cut at ${len}: expected an error`);
      assert.match(r.error.message, msg);
      assert.equal(r.error.offset, offset, `cut at ${len}: offset`);
      assert.equal(r.error.record, before + 1, `cut at ${len}: record`);
      assert.match(r.error.message, new RegExp(`byte offset ${offset}, record ${before + 1}:`));
      assert.equal(r.packets.length, before);
      assert.equal(r.stats.records, before);
      if (len >= 24) assert.equal(tsharkCount(file), before, `cut at ${len}: tshark reads as many`);
    });
  }
  // Cut exactly at a record boundary: a clean, shorter file.
  await withFile(orig.subarray(0, offs[4]!), async (file) => {
    const r = await readAll(file);
    assert.equal(r.error, undefined);
    assert.equal(r.packets.length, 4);
  });
});

test('absurd caplen and bad magic end the run with a CaptureFileError', async () => {
  const src = `${REAL}/dns_tcp.pcap`;
  const orig = fs.readFileSync(src);
  const offs = recordOffsets(src);
  const f = Buffer.from(orig);
  f.writeUInt32LE(0x7fffffff, offs[2]! + 8); // record 3 caplen
  await withFile(f, async (file) => {
    const r = await readAll(file);
    assert.match(r.error?.message ?? '', /caplen 2147483647 is absurdly large/);
    assert.equal(r.error?.offset, offs[2]);
    assert.equal(r.error?.record, 3);
    assert.equal(r.packets.length, 2);
    assert.equal(r.error?.file, file);
  });
  // Below the absurd limit but past the end of the file: a truncation, without a 200 MiB buffer.
  const h = Buffer.from(orig);
  h.writeUInt32LE(200 * 1024 * 1024, offs[2]! + 8);
  await withFile(h, async (file) => {
    const rssBefore = process.memoryUsage().rss;
    const r = await readAll(file);
    assert.match(r.error?.message ?? '', /record data cut off at end of file \(\d+ of 209715200 bytes\)/);
    assert.equal(r.error?.offset, offs[2]);
    assert.equal(r.packets.length, 2);
    assert.ok(process.memoryUsage().rss - rssBefore < 100 * 1024 * 1024, 'no buffer for the bogus length');
  });
  const g = Buffer.from(orig);
  g.writeUInt32BE(0xdeadbeef, 0);
  await withFile(g, async (file) => {
    const r = await readAll(file);
    assert.match(r.error?.message ?? '', /not a pcap or pcapng file \(magic 0xdeadbeef\)/);
    assert.equal(r.packets.length, 0);
  });
});
