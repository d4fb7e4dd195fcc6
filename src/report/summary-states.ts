// Where a summary gets each new row's state now (pending, approved, denied): the baseline
// store, read-only (src/baseline/baseline-store.ts, loaded once per table per report). A
// store that is missing or unreadable does not stop the report: its rows show `unknown`
// and the report says why.

import fs from 'node:fs';
import { BaselineStore } from '../baseline/baseline-store.js';
import { joinKey, type TableBaseline } from '../baseline/table-baseline.js';
import type { RowStateLookup } from './summary-build.js';

export interface StateSource {
  lookup: RowStateLookup;
  /** Set when states could not be read for some table (said in the report). */
  notes: string[];
}

export function baselineStates(baselinesDir: string | null): StateSource {
  const notes: string[] = [];
  if (baselinesDir === null || !fs.existsSync(baselinesDir)) {
    notes.push(`no baseline store${baselinesDir === null ? '' : ` at ${baselinesDir}`}: row states show as unknown`);
    return { lookup: () => 'unknown', notes };
  }
  const store = new BaselineStore(baselinesDir);
  const loaded = new Map<string, TableBaseline | null>();
  const lookup: RowStateLookup = (table, keyColumns, key) => {
    let tb = loaded.get(table);
    if (tb === undefined) {
      try {
        tb = store.load(table, keyColumns);
      } catch (err) {
        notes.push(`baseline of table ${table} unreadable (${(err as Error).message}): its row states show as unknown`);
        tb = null;
      }
      loaded.set(table, tb);
    }
    return tb?.rows.get(joinKey(key))?.status ?? 'unknown';
  };
  return { lookup, notes };
}
