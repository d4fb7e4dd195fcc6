// CaptureFileSource against the real tools: every test capture gives the record count and
// encapsulation capinfos reports, the link type the pcaps README lists, and the timestamps
// and lengths tshark prints; stdin reads the same as the file; buffer size does not matter.

import { SHARED_PCAPS } from './support/paths.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CaptureFileSource } from '../src/source/capture-file.js';
import { MALFORMED, REAL, epoch, readAll, tempDir, tsharkFrames } from './source-helpers.js';

const DIRS = [REAL, MALFORMED];
const FILES = DIRS.flatMap((d) => fs.readdirSync(d).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => path.join(d, f)));

/** Wireshark encapsulation names (capinfos -E) for the LINKTYPE_* numbers in our captures. */
const ENCAP_TO_LINKTYPE: Record<string, number> = {
  ether: 1,
  null: 0,
  rawip: 101,
  'linux-sll': 113,
  ipnet: 226,
  rawip4: 228,
  rawip6: 229,
};

/** capinfos -T -r -c -E -M for all files at once: file -> {encap, count}. */
function capinfos(files: string[]): Map<string, { encap: string; count: number }> {
  const out = execFileSync('capinfos', ['-T', '-r', '-c', '-E', '-M', ...files], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const m = new Map<string, { encap: string; count: number }>();
  for (const line of out.split('\n')) {
    const [file, encap, count] = line.split('\t');
    if (file && encap !== undefined && count !== undefined) m.set(file, { encap, count: Number(count) });
  }
  return m;
}

/** The README's `link type` column: "ETHERNET (1)" -> 1, per file name. */
function readmeLinkTypes(): Map<string, number> {
  const text = fs.readFileSync(path.join(SHARED_PCAPS, 'README.md'), 'utf8');
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const lt = /\((\d+)\)$/.exec(cells[3] ?? '');
    if (cells[1] && lt?.[1]) m.set(cells[1], Number(lt[1]));
  }
  return m;
}

test('every real and malformed capture: record count and link type match capinfos and the README', async () => {
  const info = capinfos(FILES);
  const readme = readmeLinkTypes();
  assert.ok(FILES.length >= 100, `expected the ~106 test captures, found ${FILES.length}`);
  for (const file of FILES) {
    const expected = info.get(file);
    assert.ok(expected, `capinfos said nothing about ${file}`);
    const r = await readAll(file);
    const name = path.basename(file);
    assert.equal(r.error, undefined, `${name}: ${r.error?.message}`);
    assert.equal(r.stats.records, expected.count, `${name}: records`);
    assert.equal(r.packets.length, expected.count, `${name}: packets delivered`);
    assert.equal(r.stats.offset, fs.statSync(file).size, `${name}: offset reached`);
    const lt = ENCAP_TO_LINKTYPE[expected.encap];
    assert.notEqual(lt, undefined, `${name}: unmapped encapsulation ${expected.encap}`);
    assert.equal(readme.get(name), lt, `${name}: README link type vs capinfos encapsulation`);
    const want = expected.count > 0 ? [[lt, expected.count]] : [];
    assert.deepEqual([...r.stats.perLinkType], want, `${name}: perLinkType`);
    for (const p of r.packets) {
      assert.ok(p.nsec >= 0 && p.nsec < 1e9 && Number.isInteger(p.nsec), `${name}: nsec ${p.nsec}`);
      assert.ok(p.wirelen >= p.caplen, `${name}: wirelen >= caplen`);
    }
  }
});

const TSHARK_FILES = [
  `${REAL}/tcp-handshake-nano.pcap`,
  `${REAL}/time_2038_overflow.pcap`,
  `${REAL}/time_2106_overflow.pcapng`,
  `${REAL}/nhrp.pcapng`,
  `${REAL}/of13_ericsson.pcapng`,
  `${REAL}/bgp-role.pcapng`,
  `${REAL}/pptp.pcap`,
  `${REAL}/afs.pcap`,
  `${MALFORMED}/quic_handshake_truncated.pcap`,
  `${MALFORMED}/arp-too-long-tha.pcap`,
  `${MALFORMED}/icmp-length-zero.pcapng`,
];

for (const file of TSHARK_FILES) {
  test(`timestamps and lengths of every packet match tshark: ${path.basename(file)}`, async () => {
    const want = tsharkFrames(file);
    const r = await readAll(file);
    assert.equal(r.error, undefined);
    assert.equal(r.packets.length, want.length);
    r.packets.forEach((p, i) => {
      const w = want[i]!;
      assert.equal(epoch(p), w.time, `packet ${i + 1} time`);
      assert.equal(p.caplen, w.caplen, `packet ${i + 1} caplen`);
      assert.equal(p.wirelen, w.len, `packet ${i + 1} len`);
    });
  });
}

test('timestamps past 2038 and 2106 come out whole (README: seconds 2^31 and 2^32)', async () => {
  const a = await readAll(`${REAL}/time_2038_overflow.pcap`);
  assert.equal(a.packets[0]?.sec, 2 ** 31);
  const b = await readAll(`${REAL}/time_2106_overflow.pcapng`);
  assert.equal(b.packets[0]?.sec, 2 ** 32);
  assert.equal(b.packets[0]?.nsec, 0);
});

test('out-of-range fractions are clamped and counted, not fatal', async () => {
  // Record fraction fields (see the README and the bytes): 999999, 1000000, 2147483648 (usec)
  // and 999999999, 1000000000, 2147483648 (nsec); seconds from tshark.
  for (const [file, lastValidNsec] of [
    [`${MALFORMED}/timestamp_invalid_micro.pcap`, 999_999_000],
    [`${MALFORMED}/timestamp_invalid_nano.pcap`, 999_999_999],
  ] as const) {
    const r = await readAll(file);
    assert.equal(r.error, undefined);
    assert.equal(r.stats.badTimestamps, 2);
    const secs = tsharkFrames(file).map((f) => Number(f.time.replace(/^-/, '').split('.')[0]));
    assert.deepEqual(
      r.packets.map((p) => p.nsec),
      [lastValidNsec, lastValidNsec, lastValidNsec],
    );
    assert.deepEqual(r.packets.slice(0, 2).map((p) => p.sec), secs.slice(0, 2));
  }
});

test('orig len far above caplen passes as is (arp-too-long-tha: orig len 262144)', async () => {
  const file = `${MALFORMED}/arp-too-long-tha.pcap`;
  const r = await readAll(file);
  // One record: the file is the 24-byte header, one 16-byte record header and the data.
  assert.equal(r.packets[0]?.caplen, fs.statSync(file).size - 24 - 16);
  assert.equal(r.packets[0]?.wirelen, 262144);
});

test('a tiny read buffer (forcing compaction and growth) reads the same packets', async () => {
  for (const file of [`${REAL}/afs.pcap`, `${REAL}/of13_ericsson.pcapng`, `${REAL}/ipv6_jumbogram_1.pcap`]) {
    const a = await readAll(file);
    for (const chunkSize of [64, 1000]) {
      const b = await readAll(file, { chunkSize });
      assert.equal(b.error, undefined);
      assert.deepEqual(b.packets, a.packets, `${path.basename(file)} with chunkSize ${chunkSize}`);
      assert.equal(b.stats.offset, a.stats.offset);
    }
  }
});

test('totalBytes, onProgress and stop()', async () => {
  const file = `${REAL}/afs.pcap`;
  const size = fs.statSync(file).size;
  const calls: [number, number | undefined][] = [];
  const src = new CaptureFileSource(file, { onProgress: (o, t) => calls.push([o, t]) });
  assert.equal(src.totalBytes, undefined);
  const r = await src.run(() => {});
  assert.equal(src.totalBytes, size);
  assert.deepEqual(calls.at(-1), [size, size]);
  assert.ok(calls.length <= 3, `progress called ${calls.length} times for a 0.5 MB file`);
  assert.equal(r.stats.records, 601);

  const s2 = new CaptureFileSource(file);
  let n = 0;
  const r2 = await s2.run(() => {
    if (++n === 5) s2.stop();
  });
  assert.equal(r2.error, undefined);
  assert.equal(r2.stats.records, 5);
  assert.equal(n, 5);
});

test('a missing file rejects, naming the path', async () => {
  const missing = '/nonexistent/dir/capture.pcap';
  await assert.rejects(new CaptureFileSource(missing).run(() => {}), (e: Error) => {
    assert.match(e.message, /\/nonexistent\/dir\/capture\.pcap/);
    assert.match(e.message, /ENOENT/);
    return true;
  });
});

test('empty and non-capture files end with a clear CaptureFileError', async () => {
  const dir = tempDir();
  try {
    const empty = path.join(dir, 'empty.pcap');
    fs.writeFileSync(empty, '');
    const a = await readAll(empty);
    assert.match(a.error?.message ?? '', /empty file: not a pcap or pcapng file/);
    assert.equal(a.error?.offset, 0);
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'hello world\n');
    const b = await readAll(text);
    assert.match(b.error?.message ?? '', /not a pcap or pcapng file \(magic 0x68656c6c\)/); // "hell"
    assert.equal(b.stats.records, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs a child that reads '-' while `cat FILE` is piped into it; returns its JSON summary. */
function readViaStdin(file: string): Promise<{ records: number; perLinkType: [number, number][]; first: string; last: string; error: string | null }> {
  const srcUrl = new URL('../src/source/capture-file.ts', import.meta.url).href;
  const script = `
    import { CaptureFileSource } from ${JSON.stringify(srcUrl)};
    const src = new CaptureFileSource('-');
    let first = '', last = '';
    const r = await src.run((b, o, c, w, lt, s, ns) => { last = s + '.' + ns; if (!first) first = last; });
    process.stdout.write(JSON.stringify({ records: r.stats.records, perLinkType: [...r.stats.perLinkType], first, last, total: src.totalBytes ?? null, error: r.error ? r.error.message : null }));
  `;
  const cwd = new URL('..', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', 'cat "$1" | node --import tsx --input-type=module -e "$2"', 'sh', file, script], { cwd });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`child exited ${code}: ${err}`));
      else resolve(JSON.parse(out));
    });
  });
}

test("stdin ('-') reads the same records as the file", async () => {
  for (const file of [`${REAL}/afs.pcap`, `${REAL}/of13_ericsson.pcapng`, `${REAL}/ipv6_jumbogram_1.pcap`]) {
    const direct = await readAll(file);
    const viaPipe = await readViaStdin(file);
    assert.equal(viaPipe.error, null);
    assert.equal(viaPipe.records, direct.packets.length);
    assert.deepEqual(viaPipe.perLinkType, [...direct.stats.perLinkType]);
    const f = direct.packets[0]!;
    const l = direct.packets.at(-1)!;
    assert.equal(viaPipe.first, `${f.sec}.${f.nsec}`);
    assert.equal(viaPipe.last, `${l.sec}.${l.nsec}`);
  }
});
