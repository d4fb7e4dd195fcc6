// What the differ keeps per table between packets: the loaded baseline and the rows of it
// already met, whether the table is still learning, and the changes made since they were
// last written to the store (rows added, times rows were seen).

import { widenSeen, type BaselineRow, type TableBaseline } from '../baseline/table-baseline.js';
import { KnownRows } from './known-rows.js';

export class TableWatch {
  /** Learning: rows first seen before `learningUntil` join the baseline silently. */
  learning = false;
  /** ms; null while learning until the first packet fixes the window's start. */
  learningUntil: number | null = null;
  /** Length of the learning window, for when it starts at the first packet. */
  learnForMs = 0;
  /** Packet time the table stopped learning (or -Infinity: compared from the start). */
  lockedSince = Number.NEGATIVE_INFINITY;
  /** Learning ended since the last write: the store needs its marker removed and a history line. */
  lockChanged = false;
  /** Rows added (learned or pending) since the last write, by key text. */
  adds = new Map<string, BaselineRow>();
  /** Some of `adds` are pending (mailed findings): they must reach the store at once. */
  urgentAdds = false;
  /** Baseline rows met in this run, by key words: recognized again without printing. */
  readonly known = new KnownRows();
  /**
   * Known rows whose seen times moved since the last write, by key text: the row object
   * holds the times (widened in place), to be carried over if the table is reloaded.
   */
  seen = new Map<string, BaselineRow>();
  /** Packet time (interval end) of the last write of `seen`, and of the last interval closed. */
  seenWrittenAt = Number.NEGATIVE_INFINITY;
  lastEnd = Number.NEGATIVE_INFINITY;
  /** `seen` is old enough to be written at the next store write. */
  seenDue = false;

  constructor(
    readonly name: string,
    readonly keyColumns: readonly string[],
    public baseline: TableBaseline,
  ) {}

  /** Widens a row's seen times (NaN-aware) and remembers a change for the next write. */
  markSeen(key: string, row: BaselineRow, first: number, last: number): void {
    // Nothing new (a replay of traffic already known): nothing to write.
    if (widenSeen(row, first, last)) this.seen.set(key, row);
  }
}
