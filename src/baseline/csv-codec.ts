// CSV as the baseline files hold it (RFC 4180): a field is quoted when it holds a comma,
// a quote, a line break or leading/trailing blanks. Parsing keeps each record's line
// number so a bad hand edit is reported as file:line. Kept separate from csv-stringify
// (imported only by the report writer, DESIGN rule 8) because the store also reads.

import { StoreFormatError } from './store-error.js';

export interface CSVRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function formatCSVField(v: string): string {
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function formatCSVLine(fields: readonly string[]): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) out += (i === 0 ? '' : ',') + formatCSVField(fields[i]!);
  return out + '\n';
}

/** Parses every record; blank lines are skipped. Throws StoreFormatError(file, line). */
export function parseCSV(text: string, file: string): CSVRecord[] {
  const out: CSVRecord[] = [];
  forEachCSVRecord(text, file, (line, fields) => void out.push({ line, fields }));
  return out;
}

/** Bytes per piece of csvPieces (a piece ends at the first line end after this many). */
const PIECE_BYTES = 1 << 20;

/**
 * A CSV file's bytes as text in pieces of about a MiB, each ending at a line end outside
 * quotes (a quoted field may hold line breaks), so each parses on its own: the first line
 * of the next piece is the line after the last of this one. A file with an unclosed quote
 * is one piece from that quote on, where the parser reports it.
 */
export function* csvPieces(bytes: Buffer): Generator<string> {
  let start = 0;
  while (start < bytes.length) {
    let end = lineEnd(bytes, Math.min(bytes.length, start + PIECE_BYTES) - 1);
    let quotes = countQuotes(bytes, start, end);
    while (quotes % 2 === 1 && end < bytes.length) {
      // That line end is inside a quoted field: on to the next one.
      const next = lineEnd(bytes, end);
      quotes += countQuotes(bytes, end, next);
      end = next;
    }
    // A line end is never inside a UTF-8 sequence: each piece decodes on its own.
    yield bytes.toString('utf8', start, end);
    start = end;
  }
}

/** Just past the first line end at or after `from`, or the end of the bytes. */
function lineEnd(bytes: Buffer, from: number): number {
  const nl = bytes.indexOf(0x0a, from);
  return nl < 0 ? bytes.length : nl + 1;
}

function countQuotes(bytes: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = bytes.indexOf(0x22, from); i >= 0 && i < to; i = bytes.indexOf(0x22, i + 1)) n++;
  return n;
}

/** Where a parse goes on from: the next record's offset in the text and its line. */
export interface CSVPosition {
  pos: number;
  line: number;
}

/**
 * Calls `fn` for each record in order, without keeping them (big baselines load in one
 * pass). `plain` is the record's text (without its line ending) when it has no quotes:
 * then it is exactly `fields.join(',')`, and a writer may reuse it. With `at` and `limit`,
 * it parses from `at` and stops after `limit` lines, leaving `at` at the next record, so a
 * long text can be parsed in turns; returns true once the text is done.
 */
export function forEachCSVRecord(
  text: string,
  file: string,
  fn: (line: number, fields: string[], plain: string | null) => void,
  at: CSVPosition = { pos: 0, line: 1 },
  limit = Number.POSITIVE_INFINITY,
): boolean {
  const out = { push: (r: CSVRecord): void => fn(r.line, r.fields, null) };
  let line = at.line;
  let pos = at.pos;
  const n = text.length;
  if (line === 1 && pos === 0 && text.charCodeAt(0) === 0xfeff) pos = 1; // a BOM left by a spreadsheet
  const stop = line + limit;
  while (pos < n) {
    if (line >= stop) {
      at.pos = pos;
      at.line = line;
      return false;
    }
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    // Fast path: a line without quotes is a plain split (nearly every line of a baseline).
    const raw = text.slice(pos, end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    if (!raw.includes('"')) {
      if (raw.trim() !== '') fn(line, raw.split(','), raw);
      pos = end + 1;
      line++;
      continue;
    }
    const start = line;
    const fields: string[] = [];
    let field = '';
    let i = pos;
    let quoted = false;
    let atFieldStart = true;
    for (;;) {
      if (i >= n) {
        if (quoted) throw new StoreFormatError(file, start, 'a quoted field is not closed');
        break;
      }
      const c = text[i]!;
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          quoted = false;
          i++;
          const next = text[i];
          if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
            throw new StoreFormatError(file, line, 'text after a closing quote (write "" for a quote inside a quoted field)');
          }
          continue;
        }
        if (c === '\n') line++;
        field += c;
        i++;
        continue;
      }
      if (c === '"' && atFieldStart) {
        quoted = true;
        atFieldStart = false;
        i++;
        continue;
      }
      if (c === '"') throw new StoreFormatError(file, line, 'a quote inside an unquoted field (quote the whole field)');
      if (c === ',') {
        fields.push(field);
        field = '';
        atFieldStart = true;
        i++;
        continue;
      }
      if (c === '\n' || c === '\r') break;
      field += c;
      atFieldStart = false;
      i++;
    }
    fields.push(field);
    out.push({ line: start, fields });
    if (text[i] === '\r') i++;
    pos = i + 1;
    line++;
  }
  at.pos = pos;
  at.line = line;
  return true;
}
