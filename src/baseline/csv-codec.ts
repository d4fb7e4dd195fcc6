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

/**
 * Calls `fn` for each record in order, without keeping them (big baselines load in one
 * pass). `plain` is the record's text (without its line ending) when it has no quotes:
 * then it is exactly `fields.join(',')`, and a writer may reuse it.
 */
export function forEachCSVRecord(text: string, file: string, fn: (line: number, fields: string[], plain: string | null) => void): void {
  const out = { push: (r: CSVRecord): void => fn(r.line, r.fields, null) };
  let line = 1;
  let pos = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) pos = 1; // a BOM left by a spreadsheet
  while (pos < n) {
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
}
