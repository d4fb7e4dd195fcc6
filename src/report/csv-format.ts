// Interval snapshots as CSV text: the key fields in config order, then
// packets,bytes,first_seen,last_seen (ISO 8601 UTC). The only module that imports
// csv-stringify.

import { stringify } from 'csv-stringify/sync';
import { COUNTER_BYTES, COUNTER_FIRST, COUNTER_LAST, COUNTER_PACKETS } from '../count/key-hash-table.js';
import { COUNTER_COLUMNS, KeyPrinter, sortByKey, type TableSnapshot } from '../count/table-snapshot.js';
import { ByteBuilder } from './byte-builder.js';

/**
 * The interval's rows, sorted by key, as CSV (UTF-8 bytes) with a header line.
 *
 * csv-stringify (default options) writes the header and decides how every key value is
 * written (quoting, escaping), but it is asked once per distinct value rather than once per
 * field: a table's rows share few hosts, ports and MACs, and csv-stringify's per-field work
 * was most of the cost of writing an interval. Counters (digits), ISO times and plain
 * values (addresses, numbers, names) are text it leaves as it is. Fields and records are
 * joined with its default ',' and '\n'. The file is written as bytes, each value encoded
 * once: a string per row, joined and encoded, cost the CSV thread more than the packet
 * loop it runs beside. test/report-csv-format.test.ts compares whole files with
 * csv-stringify's own output of the same records, hostile values included.
 */
export function snapshotToCSV(s: TableSnapshot): Buffer {
  const keys = new KeyPrinter<Uint8Array>(s, (text) => Buffer.from(csvField(text)));
  const values: Uint8Array[] = [];
  const out = new ByteBuilder(Math.max(1 << 16, s.size * 96));
  out.text(stringify([], { header: true, columns: [...s.keyColumns, ...COUNTER_COLUMNS] }));
  for (const i of sortByKey(s, Array.from({ length: s.size }, (_, i) => i))) {
    keys.values(i, values);
    for (let j = 0; j < values.length; j++) {
      if (j > 0) out.byte(COMMA);
      out.bytes(values[j]!);
    }
    const c = i * s.stride + s.width;
    out.byte(COMMA);
    out.uint(s.data[c + COUNTER_PACKETS]!);
    out.byte(COMMA);
    out.uint(s.data[c + COUNTER_BYTES]!);
    out.byte(COMMA);
    out.iso(s.data[c + COUNTER_FIRST]!);
    out.byte(COMMA);
    out.iso(s.data[c + COUNTER_LAST]!);
    out.byte(NEWLINE);
  }
  return out.finish();
}

const COMMA = 44;
const NEWLINE = 10;

/**
 * One value as csv-stringify writes it inside a record; remembered for the life of the
 * thread (the same values recur interval after interval), up to a bound.
 */
function csvField(value: string): string {
  // Addresses, numbers and names: nothing csv-stringify would quote (the test checks).
  if (PLAIN_VALUE.test(value)) return value;
  let text = fieldCache.get(value);
  if (text === undefined) {
    if (fieldCache.size >= FIELD_CACHE_LIMIT) fieldCache.clear();
    text = stringify([[value]], { eof: false });
    fieldCache.set(value, text);
  }
  return text;
}

const PLAIN_VALUE = /^[A-Za-z0-9._:/-]*$/;
const FIELD_CACHE_LIMIT = 1 << 18;
const fieldCache = new Map<string, string>();

/** Any table as CSV text: a header line of `columns`, then one line per row (for summaries). */
export function toCSV(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return stringify(rows.map((r) => r.map(String)), { header: true, columns: [...columns] });
}
