// Golden files: expected outputs kept under test/golden and compared byte for byte. They
// change only through `make golden` (UPDATE_GOLDEN=1), and the change is reviewed as a diff.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { listFiles } from './cli.js';
import { REPO } from './paths.js';

export const GOLDEN = path.join(REPO, 'test/golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/**
 * Compares every file under `actualDir` with test/golden/<name>/ (or rewrites it). Files
 * matching `ignore` (relative paths) are left out: outputs that carry run-specific ids.
 */
export function assertGoldenTree(name: string, actualDir: string, ignore: RegExp | null = null): void {
  const goldenDir = path.join(GOLDEN, name);
  const actual = listFiles(actualDir).filter((f) => ignore === null || !ignore.test(f));
  if (UPDATE) {
    fs.rmSync(goldenDir, { recursive: true, force: true });
    for (const f of actual) {
      fs.mkdirSync(path.dirname(path.join(goldenDir, f)), { recursive: true });
      fs.copyFileSync(path.join(actualDir, f), path.join(goldenDir, f));
    }
    return;
  }
  assert.ok(fs.existsSync(goldenDir), `no golden files for ${name}: run make golden and review the diff`);
  assert.deepEqual(actual, listFiles(goldenDir), `${name}: the set of files differs from test/golden/${name}`);
  for (const f of actual) {
    assert.equal(fs.readFileSync(path.join(actualDir, f), 'utf8'), fs.readFileSync(path.join(goldenDir, f), 'utf8'), `${name}/${f} differs from its golden file`);
  }
}
