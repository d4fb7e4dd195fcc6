// The built command (`make build`: dist/cli/main.js, a bundle of the modules it loads, with
// its worker threads beside it) does what the source does: every other test runs the
// source through tsx, so this one runs the build on the bundled sample and compares.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { after, test } from 'node:test';
import { spanwatch, tempDir } from './support/cli.js';
import { REPO } from './support/paths.js';

const BUILT = path.join(REPO, 'dist/cli/main.js');
const SAMPLE = path.join(REPO, 'test/data/sample.pcap');
const root = tempDir();
after(() => fs.rmSync(root, { recursive: true, force: true }));

function built(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BUILT, ...args], { cwd, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
}

/** Every file under dir (relative paths, sorted) with its text, outbox and history left out (times of day, ids). */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!/outbox|alerts|history\.jsonl|\.lock/.test(p)) out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

test('the built command writes what the source writes: tables, findings, baseline; and reports through its own worker', () => {
  assert.ok(fs.existsSync(BUILT), `${BUILT} is missing: run make build`);
  const args = ['run', '--read', SAMPLE, '--reports', 'reports', '--baselines', 'baselines', '--learn', '4m', '--summary', 'json'];
  const a = path.join(root, 'built');
  const b = path.join(root, 'source');
  fs.mkdirSync(a);
  fs.mkdirSync(b);
  const rb = built(args, a);
  assert.equal(rb.status, 0, rb.stderr);
  const rs = spanwatch(args, { cwd: b });
  assert.equal(rs.status, 0, rs.stderr);
  const fa = files(a);
  const fb = files(b);
  assert.deepEqual([...fa.keys()], [...fb.keys()]);
  assert.ok([...fa.keys()].some((f) => f.startsWith('reports/tables/conn/')), 'interval CSVs written');
  assert.ok([...fa.keys()].some((f) => f.startsWith('reports/findings/')), 'findings written');
  assert.ok(fa.has('baselines/conn/approved.csv'), 'baseline written');
  for (const [f, text] of fa) assert.equal(text, fb.get(f), f);
  const summary = (s: string): unknown => ({ ...JSON.parse(s.trim().split('\n').at(-1)!), elapsed_ms: 0, packets_per_second: 0 });
  assert.deepEqual(summary(rb.stdout), summary(rs.stdout));
  // The report command starts its own worker thread from the bundle.
  const rep = built(['report', '--from', '2024-03-04T00:00Z', '--to', '2024-03-05T00:00Z', '--reports', 'reports', '--out', 'out'], a);
  assert.equal(rep.status, 0, rep.stderr);
  assert.ok(fs.readdirSync(path.join(a, 'out')).some((f) => f.endsWith('.html')), 'an HTML report');
});

test('the built worker threads load: the interval CSV writer and the scheduled report builder', async () => {
  for (const name of ['csv-worker', 'summary-worker']) {
    const file = path.join(REPO, 'dist/cli', `${name}.js`);
    assert.ok(fs.existsSync(file), `${file} is missing: run make build`);
    // Loaded as the CSV writer and the report runner load it (a thread of its own), then
    // reported back once every import of the bundle resolved.
    const worker = new Worker(`import(${JSON.stringify(pathToFileURL(file).href)}).then(() => require('node:worker_threads').parentPort.postMessage('loaded'));`, { eval: true });
    const answer = await new Promise<string>((resolve) => {
      worker.once('message', (m: string) => resolve(m));
      worker.once('error', (err) => resolve(`error: ${err.message}`));
    });
    await worker.terminate();
    assert.equal(answer, 'loaded', name);
  }
});
