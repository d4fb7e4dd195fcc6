// The fast ISO 8601 printer used for baseline files must print exactly what
// Date.prototype.toISOString prints, across days, years and the edges of its fast path.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoOrEmpty } from '../src/baseline/table-baseline.js';

test('isoOrEmpty equals toISOString, and is empty for NaN', () => {
  const edges = [0, -1, 1, 86_399_999, 86_400_000, 951_782_400_000, 1_709_542_800_123, 4_102_444_800_000, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_000, -62_167_219_200_001, 1.5, 1_709_542_800_123.25];
  for (const ms of edges) assert.equal(isoOrEmpty(ms), new Date(ms).toISOString(), String(ms));
  // A deterministic walk over many days, both directions of day changes.
  let ms = 1_600_000_000_000;
  for (let i = 0; i < 50_000; i++) {
    ms += ((i * 7919) % 200_000_000) * (i % 3 === 0 ? -1 : 1);
    assert.equal(isoOrEmpty(ms), new Date(ms).toISOString(), String(ms));
  }
  assert.equal(isoOrEmpty(Number.NaN), '');
});
