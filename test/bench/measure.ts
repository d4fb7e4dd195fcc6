// Runs one benchmark command and measures it: wall time from process start to exit (taken
// here with hrtime around the spawn) and peak resident set size (GNU time's %M, the
// kernel's ru_maxrss for the process and the children it waited for, in KiB).
//
// GNU time rather than polling /proc/<pid>/status VmHWM: polling misses short runs and
// forked helpers (pmacctd's print plugin runs in a child process); ru_maxrss does not.
// The command's stdout and stderr go to files so the harness can check what it produced.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface Measurement {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  wallS: number;
  peakRssKiB: number;
  stdoutFile: string;
  stderrFile: string;
}

/** True when `cmd` can be run (absolute path that exists, or found on PATH). */
export function haveCommand(cmd: string): boolean {
  if (cmd.includes('/')) return fs.existsSync(cmd);
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && fs.existsSync(path.join(dir, cmd)));
}

/**
 * Run `cmd args` under GNU time, logs in `logDir` named after `label`; kill it (SIGKILL to
 * its process group) after `timeoutS` so one hung tool cannot stall the whole benchmark.
 */
export async function measure(
  label: string,
  cmd: string,
  args: string[],
  logDir: string,
  timeoutS: number,
  cwd?: string,
): Promise<Measurement> {
  const timeFile = path.join(logDir, `${label}.time`);
  const stdoutFile = path.join(logDir, `${label}.stdout`);
  const stderrFile = path.join(logDir, `${label}.stderr`);
  fs.rmSync(timeFile, { force: true });
  const out = fs.openSync(stdoutFile, 'w');
  const err = fs.openSync(stderrFile, 'w');
  const started = process.hrtime.bigint();
  const child = spawn(GNU_TIME, ['-f', '%e %M', '-o', timeFile, cmd, ...args], {
    stdio: ['ignore', out, err],
    detached: true, // own process group, so a timeout kill reaches the tool's children too
    cwd,
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, timeoutS * 1000);
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => resolve([code, sig]));
  });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  clearTimeout(timer);
  fs.closeSync(out);
  fs.closeSync(err);
  let peakRssKiB = NaN;
  if (fs.existsSync(timeFile)) {
    // GNU time may prefix "Command exited with non-zero status N"; the figures are last.
    const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n');
    const fields = (lines[lines.length - 1] ?? '').trim().split(/\s+/);
    peakRssKiB = Number(fields[1]);
  }
  // GNU time exits with the command's status, so a tool failure shows as a non-zero code.
  return { exitCode, signal, timedOut, wallS, peakRssKiB, stdoutFile, stderrFile };
}

/** The last `n` lines of a log file, for error messages. */
export function tail(file: string, n = 5): string {
  if (!fs.existsSync(file)) return '';
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  return lines.slice(-n).join('\n');
}
