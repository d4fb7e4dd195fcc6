// The built-in default config is plain data (src/config/default-config.ts) so that a run
// without a config file never loads the YAML parser; the README shows it as YAML. These
// keep the two in step and check that a file replay on the default stays light.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { DEFAULT_CONFIG } from '../src/config/default-config.js';
import { compileConfig, defaultPlan, DEFAULT_CONFIG_NAME } from '../src/config/load-config.js';
import { tempDir } from './support/cli.js';
import { REPO } from './support/paths.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The YAML block the README gives as the built-in default. */
function readmeDefault(): string {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const m = /else the built-in\s+default:\s+```yaml\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README.md shows the built-in default as a yaml block');
  return m[1]!;
}

test('the built-in default is the config the README shows', () => {
  assert.deepEqual(parse(readmeDefault()), DEFAULT_CONFIG);
});

test('the built-in default compiles to the plan of the same config read from a file', () => {
  const plan = defaultPlan();
  const fromFile = compileConfig('spanwatch.yaml', readmeDefault());
  assert.equal(plan.file, DEFAULT_CONFIG_NAME);
  assert.deepEqual({ ...plan, file: '' }, { ...fromFile, file: '' });
});

test('a file replay on the built-in default loads neither yaml, node-cron nor nodemailer', () => {
  const loaded = path.join(dir, 'loaded.txt');
  // Every ESM import resolved (a loader hook), and every CommonJS module in require.cache at exit.
  const hooks = `import fs from 'node:fs';
    export async function resolve(s, c, next) { const r = await next(s, c); fs.appendFileSync(${JSON.stringify(loaded)}, r.url + '\\n'); return r; }`;
  const recorder = `import fs from 'node:fs';
    import { createRequire, register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));
    process.on('exit', () => fs.appendFileSync(${JSON.stringify(loaded)}, Object.keys(createRequire(${JSON.stringify(loaded)}).cache).join('\\n') + '\\n'));`;
  const r = spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), '--import', `data:text/javascript,${encodeURIComponent(recorder)}`, path.join(REPO, 'src/cli/main.ts'),
      'run', '--read', path.join(REPO, 'test/data/sample.pcap'), '--no-baseline', '--summary', 'none'],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const files = fs.readFileSync(loaded, 'utf8');
  assert.match(files, /src\/cli\/run-command\.ts/, 'the recorder sees the modules loaded');
  assert.match(files, /node_modules\/commander\//, 'the recorder sees packages loaded');
  assert.doesNotMatch(files, /node_modules\/(yaml|node-cron|nodemailer)\//);
});
