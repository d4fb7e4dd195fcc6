// The store's file format, lock, history and saves, tested in-process on hand-written files.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { diffWithSave, loadSave, restoreFrom, saveAs } from '../src/baseline/baseline-saves.js';
import { BaselineStore } from '../src/baseline/baseline-store.js';
import { csvPieces, forEachCSVRecord, formatCSVLine, parseCSV, type CSVRecord } from '../src/baseline/csv-codec.js';
import { HistoryLog } from '../src/baseline/history-log.js';
import { canonicalValue, compareKeys, mergeSorted, sortKeys } from '../src/baseline/key-values.js';
import { parseIPv4, parseIPv6 } from '../src/count/home-networks.js';
import { StoreFormatError, StoreLockedError } from '../src/baseline/store-error.js';
import { StoreLock } from '../src/baseline/store-lock.js';
import { statusFilePieces } from '../src/baseline/store-files.js';
import { newRow, TableBaseline, widenSeen } from '../src/baseline/table-baseline.js';
import { tempDir } from './support/cli.js';

const root = tempDir();
after(() => fs.rmSync(root, { recursive: true, force: true }));
const COLS = ['client_host', 'server_host', 'proto', 'server_port'];
const HEADER = 'client_host,server_host,proto,server_port,first_seen,last_seen,approved_at,note\n';
let n = 0;

function storeWith(files: Record<string, string>): BaselineStore {
  const dir = path.join(root, `s${n++}`);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return new BaselineStore(dir);
}

function refused(files: Record<string, string>, where: RegExp, why: RegExp): void {
  const store = storeWith(files);
  assert.throws(() => store.load('conn', COLS), (err: unknown) => {
    assert.ok(err instanceof StoreFormatError, String(err));
    assert.match(`${err.file}:${err.line}`, where);
    assert.match(err.reason, why);
    return true;
  });
}

test('CSV: quoted fields with commas, quotes and line breaks round-trip, with the line each record starts on', () => {
  const line = formatCSVLine(['a', 'b,c', 'say "hi"', 'two\nlines', ' pad']);
  assert.equal(line, 'a,"b,c","say ""hi""","two\nlines"," pad"\n');
  const recs = parseCSV(`h1,h2\n${line}x,y\n`, 'f.csv');
  assert.deepEqual(recs.map((r) => r.line), [1, 2, 4]);
  assert.deepEqual(recs[1]!.fields, ['a', 'b,c', 'say "hi"', 'two\nlines', ' pad']);
  assert.throws(() => parseCSV('a,"open\n', 'f.csv'), /f\.csv:1: a quoted field is not closed/);
  assert.throws(() => parseCSV('ok\na,b"c\n', 'f.csv'), /f\.csv:2: a quote inside an unquoted field/);
  // Parsed in turns of a few lines each (a big table read while the packet loop runs): the
  // same records, with the same lines, BOM, blank lines and CRLF endings included.
  const text = `\ufeffh1,h2\r\n${line}\n\nx,y\r\n${line}z,"1\n2\n3"\nlast,one`;
  const all: string[] = [];
  forEachCSVRecord(text, 'f.csv', (l, fields) => void all.push(`${l}:${fields.join('|')}`));
  assert.equal(all.length, 6);
  for (const limit of [1, 2, 3, 5]) {
    const got: string[] = [];
    const at = { pos: 0, line: 1 };
    let turns = 0;
    while (!forEachCSVRecord(text, 'f.csv', (l, fields) => void got.push(`${l}:${fields.join('|')}`), at, limit)) turns++;
    assert.deepEqual(got, all, `${limit} lines per turn`);
    assert.ok(turns >= (limit === 1 ? all.length - 1 : 1), `${turns} turns of ${limit}`);
  }
});

test('CSV: a big file is decoded and parsed in pieces of about a MiB that never cut a quoted field', () => {
  // Rows of plain and quoted fields (multi-byte text too); one quoted field with line breaks
  // straddles the first MiB.
  const rows: string[] = [];
  let bytes = 0;
  const add = (r: string): void => {
    rows.push(r);
    bytes += Buffer.byteLength(r);
  };
  for (let i = 0; bytes < (1 << 20) - 40; i++) add(i % 7 === 0 ? `10.0.0.${i % 250},"note, é ${i}"\n` : `10.0.0.${i % 250},plain ${i}\n`);
  add(`10.9.9.9,"a note\nover ${'x'.repeat(80)}\nthree ""lines""\n"\n`);
  for (let i = 0; bytes < 2.5 * (1 << 20); i++) add(`10.1.0.${i % 250},"ü ${i}, and more"\n`);
  const text = rows.join('');
  const pieces = [...csvPieces(Buffer.from(text))];
  assert.ok(pieces.length >= 3, `${pieces.length} pieces`);
  assert.equal(pieces.join(''), text);
  const whole = parseCSV(text, 'f.csv');
  const inPieces: CSVRecord[] = [];
  let line = 1;
  for (const piece of pieces) {
    const at = { pos: 0, line };
    forEachCSVRecord(piece, 'f.csv', (l, fields) => void inPieces.push({ line: l, fields }), at);
    line = at.line;
  }
  assert.equal(inPieces.length, whole.length);
  assert.deepEqual(inPieces, whole);
  assert.ok(whole.some((r) => r.fields[1]!.startsWith('a note\nover')));
});

test('key values typed by hand are checked and put in the form the engine prints', () => {
  assert.deepEqual(canonicalValue('server_host', '2001:DB8:0:0::1'), { value: '2001:db8::1' });
  assert.deepEqual(canonicalValue('client_host/24', '10.1.2.0/24'), { value: '10.1.2.0/24' });
  assert.deepEqual(canonicalValue('proto', '6'), { value: 'tcp' });
  assert.deepEqual(canonicalValue('server_port', '0443'), { value: '443' });
  assert.deepEqual(canonicalValue('server_port:web', 'other'), { value: 'other' });
  assert.deepEqual(canonicalValue('src_mac', '02:AA:00:00:00:01'), { value: '02:aa:00:00:00:01' });
  assert.match((canonicalValue('server_host', '10.0.0.300') as { error: string }).error, /not an IPv4 or IPv6 address/);
  assert.match((canonicalValue('server_port', '70000') as { error: string }).error, /not a port/);
  // Order: addresses numerically, IPv4 before IPv6; numbers numerically; 'other' after ports.
  const keys = ['10.0.0.10 a', '10.0.0.2 a', '2001:db8::1 a', '9.255.255.255 a'];
  assert.deepEqual(sortKeys(keys), ['9.255.255.255 a', '10.0.0.2 a', '10.0.0.10 a', '2001:db8::1 a']);
  assert.deepEqual(sortKeys(['x other', 'x 10', 'x 9', 'x 65535']), ['x 9', 'x 10', 'x 65535', 'x other']);
});

test('a valid hand edit is accepted: unsorted rows, upper-case IPv6, a quoted note, empty seen times', async () => {
  const store = storeWith({
    'conn/approved.csv': HEADER + '10.0.0.9,2001:DB8::5,tcp,443,,,2026-11-01T00:00:00Z,"vendor, CRM"\n10.0.0.2,192.0.2.1,udp,53,2026-11-01T08:00:00.000Z,2026-11-02T08:00:00.000Z,2026-11-01T09:00:00.000Z,\n',
  });
  const tb = store.load('conn', COLS);
  assert.equal(tb.rows.get('10.0.0.9 2001:db8::5 tcp 443')?.note, 'vendor, CRM');
  assert.ok(Number.isNaN(tb.rows.get('10.0.0.9 2001:db8::5 tcp 443')!.firstSeen));
  await store.update(() => store.write(tb, ['approved']));
  // Written back canonical and sorted by key (10.0.0.2 before 10.0.0.9).
  assert.equal(
    fs.readFileSync(path.join(store.dir, 'conn/approved.csv'), 'utf8'),
    HEADER + '10.0.0.2,192.0.2.1,udp,53,2026-11-01T08:00:00.000Z,2026-11-02T08:00:00.000Z,2026-11-01T09:00:00.000Z,\n10.0.0.9,2001:db8::5,tcp,443,,,2026-11-01T00:00:00.000Z,"vendor, CRM"\n',
  );
});

test('a bad hand edit is refused with file:line and the reason', () => {
  refused({ 'conn/approved.csv': 'client_host,server_host,proto,first_seen,last_seen,approved_at,note\n' }, /conn\/approved\.csv:1$/, /header is .* expected "client_host,server_host,proto,server_port,/);
  refused({ 'conn/approved.csv': HEADER + '10.0.0.1,10.0.0.2,tcp,22,,,2026-11-01T00:00:00Z,\n10.0.0.1,10.0.0.2,tcp,,,2026-11-01T00:00:00Z,\n' }, /approved\.csv:3$/, /7 fields; expected 8/);
  refused({ 'conn/approved.csv': HEADER + '\n10.0.0.1,10.0.0.256,tcp,22,,,2026-11-01T00:00:00Z,\n' }, /approved\.csv:3$/, /server_host "10\.0\.0\.256" is not an IPv4 or IPv6 address/);
  refused({ 'conn/approved.csv': HEADER + '10.0.0.1,10.0.0.2,tcp,22,yesterday,,2026-11-01T00:00:00Z,\n' }, /approved\.csv:2$/, /first_seen "yesterday" is not an ISO 8601/);
  refused({ 'conn/approved.csv': HEADER + '10.0.0.1,10.0.0.2,tcp,22,,,2026-11-01T00:00:00Z,\n10.0.0.1,10.0.0.2,TCP,022,,,2026-11-02T00:00:00Z,\n' }, /approved\.csv:3$/, /the same key as line 2/);
  refused({ 'conn/denied.csv': 'client_host,server_host,proto,server_port,first_seen,last_seen,denied_at,note\n10.0.0.1,10.0.0.2,tcp,22,,,,\n' }, /denied\.csv:2$/, /denied_at "" is not an ISO 8601/);
  // A day that does not exist is refused, not rolled over into March as Date.parse would.
  refused({ 'conn/approved.csv': HEADER + '10.0.0.1,10.0.0.2,tcp,22,2026-02-30T08:00:00.000Z,,2026-11-01T00:00:00Z,\n' }, /approved\.csv:2$/, /first_seen "2026-02-30T08:00:00\.000Z" is not an ISO 8601/);
});

test('a rewrite reuses the lines of unchanged rows and writes changed ones anew, canonical either way', async () => {
  // Line 2 is written as the store writes; the others are not, each in one way (upper-case
  // IPv6, a quoted note, a time without milliseconds, a CRLF ending): all come back canonical.
  const store = storeWith({
    'conn/approved.csv':
      HEADER +
      '10.0.0.1,192.0.2.1,udp,53,2026-11-01T08:00:00.000Z,2026-11-01T09:00:00.000Z,2026-11-01T00:00:00.000Z,learned\n' +
      '10.0.0.2,2001:DB8::5,tcp,443,,,2026-11-01T00:00:00.000Z,\n' +
      '10.0.0.3,192.0.2.3,tcp,25,,,2026-11-01T00:00:00.000Z,"vendor, mail"\n' +
      '10.0.0.4,192.0.2.4,tcp,22,2026-11-01T08:00:00Z,,2026-11-01T00:00:00.000Z,\n' +
      '10.0.0.5,192.0.2.5,tcp,80,,,2026-11-01T00:00:00.000Z,web\r\n' +
      '10.0.0.6,192.0.2.6,tcp,21,,,2026-11-01T00:00:00.000Z, blank first\n' +
      '10.0.0.7,192.0.2.7,tcp,20,,,2026-11-01T00:00:00.1Z,\n',
  });
  const tb = store.load('conn', COLS);
  const file = path.join(store.dir, 'conn/approved.csv');
  const expected = (row1Last: string, row2: string): string =>
    HEADER +
    `10.0.0.1,192.0.2.1,udp,53,2026-11-01T08:00:00.000Z,${row1Last},2026-11-01T00:00:00.000Z,learned\n` +
    `10.0.0.2,2001:db8::5,tcp,443,${row2},2026-11-01T00:00:00.000Z,\n` +
    '10.0.0.3,192.0.2.3,tcp,25,,,2026-11-01T00:00:00.000Z,"vendor, mail"\n' +
    '10.0.0.4,192.0.2.4,tcp,22,2026-11-01T08:00:00.000Z,,2026-11-01T00:00:00.000Z,\n' +
    '10.0.0.5,192.0.2.5,tcp,80,,,2026-11-01T00:00:00.000Z,web\n' +
    '10.0.0.6,192.0.2.6,tcp,21,,,2026-11-01T00:00:00.000Z," blank first"\n' +
    '10.0.0.7,192.0.2.7,tcp,20,,,2026-11-01T00:00:00.100Z,\n';
  await store.update(() => store.write(tb, ['approved']));
  assert.equal(fs.readFileSync(file, 'utf8'), expected('2026-11-01T09:00:00.000Z', ','));
  // Seen again: the new times are written, and a move by less than a millisecond is no change.
  const t = Date.parse('2026-11-02T10:00:00.000Z');
  assert.equal(widenSeen(tb.rows.get('10.0.0.1 192.0.2.1 udp 53')!, t, t + 0.75), true);
  assert.equal(widenSeen(tb.rows.get('10.0.0.1 192.0.2.1 udp 53')!, t, t + 0.9), false);
  assert.equal(widenSeen(tb.rows.get('10.0.0.2 2001:db8::5 tcp 443')!, t - 1000, t), true);
  await store.update(() => store.write(tb, ['approved']));
  assert.equal(fs.readFileSync(file, 'utf8'), expected('2026-11-02T10:00:00.000Z', '2026-11-02T09:59:59.000Z,2026-11-02T10:00:00.000Z'));
  // Written twice more with nothing changed: the same text (every line now cut from it).
  await store.update(() => store.write(tb, ['approved']));
  await store.update(() => store.write(tb, ['approved']));
  assert.equal(fs.readFileSync(file, 'utf8'), expected('2026-11-02T10:00:00.000Z', '2026-11-02T09:59:59.000Z,2026-11-02T10:00:00.000Z'));
});

test('a key left in two files by an interrupted move resolves to the newer decision', () => {
  const store = storeWith({
    'conn/approved.csv': HEADER + '10.0.0.1,10.0.0.2,tcp,22,,,2026-11-02T00:00:00Z,\n10.0.0.3,10.0.0.4,tcp,23,,,2026-11-01T00:00:00Z,\n',
    'conn/pending.csv': 'client_host,server_host,proto,server_port,first_seen,last_seen,reported_at,note\n10.0.0.1,10.0.0.2,tcp,22,,,2026-11-01T00:00:00Z,\n',
    'conn/denied.csv': 'client_host,server_host,proto,server_port,first_seen,last_seen,denied_at,note\n10.0.0.3,10.0.0.4,tcp,23,,,2026-11-03T00:00:00Z,\n',
  });
  const tb = store.load('conn', COLS);
  assert.equal(tb.rows.get('10.0.0.1 10.0.0.2 tcp 22')?.status, 'approved');
  assert.equal(tb.rows.get('10.0.0.3 10.0.0.4 tcp 23')?.status, 'denied');
  // The files' orders merge into one, each key once.
  assert.deepEqual(tb.sortedKeys(), ['10.0.0.1 10.0.0.2 tcp 22', '10.0.0.3 10.0.0.4 tcp 23']);
});

test('the order of sorted files is taken as read, merged across the status files; a file out of order is sorted', () => {
  const PENDING = 'client_host,server_host,proto,server_port,first_seen,last_seen,reported_at,note\n';
  const approved = ['10.0.0.2,192.0.2.1,udp,53', '10.0.0.9,192.0.2.1,udp,53', '10.0.0.10,192.0.2.1,udp,53', '2001:db8::1,192.0.2.1,udp,53'];
  const pending = ['10.0.0.3,192.0.2.1,udp,53', '10.0.0.10,192.0.2.1,tcp,53', '10.0.0.10,192.0.2.1,udp,53'];
  const lines = (rows: string[]): string => rows.map((r) => `${r},,,2026-11-01T00:00:00.000Z,\n`).join('');
  const want = ['10.0.0.2 192.0.2.1 udp 53', '10.0.0.3 192.0.2.1 udp 53', '10.0.0.9 192.0.2.1 udp 53', '10.0.0.10 192.0.2.1 tcp 53', '10.0.0.10 192.0.2.1 udp 53', '2001:db8::1 192.0.2.1 udp 53'];
  const sorted = storeWith({ 'conn/approved.csv': HEADER + lines(approved), 'conn/pending.csv': PENDING + lines(pending) }).load('conn', COLS);
  assert.deepEqual(sorted.sortedKeys(), want);
  const shuffled = storeWith({ 'conn/approved.csv': HEADER + lines([...approved].reverse()), 'conn/pending.csv': PENDING + lines(pending) }).load('conn', COLS);
  assert.deepEqual(shuffled.sortedKeys(), want);
});

test('the kept order follows the rows added and removed since, as a full sort would', () => {
  const tb = new TableBaseline('conn', COLS);
  const key = (i: number): string => `10.0.${i >> 8}.${i & 255} 192.0.2.1 udp ${53 + (i % 3)}`;
  let seed = 11;
  const any = (): string => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return key(seed % 2000);
  };
  const fullSort = (): string[] => Array.from(tb.rows.keys()).sort(compareKeys);
  for (let i = 0; i < 500; i++) tb.rows.set(any(), newRow('approved', NaN, NaN, 0, ''));
  assert.deepEqual(tb.sortedKeys(), fullSort());
  for (let round = 0; round < 30; round++) {
    // New keys and known ones again; some rounds remove keys, some remove one and add it back.
    for (let i = 0; i < 15; i++) tb.rows.set(any(), newRow('pending', NaN, NaN, 0, ''));
    if (round % 3 === 0) for (let i = 0; i < 10; i++) tb.rows.delete(any());
    if (round % 5 === 0) {
      const k = tb.sortedKeys()[round]!;
      tb.rows.delete(k);
      tb.rows.set(k, newRow('denied', NaN, NaN, 0, ''));
    }
    assert.deepEqual(tb.sortedKeys(), fullSort(), `round ${round}`);
  }
  // Lists sharing keys merge into their union, each key once.
  const lists = [[1, 2, 3, 4, 9], [0, 3, 4, 5], [4, 8, 9, 10], []].map((l) => l.map(key).sort(compareKeys));
  assert.deepEqual(mergeSorted(lists), [...new Set(lists.flat())].sort(compareKeys));
});

test('a status file is made in pieces; a row whose seen times move between two is written anew next time', () => {
  const tb = new TableBaseline('conn', COLS);
  const t = Date.parse('2026-11-01T00:00:00.000Z');
  for (let i = 0; i < 2500; i++) tb.rows.set(`10.0.${i >> 8}.${i & 255} 192.0.2.1 udp 53`, newRow('approved', t, t, t, ''));
  const keys = tb.sortedKeys();
  const line = (key: string, last: string): string => `${key.replaceAll(' ', ',')},2026-11-01T00:00:00.000Z,${last},2026-11-01T00:00:00.000Z,\n`;
  const early = tb.rows.get(keys[5]!)!;
  const late = tb.rows.get(keys[2400]!)!;
  const pieces = statusFilePieces(tb, 'approved');
  const texts = [pieces.next().value as string, pieces.next().value as string];
  assert.equal(texts[0], HEADER);
  assert.equal(texts[1]!.split('\n').length - 1, 1000, 'the first piece holds a thousand rows');
  // The differ closes an interval while the file is written: both rows were seen later.
  widenSeen(early, t, t + 60_000);
  widenSeen(late, t, t + 60_000);
  for (const piece of pieces) texts.push(piece);
  const text = texts.join('');
  assert.equal(text.split('\n').length - 1, 2501);
  // Each row is written as it was when its piece was made...
  assert.ok(text.includes(line(keys[5]!, '2026-11-01T00:00:00.000Z')));
  assert.ok(text.includes(line(keys[2400]!, '2026-11-01T00:01:00.000Z')));
  // ...and the one written with its old times keeps no line, so the next write has its new ones.
  assert.equal(early.line, undefined);
  assert.ok([...statusFilePieces(tb, 'approved')].join('').includes(line(keys[5]!, '2026-11-01T00:01:00.000Z')));
});

/** Runs `fn`, calling `onTurn` at each turn of the event loop until it has settled. */
async function everyTurn<T>(fn: () => Promise<T>, onTurn: () => void): Promise<T> {
  let done = false;
  const turn = (): void => {
    onTurn();
    if (!done) setImmediate(turn);
  };
  setImmediate(turn);
  try {
    return await fn();
  } finally {
    done = true;
  }
}

test('the event loop runs while a big table is written; a note longer than the write buffer survives', async () => {
  const store = storeWith({});
  const tb = new TableBaseline('conn', COLS);
  for (let i = 0; i < 30_000; i++) tb.rows.set(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255} 192.0.2.1 udp 53`, newRow('approved', NaN, NaN, 0, ''));
  const long = 'é'.repeat(600_000); // 1.2 MB as UTF-8
  tb.rows.set('10.9.9.9 192.0.2.1 udp 53', newRow('approved', NaN, NaN, 0, long));
  const keys = tb.sortedKeys();
  const first = tb.rows.get(keys[0]!)!;
  const last = tb.rows.get(keys[keys.length - 1]!)!;
  const states = new Set<string>();
  await everyTurn(
    () => store.update(() => store.write(tb, ['approved'])),
    () => void states.add(`${first.line !== undefined}/${last.line !== undefined}`),
  );
  // A turn of the loop came after the first rows were made and before the last ones were.
  assert.ok(states.has('true/false'), [...states].join(' '));
  const loaded = store.load('conn', COLS);
  assert.equal(loaded.rows.size, 30_001);
  assert.equal(loaded.rows.get('10.9.9.9 192.0.2.1 udp 53')?.note, long);
});

test('a running sensor takes in a change to a big table in turns of the event loop', async () => {
  const store = storeWith({});
  const tb = new TableBaseline('conn', COLS);
  for (let i = 0; i < 20_000; i++) tb.rows.set(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255} 192.0.2.1 udp 53`, newRow('approved', NaN, NaN, 0, ''));
  await store.update(() => store.write(tb, ['approved']));
  const current = store.load('conn', COLS);
  assert.equal(await store.loadIfChanged(current), current, 'unchanged: the same table');
  // The admin denies a row from the command line (another store, as another process).
  const cli = new BaselineStore(store.dir);
  await cli.update(async () => {
    const t = cli.load('conn', COLS);
    t.rows.set('10.0.0.7 192.0.2.1 udp 53', newRow('denied', NaN, NaN, 0, 'not this one'));
    await cli.write(t, ['denied', 'approved']);
  });
  let turns = 0;
  const fresh = await everyTurn(
    () => store.loadIfChanged(current),
    () => void turns++,
  );
  assert.ok(turns >= 3, `${turns} turns of the loop while 20,000 rows were read`);
  assert.notEqual(fresh, current);
  assert.equal(fresh.rows.get('10.0.0.7 192.0.2.1 udp 53')?.status, 'denied');
  assert.deepEqual(fresh.sortedKeys(), store.load('conn', COLS).sortedKeys());
  assert.equal(await store.loadIfChanged(fresh), fresh, 'read once: unchanged since');
});

test('pending rows few beside many approved ones are written sorted', async () => {
  const PENDING = 'client_host,server_host,proto,server_port,first_seen,last_seen,reported_at,note\n';
  const store = storeWith({});
  const tb = new TableBaseline('conn', COLS);
  for (let i = 0; i < 100; i++) tb.rows.set(`10.0.0.${i} 192.0.2.1 udp 53`, newRow('approved', NaN, NaN, 0, ''));
  for (const k of ['10.0.0.20 192.0.2.9 tcp 25', '10.0.0.3 192.0.2.9 tcp 25', '10.0.0.3 192.0.2.9 tcp 23']) tb.rows.set(k, newRow('pending', NaN, NaN, 0, ''));
  await store.update(() => store.write(tb, ['pending']));
  const rows = ['10.0.0.3,192.0.2.9,tcp,23', '10.0.0.3,192.0.2.9,tcp,25', '10.0.0.20,192.0.2.9,tcp,25'];
  assert.equal(fs.readFileSync(path.join(store.dir, 'conn/pending.csv'), 'utf8'), PENDING + rows.map((r) => `${r},,,1970-01-01T00:00:00.000Z,\n`).join(''));
});

test('lock: a second writer waits and then gives up; a lock left by a dead process is taken over', async () => {
  const dir = path.join(root, 'lock');
  const a = new StoreLock(dir);
  await a.acquire();
  await assert.rejects(new StoreLock(dir).acquire({ waitMs: 150 }), (e: unknown) => e instanceof StoreLockedError && /held by pid \d+/.test(e.message));
  a.release();
  // A process that is gone (it ran and exited) left its lock behind.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  fs.writeFileSync(path.join(dir, '.lock'), `${dead} ${(await import('node:os')).hostname()} 2026-11-01T00:00:00.000Z\n`);
  const b = new StoreLock(dir);
  await b.acquire({ waitMs: 1000 });
  assert.match(fs.readFileSync(path.join(dir, '.lock'), 'utf8'), new RegExp(`^${process.pid} `));
  b.release();
  assert.equal(fs.existsSync(path.join(dir, '.lock')), false);
});

test('history: appended lines are read back; a line torn by a crash at the end is skipped, one in the middle refused', async () => {
  const dir = path.join(root, 'hist');
  const log = new HistoryLog(dir);
  await log.append([{ time: '2026-11-01T00:00:00.000Z', action: 'approve', table: 'conn', key: ['a'], note: '', user: 'u' }]);
  await log.append([{ time: '2026-11-02T00:00:00.000Z', action: 'deny', table: 'conn', key: ['b'], note: 'n', user: 'u' }]);
  fs.appendFileSync(log.file, '{"time":"2026-11-0');
  assert.deepEqual(log.read().map((e) => e.action), ['approve', 'deny']);
  fs.appendFileSync(log.file, '\n{"time":"x","action":"approve","table":"t","key":null,"note":"","user":"u"}\n');
  assert.throws(() => log.read('history.jsonl'), /history\.jsonl:3: not a JSON object/);
});

test('save, change, diff, restore: the store is back as saved and the restore can be undone', async () => {
  const store = storeWith({ 'conn/approved.csv': HEADER + '10.0.0.1,10.0.0.2,tcp,22,,,2026-11-01T00:00:00.000Z,\n' });
  const cols = (): string[] => COLS;
  await store.update(() => saveAs(store, 'before', cols, false, '2026-11-02T00:00:00.000Z'));
  await assert.rejects(store.update(() => saveAs(store, 'before', cols, false, '2026-11-02T00:00:00.000Z')), /a save named "before" exists/);
  const tb = store.load('conn', COLS);
  tb.rows.get('10.0.0.1 10.0.0.2 tcp 22')!.status = 'denied';
  tb.rows.set('10.0.0.5 10.0.0.6 udp 53', { status: 'approved', firstSeen: NaN, lastSeen: NaN, at: 0, note: '', line: undefined });
  await store.update(() => store.write(tb));
  const current = new Map([['conn', store.load('conn', COLS)]]);
  assert.deepEqual(diffWithSave(loadSave(store, 'before', cols), current), [
    { table: 'conn', key: ['10.0.0.1', '10.0.0.2', 'tcp', '22'], before: 'approved', now: 'denied' },
    { table: 'conn', key: ['10.0.0.5', '10.0.0.6', 'udp', '53'], before: 'absent', now: 'approved' },
  ]);
  const r = await store.update(() => restoreFrom(store, 'before', cols, '2026-11-03T00:00:00.000Z'));
  assert.equal(r.undo, 'pre-restore-20261103T000000Z');
  const back = store.load('conn', COLS);
  assert.deepEqual([...back.rows.keys()], ['10.0.0.1 10.0.0.2 tcp 22']);
  assert.equal(back.rows.get('10.0.0.1 10.0.0.2 tcp 22')!.status, 'approved');
  assert.equal(loadSave(store, r.undo, cols).get('conn')!.rows.size, 2, 'the state before the restore was saved');
  assert.deepEqual(store.history.read().map((e) => `${e.action} ${e.label}`), ['save before', 'save pre-restore-20261103T000000Z', 'restore before']);
});

/**
 * The order of baseline keys spelled as one string per key, whose plain order is the key
 * order: per value a class letter (IPv4 < IPv6 < number < text), then the address in hex
 * and its prefix length (none first), the zero-padded number, or the text.
 */
function orderString(key: string): string {
  const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const value = (v: string): string => {
    if (/^\d{1,10}$/.test(v)) return 'n' + v.padStart(10, '0');
    const [addr = '', len] = v.split('/');
    const prefix = len === undefined ? '' : len.padStart(3, '0');
    const v4 = parseIPv4(addr);
    if (v4) return '4' + hex(v4) + prefix;
    const v6 = parseIPv6(addr);
    if (v6) return '6' + hex(v6) + prefix;
    return 't' + v;
  };
  return key.split(' ').map(value).join('\u0001');
}

test('compareKeys and sortKeys order keys as their order strings do', () => {
  // Canonical values of every kind, then keys of two and three values built from them.
  const values = [
    '0.0.0.0', '9.255.255.255', '10.0.0.2', '10.0.0.10', '10.0.0.0', '10.0.0.0/8', '10.0.0.0/24', '10.0.0.0/0', '255.255.255.255',
    '::', '::1', '2001:db8::1', '2001:db8::', '2001:db8::/32', '2001:db8::/48', 'fe80::1', '::ffff:192.0.2.1',
    '0', '7', '22', '443', '65535', '4294967295', '1234567890',
    'other', 'tcp', 'udp', 'icmp6', 'a', 'ab', 'in', 'external', '02:00:5e:10:00:01', '0x88cc', 'SA', 'none', 'sensor-1', 'é',
  ];
  const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
  const keys: string[] = [...values];
  let seed = 7;
  const pick = (): string => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return values[seed % values.length]!;
  };
  for (let i = 0; i < 3000; i++) keys.push(`${pick()} ${pick()}`, `${pick()} ${pick()} ${pick()}`);
  let compared = 0;
  for (let i = 0; i < keys.length; i++) {
    for (let j = i; j < keys.length; j += 1 + (i % 97)) {
      const a = keys[i]!;
      const b = keys[j]!;
      if (a.split(' ').length !== b.split(' ').length) continue; // one table's keys have one width
      const want = sign(orderString(a) < orderString(b) ? -1 : orderString(a) > orderString(b) ? 1 : 0);
      assert.equal(sign(compareKeys(a, b)), want, `${a} vs ${b}`);
      assert.equal(sign(compareKeys(b, a)), want === 0 ? 0 : -want, `${b} vs ${a}`);
      compared++;
    }
  }
  assert.ok(compared > 10_000, `${compared} pairs`);
  // Whole tables at once, keys of one width each (as one table's are) and of mixed widths.
  const oracle = (ks: string[]): string[] => ks.map((k) => [orderString(k), k] as const).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([, k]) => k);
  for (const ks of [keys.filter((k) => k.split(' ').length === 2), keys.filter((k) => k.split(' ').length === 3), keys]) {
    assert.deepEqual(sortKeys(ks), oracle(ks));
  }
});
