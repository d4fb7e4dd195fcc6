// The config settings of the baseline store and the differ:
//
//   baselines_dir: baselines   # where the store lives, relative to the working directory
//   learn_for: 7d              # a table with no baseline learns this long (0: it does not)
//   gone_after: 30d            # gone_row for approved rows unseen this long (default: never)
//
// Read here so load-config.ts only lists the keys and spreads the result into the Plan.

import { parseDuration } from './duration.js';
import type { At, ConfigReader } from './config-reader.js';

export const BASELINE_KEYS = ['baselines_dir', 'learn_for', 'gone_after'] as const;
export const DEFAULT_LEARN_FOR_SEC = 7 * 86400;

export interface BaselineSettings {
  /** Where the baseline store lives (relative paths against the working directory). */
  baselinesDir: string;
  /** How long a table with no baseline learns, in seconds; 0 = no learning. */
  learnForSec: number;
  /** gone_row after this many seconds unseen; null = no gone_row findings. */
  goneAfterSec: number | null;
}

export function readBaselineSettings(r: ConfigReader, get: (key: string) => At | undefined): BaselineSettings {
  const dirAt = get('baselines_dir');
  const learnAt = get('learn_for');
  const goneAt = get('gone_after');
  return {
    baselinesDir: (dirAt ? r.string(dirAt, 'a directory') : null) ?? 'baselines',
    learnForSec: (learnAt ? readDuration(r, learnAt, true) : null) ?? DEFAULT_LEARN_FOR_SEC,
    goneAfterSec: goneAt ? readDuration(r, goneAt, false) : null,
  };
}

function readDuration(r: ConfigReader, at: At, zeroOK: boolean): number | null {
  const v = r.scalar(at);
  if (v === null) return null;
  const sec = parseDuration(v);
  if (sec === null || (!zeroOK && sec <= 0)) {
    r.problem(at, `"${v}" is not a duration${zeroOK ? '' : ' > 0'} (write 90m, 12h, 7d, 2w or seconds)`);
    return null;
  }
  return sec;
}
