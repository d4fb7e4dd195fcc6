// Runs the real spanwatch command line in a child process (through tsx, so tests always run
// the current source) and reads back what it wrote.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './paths.js';

export interface CLIResult {
  status: number;
  stdout: string;
  stderr: string;
}

// Resolved here, not by the child: tests run the CLI from temp directories.
const TSX = import.meta.resolve('tsx');

/**
 * Runs spanwatch. Without `cwd` it runs in a fresh empty directory, so the defaults that
 * resolve against the working directory (./spanwatch.yaml, ./baselines, ./reports) never
 * touch the repository or leak from one test into another.
 */
export function spanwatch(args: readonly string[], opts: { cwd?: string; input?: Buffer | string } = {}): CLIResult {
  const cwd = opts.cwd ?? tempDir();
  const r = spawnSync(process.execPath, ['--import', TSX, path.join(REPO, 'src/cli/main.ts'), ...args], {
    cwd,
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (opts.cwd === undefined) fs.rmSync(cwd, { recursive: true, force: true });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'spanwatch-'));
}

/** Parses a CSV file as spanwatch writes it (no embedded newlines in our values). */
export function readCSV(file: string): Record<string, string>[] {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const cols = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [cols[i]!, v])));
}

/** Every file under dir, as paths relative to it, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}
