// The alert state file: every save resolves, an unchanged state is not written again, and
// a changed one is.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AlertStateFile, emptyState } from '../src/alert/alert-state.js';
import { tempDir } from './support/cli.js';

test('saves resolve whether or not the state changed; only changes reach the file', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'state.json');
    const state = new AlertStateFile(file, () => undefined);
    const st = emptyState();
    await state.save(() => st);
    const first = fs.statSync(file);
    // Unchanged, several times, also while another save is pending: each one resolves.
    await Promise.all([state.save(() => st), state.save(() => st)]);
    await state.save(() => st);
    const again = fs.statSync(file);
    assert.equal(again.ino, first.ino, 'not replaced');
    assert.equal(again.mtimeMs, first.mtimeMs, 'not rewritten');
    // Changed: written.
    const changed = { ...st, suppressed: { 'conn|new_row|10.0.0.1 10.0.0.2 tcp 22': Date.UTC(2026, 10, 20) } };
    await state.save(() => changed);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), changed);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
