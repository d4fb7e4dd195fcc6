// The time and key printing shortcuts of interval CSVs (and baseline files) against the
// plain forms they replace.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { CountingEngine } from '../src/count/counting-engine.js';
import { HomeNetworks } from '../src/count/home-networks.js';
import { parseKeySpec } from '../src/count/key-part.js';
import { COUNTER_COLUMNS, snapshotRow, sortByKey, type TableSnapshot } from '../src/count/table-snapshot.js';
import { isoTime, parseIsoTime } from '../src/interval/iso-time.js';
import { ByteBuilder } from '../src/report/byte-builder.js';
import { snapshotToCSV } from '../src/report/csv-format.js';
import { CaptureFileSource } from '../src/source/capture-file.js';
import { REAL_PCAPS } from './support/paths.js';

test('isoTime and ByteBuilder print exactly what toISOString prints, fractional, pre-1970 and six-digit years included', () => {
  let seed = 12345;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const samples = [0, 999, 1000, 1000.9999, -1, -0.5, -1000.25, 1_709_510_400_000.123, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_001, 8.64e15];
  for (let i = 0; i < 20_000; i++) samples.push(1_709_510_400_000 + random() * 600_000); // one interval's worth
  for (let i = 0; i < 2_000; i++) samples.push((random() - 0.3) * 4e12);
  for (const ms of samples) {
    assert.equal(isoTime(ms), new Date(ms).toISOString(), `ms ${ms}`);
    const bytes = new ByteBuilder(8); // and as bytes, growing its buffer on the way
    bytes.iso(ms);
    bytes.uint(Math.abs(Math.trunc(ms)));
    assert.equal(bytes.finish().toString(), new Date(ms).toISOString() + String(Math.abs(Math.trunc(ms))), `ms ${ms} as bytes`);
  }
  assert.throws(() => isoTime(Number.NaN), RangeError);
});

test('parseIsoTime reads back what isoTime prints, agrees with Date.parse, and refuses days that do not exist', () => {
  let seed = 777;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < 20_000; i++) {
    const ms = Math.floor((random() - 0.3) * 4e12);
    assert.equal(parseIsoTime(isoTime(ms)), ms, isoTime(ms));
  }
  for (const text of ['0000-01-01T00:00:00.000Z', '0099-12-31T23:59:59.999Z', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00.5Z', '2026-11-01T00:00:00.123456789Z', '2024-02-29T23:59:59Z']) {
    assert.equal(parseIsoTime(text), Date.parse(text), text);
  }
  // Date.parse rolls these over into another day; a hand edit saying them is a mistake.
  for (const text of ['2026-02-29T00:00:00Z', '2026-02-30T00:00:00Z', '2026-04-31T00:00:00Z', '2026-01-01T24:00:00Z', '1900-02-29T00:00:00Z']) {
    assert.ok(Number.isFinite(Date.parse(text)), text);
    assert.equal(parseIsoTime(text), null, text);
  }
  for (const text of ['', 'yesterday', '2026-13-01T00:00:00Z', '2026-11-01T00:00:60Z', '2026-11-01 00:00:00Z', '2026-11-01T00:00:00.Z', '2026-11-01T00:00:00.1234567890Z', '2026-11-01T00:00:00', '+2026-11-01T00:00:00Z']) {
    assert.equal(parseIsoTime(text), null, text);
  }
});

// Sensor names that need quotes and escapes in CSV, and edge cases of the unquoted path.
const SENSORS = ['edge,"1"\n=cmd', '', '-1', '=SUM(A1)', 'tab\there', 'café', 'a"b', 'cr\rlf'];

test('interval CSVs equal csv-stringify run over every field, for every field kind and a hostile sensor name', async () => {
  // Tables over every key field (and a prefix and a port list), counted from real captures
  // (all of ../shared/pcaps/real: IPv4, IPv6, ARP, VLANs, ICMP, …); the sensor name needs quoting and escaping.
  const lists = new Map([['web', [80, 443]]]);
  const specs = [
    ['src_host', 'dst_host/24', 'proto', 'dst_port:web', 'sensor'],
    ['client_host', 'server_host', 'server_port', 'direction'],
    ['src_mac', 'dst_mac', 'ether_type', 'vlan', 'ttl', 'tcp_flags'],
    ['icmp_type', 'icmp_code', 'src_port', 'arp_op', 'arp_sender_host', 'arp_target_host'],
  ];
  const tables = specs.map((key, i) => ({
    name: `t${i}`,
    parts: key.map((k) => {
      const p = parseKeySpec(k, lists);
      if (typeof p === 'string') throw new Error(p);
      return p;
    }),
    where: null,
  }));
  const snapshots: TableSnapshot[] = [];
  for (const [n, file] of fs.readdirSync(REAL_PCAPS).entries()) {
    const engine = new CountingEngine({
      tables,
      intervalSec: 60,
      servicePorts: [22, 53, 80, 443],
      home: new HomeNetworks([]),
      sensor: SENSORS[n % SENSORS.length]!,
      captureFilter: null,
      onInterval: (s) => snapshots.push(...s),
    });
    await new CaptureFileSource(path.join(REAL_PCAPS, file)).run(engine.handle);
    engine.flush();
  }
  const rows = snapshots.reduce((n, s) => n + s.size, 0);
  assert.ok(rows > 300, `enough rows to compare (${rows})`);
  assert.ok(snapshots.some((s) => s.names.v6.length > 0), 'IPv6 hosts among them');
  for (const s of snapshots) {
    const rows = sortByKey(s, Array.from({ length: s.size }, (_, i) => i)).map((i) => snapshotRow(s, i));
    const records = rows.map((r) => [...r.key, String(r.packets), String(r.bytes), new Date(r.firstSeen).toISOString(), new Date(r.lastSeen).toISOString()]);
    const expected = stringify(records, { header: true, columns: [...s.keyColumns, ...COUNTER_COLUMNS] });
    assert.equal(snapshotToCSV(s).toString('utf8'), expected, `table ${s.table}, interval ${new Date(s.start).toISOString()}`);
  }
});
