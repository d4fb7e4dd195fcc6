// Retention: `retention: 90d` removes what reports/ holds for days that ended longer ago
// than that — interval CSVs (tables/<table>/<day>/), findings (findings/<day>.jsonl),
// summary reports (summary/<name>/<day>/) and the rate rollups (state/rollups/<table>/<day>.csv).
// Only names that are a YYYY-MM-DD day are touched; latest.csv, the outbox, baselines and
// anything a person put there stay. Runs after each scheduled report and `spanwatch report`.

import fs from 'node:fs';
import path from 'node:path';

const DAY_MS = 86_400_000;
const DAY_NAME = /^(\d{4}-\d{2}-\d{2})(\.jsonl|\.csv)?$/;

export interface PruneResult {
  /** Paths removed, relative to the reports directory, sorted. */
  removed: string[];
  errors: string[];
}

/** Removes day folders and files whose whole day ended before nowMs - retentionSec. */
export async function pruneReports(reportsDir: string, retentionSec: number, nowMs: number): Promise<PruneResult> {
  const cutoff = nowMs - retentionSec * 1000;
  const out: PruneResult = { removed: [], errors: [] };
  const expired = (name: string, ext: string | undefined): boolean => {
    const m = DAY_NAME.exec(name);
    if (!m || m[2] !== ext) return false;
    const start = Date.parse(`${m[1]}T00:00:00Z`);
    return Number.isFinite(start) && start + DAY_MS <= cutoff;
  };
  const pruneIn = async (dir: string, ext: string | undefined): Promise<void> => {
    for (const name of list(dir)) {
      if (!expired(name, ext)) continue;
      const p = path.join(dir, name);
      try {
        await fs.promises.rm(p, { recursive: true, force: true });
        out.removed.push(path.relative(reportsDir, p));
      } catch (err) {
        out.errors.push(`cannot remove ${p}: ${(err as Error).message}`);
      }
    }
  };
  for (const t of list(path.join(reportsDir, 'tables'))) await pruneIn(path.join(reportsDir, 'tables', t), undefined);
  await pruneIn(path.join(reportsDir, 'findings'), '.jsonl');
  for (const n of list(path.join(reportsDir, 'summary'))) await pruneIn(path.join(reportsDir, 'summary', n), undefined);
  for (const t of list(path.join(reportsDir, 'state', 'rollups'))) await pruneIn(path.join(reportsDir, 'state', 'rollups', t), '.csv');
  out.removed.sort();
  return out;
}

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
