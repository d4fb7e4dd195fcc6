// The files of one table under baselines/<table>/:
//
//   approved.csv   <key columns>,first_seen,last_seen,approved_at,note   (the baseline)
//   pending.csv    <key columns>,first_seen,last_seen,reported_at,note   (grey: reported once)
//   denied.csv     <key columns>,first_seen,last_seen,denied_at,note     (black)
//   learning-until.txt   one ISO time while the table is still learning
//
// Rows are sorted by key, times are ISO 8601 UTC (first_seen/last_seen may be empty for a
// row decided before it was ever seen). Hand edits are welcome: a file is checked line by
// line and refused with file:line when something is wrong. A key in two files (a write
// cut short between two renames, or a hand edit) resolves to the newer decision time.

import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseIsoTime } from '../interval/iso-time.js';
import { writeFileAtomic } from '../report/atomic-write.js';
import { csvPieces, forEachCSVRecord, formatCSVField, formatCSVLine } from './csv-codec.js';
import { canonicalValue, compareKeys, KEY_SEP, mergeSorted, sortKeys } from './key-values.js';
import { StoreFormatError } from './store-error.js';
import { isoOrEmpty, STATUS_TIME_COLUMN, STATUSES, TableBaseline, type BaselineRow, type RowStatus } from './table-baseline.js';

export const LEARNING_FILE = 'learning-until.txt';

export function statusFile(tableDir: string, status: RowStatus): string {
  return path.join(tableDir, `${status}.csv`);
}

export function headerOf(keyColumns: readonly string[], status: RowStatus): string[] {
  return [...keyColumns, 'first_seen', 'last_seen', STATUS_TIME_COLUMN[status], 'note'];
}

/** Parses an ISO 8601 UTC time (or '' → NaN when allowed); null when it is not a time. */
function parseTime(text: string, allowEmpty: boolean): number | null {
  if (text === '') return allowEmpty ? NaN : null;
  return parseIsoTime(text);
}

/** Length of a time as the store prints it (`2026-11-08T09:00:00.000Z`). */
const ISO_MS_LENGTH = 24;

/** A table's files as read: the bytes of each status file there is, and the learning marker's. */
interface TableBytes {
  status: Map<RowStatus, Buffer>;
  learning: Buffer | null;
}

/** Reads every file of the table; a table with no files is an empty, non-existing baseline. */
export function readTableFiles(tableDir: string, table: string, keyColumns: readonly string[], display = tableDir): TableBaseline {
  const steps = parseTableFiles(tableBytes(tableFiles(tableDir).map(readIfThere)), table, keyColumns, display);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * readTableFiles for a running sensor: the files are read asynchronously and parsed a few
 * thousand records per turn of the event loop, so the packet loop goes on while an admin's
 * change to a big table is taken in.
 */
export async function readTableFilesInTurns(tableDir: string, table: string, keyColumns: readonly string[], display = tableDir): Promise<TableBaseline> {
  const bytes = tableBytes(await Promise.all(tableFiles(tableDir).map((f) => fs.promises.readFile(f).catch(missing))));
  const steps = parseTableFiles(bytes, table, keyColumns, display);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}

/** The status files, then the learning marker. */
function tableFiles(tableDir: string): string[] {
  return [...STATUSES.map((s) => statusFile(tableDir, s)), path.join(tableDir, LEARNING_FILE)];
}

function readIfThere(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    return missing(err);
  }
}

/** A file that is not there reads as null; any other error stands. */
function missing(err: unknown): null {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
  throw err;
}

/**
 * The files of tableFiles() as read, as bytes: they are decoded a piece at a time while
 * parsed (a hundred MB decoded at once holds the thread some 0.4 s).
 */
function tableBytes(read: readonly (Buffer | null)[]): TableBytes {
  const status = new Map<RowStatus, Buffer>();
  STATUSES.forEach((s, i) => {
    if (read[i] !== null) status.set(s, read[i]!);
  });
  return { status, learning: read[STATUSES.length] ?? null };
}

/** Parses a table's files; yields between batches of records (RECORDS_PER_TURN). */
function* parseTableFiles(texts: TableBytes, table: string, keyColumns: readonly string[], display: string): Generator<void, TableBaseline> {
  const tb = new TableBaseline(table, keyColumns);
  // Files as the store writes them are sorted: checked while reading (a comparison per row
  // beside the parsing), so a running sensor's first rewrite of a big table needs no sort.
  const inOrder: string[][] = [];
  let sorted = true;
  for (const status of STATUSES) {
    const text = texts.status.get(status);
    if (text === undefined) continue;
    if (status === 'approved') tb.exists = true;
    const keys = yield* parseStatusFile(text, path.join(display, `${status}.csv`), status, tb);
    if (keys === null) sorted = false;
    else inOrder.push(keys);
  }
  if (sorted) tb.adoptOrder(mergeSorted(inOrder));
  if (texts.learning !== null) {
    const text = texts.learning.toString('utf8').trim();
    const t = parseTime(text, false);
    if (t === null) throw new StoreFormatError(path.join(display, LEARNING_FILE), 1, `"${text}" is not an ISO 8601 UTC time such as 2026-11-08T09:00:00.000Z`);
    tb.learningUntil = t;
  }
  tb.loaded = tb.rows.size;
  return tb;
}

/** Records parsed between two turns of the event loop when reading in turns (some 20 ms). */
const RECORDS_PER_TURN = 2000;

/** Reads one status file into `tb`; returns its keys when they are in sorted order, else null. */
function* parseStatusFile(bytes: Buffer, file: string, status: RowStatus, tb: TableBaseline): Generator<void, string[] | null> {
  const expected = headerOf(tb.keyColumns, status);
  let keys: string[] | null = [];
  const width = tb.keyColumns.length;
  const seenAt = new Map<string, number>();
  let header = true;
  const onRecord = (line: number, fields: string[], plain: string | null): void => {
    if (header) {
      header = false;
      if (fields.join(',') !== expected.join(',')) {
        throw new StoreFormatError(file, line, `header is "${fields.join(',')}"; expected "${expected.join(',')}" (the key of table ${tb.table} in the config)`);
      }
      return;
    }
    if (fields.length !== expected.length) {
      throw new StoreFormatError(file, line, `${fields.length} fields; expected ${expected.length} (${expected.join(',')})`);
    }
    const values: string[] = [];
    // The line as read is the line to write back while the row is unchanged, when it is
    // written as the store writes it: no quotes, canonical key values and times.
    let canonical = plain !== null;
    for (let c = 0; c < width; c++) {
      const v = canonicalValue(tb.keyColumns[c]!, fields[c]!);
      if ('error' in v) throw new StoreFormatError(file, line, v.error);
      values.push(v.value);
      canonical &&= v.value === fields[c];
    }
    const firstSeen = parseTime(fields[width]!, true);
    const lastSeen = parseTime(fields[width + 1]!, true);
    const at = parseTime(fields[width + 2]!, false);
    if (firstSeen === null) throw new StoreFormatError(file, line, `first_seen "${fields[width]}" is not an ISO 8601 UTC time (or empty)`);
    if (lastSeen === null) throw new StoreFormatError(file, line, `last_seen "${fields[width + 1]}" is not an ISO 8601 UTC time (or empty)`);
    if (at === null) throw new StoreFormatError(file, line, `${STATUS_TIME_COLUMN[status]} "${fields[width + 2]}" is not an ISO 8601 UTC time`);
    const key = values.join(KEY_SEP);
    const dup = seenAt.get(key);
    if (dup !== undefined) throw new StoreFormatError(file, line, `the same key as line ${dup}`);
    seenAt.set(key, line);
    if (keys !== null) {
      if (keys.length > 0 && compareKeys(keys[keys.length - 1]!, key) >= 0) keys = null; // edited by hand
      else keys.push(key);
    }
    const note = fields[width + 3]!;
    canonical &&= isStoreTime(fields[width]!) && isStoreTime(fields[width + 1]!) && fields[width + 2]!.length === ISO_MS_LENGTH && formatCSVField(note) === note;
    const row: BaselineRow = { status, firstSeen, lastSeen, at, note, line: canonical ? plain! : undefined };
    const other = tb.rows.get(key);
    if (other === undefined || row.at > other.at || (row.at === other.at && status === 'approved')) tb.rows.set(key, row);
  };
  let line = 1;
  for (const text of csvPieces(bytes)) {
    const at = { pos: 0, line };
    while (!forEachCSVRecord(text, file, onRecord, at, RECORDS_PER_TURN)) yield;
    line = at.line;
    yield;
  }
  return keys;
}

/** A time field (valid) as the store prints it: empty or with exactly milliseconds. */
function isStoreTime(text: string): boolean {
  return text.length === 0 || text.length === ISO_MS_LENGTH;
}

/** Characters that make a key value need quotes in CSV. */
const QUOTE_IN_KEY = /[",\r\n]/;

/**
 * Rows per piece of a status file. A running sensor rewrites a table of a million rows in
 * seconds; made and written in one piece, that would stall the packet loop (and a live
 * capture's ring) as long. writeFileAtomic writes each MiB of pieces as it comes, and the
 * loop runs meanwhile. A piece of a thousand rows (some 100 KiB) stays a young, ordinary string.
 */
const ROWS_PER_PIECE = 1000;

/**
 * One status file's text in pieces (the header first): the rows of that status sorted by
 * key, ROWS_PER_PIECE at a time. Rows still holding the line they were read or written as
 * reuse it; every row written takes its line as a slice of its piece, so the texts of
 * earlier reads and writes can be collected. A piece is made whole before it is handed
 * on: a row whose seen times move while the file is written (the differ closes intervals
 * in between) loses its line then (widenSeen), and is formatted anew next time.
 */
export function* statusFilePieces(tb: TableBaseline, status: RowStatus): Generator<string> {
  yield formatCSVLine(headerOf(tb.keyColumns, status));
  let rows: BaselineRow[] = [];
  let lines: string[] = [];
  for (const key of fewKeys(tb, status) ?? tb.sortedKeys()) {
    const r = tb.rows.get(key);
    if (r === undefined || r.status !== status) continue;
    rows.push(r);
    // A new line is not kept in the row as it is made (a tree of pieces), but as a slice of its piece.
    lines.push(r.line ?? formatRowLine(key, r));
    if (rows.length === ROWS_PER_PIECE) {
      yield joinPiece(rows, lines);
      rows = [];
      lines = [];
    }
  }
  if (rows.length > 0) yield joinPiece(rows, lines);
}

/**
 * The keys of a status with few rows beside the table's others (pending and denied rows
 * beside a big baseline), sorted on their own: a new finding's pending.csv is written at
 * once, without walking a million approved rows. Null when the status is not few.
 */
function fewKeys(tb: TableBaseline, status: RowStatus): string[] | null {
  if (status === 'approved') return null;
  const keys: string[] = [];
  for (const [key, r] of tb.rows) if (r.status === status) keys.push(key);
  return keys.length * 8 < tb.rows.size ? sortKeys(keys) : null;
}

/** The lines as one text, each row's line becoming a slice of it. */
function joinPiece(rows: readonly BaselineRow[], lines: readonly string[]): string {
  const text = lines.join('\n') + '\n';
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    const end = at + lines[i]!.length;
    rows[i]!.line = text.slice(at, end);
    at = end + 1;
  }
  return text;
}

function formatRowLine(key: string, r: BaselineRow): string {
  // Key values hold no blanks (key-values.ts), so a key with nothing to quote is its CSV.
  const keyCSV = QUOTE_IN_KEY.test(key) ? formatCSVLine(key.split(KEY_SEP)).slice(0, -1) : key.replaceAll(KEY_SEP, ',');
  return `${keyCSV},${isoOrEmpty(r.firstSeen)},${isoOrEmpty(r.lastSeen)},${isoOrEmpty(r.at)},${formatCSVField(r.note)}`;
}

/**
 * Writes the given status files in the given order (temp file, fsync, rename each), then
 * the learning marker. Callers name the file a row moves into first: a crash between two
 * renames leaves the row in both files (the newer decision wins on load), never in none.
 */
export async function writeTableFiles(tableDir: string, tb: TableBaseline, statuses: readonly RowStatus[] = STATUSES): Promise<void> {
  for (const status of new Set(statuses)) await writeFileAtomic(statusFile(tableDir, status), statusFilePieces(tb, status));
  const learning = path.join(tableDir, LEARNING_FILE);
  if (tb.learningUntil !== null) await writeFileAtomic(learning, isoOrEmpty(tb.learningUntil) + '\n');
  else await fs.promises.rm(learning, { force: true });
}
