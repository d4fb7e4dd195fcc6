// Interval snapshots as CSV text: the key fields in config order, then
// packets,bytes,first_seen,last_seen (ISO 8601 UTC). The only module that imports
// csv-stringify.

import { stringify } from 'csv-stringify/sync';
import { COUNTER_BYTES, COUNTER_FIRST, COUNTER_LAST, COUNTER_PACKETS } from '../count/key-hash-table.js';
import { COUNTER_COLUMNS, KeyPrinter, sortByKey, type TableSnapshot } from '../count/table-snapshot.js';

// One spelling for both ways of writing: csv-stringify's defaults, named.
const CSV_OPTIONS = { delimiter: ',', record_delimiter: 'unix' } as const;

/**
 * The interval's rows, sorted by key, as CSV text with a header line.
 *
 * csv-stringify writes the header and decides how every key value is written (quoting,
 * escaping), but it is asked once per distinct value of a column rather than once per
 * field: a table's rows share few hosts, ports and MACs, and csv-stringify's per-field work
 * was most of the cost of writing an interval. Counters (digits) and ISO times are text
 * csv-stringify leaves as it is. test/report-csv-format.test.ts compares whole files with
 * csv-stringify's own output of the same records, hostile values included.
 */
export function snapshotToCSV(s: TableSnapshot): string {
  const keys = new KeyPrinter(s, csvField);
  const times = new ISOTimes();
  let out = stringify([], { ...CSV_OPTIONS, header: true, columns: [...s.keyColumns, ...COUNTER_COLUMNS] });
  for (const i of sortByKey(s, Array.from({ length: s.size }, (_, i) => i))) {
    const c = i * s.stride + s.width;
    out += `${keys.join(i, ',')},${s.data[c + COUNTER_PACKETS]},${s.data[c + COUNTER_BYTES]},${times.format(s.data[c + COUNTER_FIRST]!)},${times.format(s.data[c + COUNTER_LAST]!)}\n`;
  }
  return out;
}

/**
 * One value as csv-stringify writes it inside a record; remembered for the life of the
 * thread (the same hosts recur interval after interval), up to a bound.
 */
function csvField(value: string): string {
  let text = fieldCache.get(value);
  if (text === undefined) {
    if (fieldCache.size >= FIELD_CACHE_LIMIT) fieldCache.clear();
    text = stringify([[value]], { ...CSV_OPTIONS, eof: false });
    fieldCache.set(value, text);
  }
  return text;
}

const FIELD_CACHE_LIMIT = 1 << 18;
const fieldCache = new Map<string, string>();

/**
 * toISOString for many times within a few minutes: the text up to the second is made once
 * per second and the milliseconds appended (Date objects for every row were a fifth of the
 * cost of writing a table).
 */
export class ISOTimes {
  private readonly prefixes = new Map<number, string>();

  format(ms: number): string {
    const whole = Math.trunc(ms); // as Date does
    const sec = Math.floor(whole / 1000);
    let prefix = this.prefixes.get(sec);
    if (prefix === undefined) {
      prefix = new Date(sec * 1000).toISOString().slice(0, -4); // "…T12:34:56."
      this.prefixes.set(sec, prefix);
    }
    const milli = whole - sec * 1000;
    return `${prefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  }
}

/** Any table as CSV text: a header line of `columns`, then one line per row (for summaries). */
export function toCSV(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return stringify(rows.map((r) => r.map(String)), { header: true, columns: [...columns] });
}
