// Least privilege for the live daemon: files it writes are not world-readable, it refuses
// to keep root without being told to, and once the capture is open it becomes `run_as`.
//
// Dropping from root to an ordinary uid also clears every capability (the kernel does so on
// setuid unless told to keep them), so after the drop the process can read packets from the
// already open socket and nothing more. Nothing is created here: the user must exist
// (etc/install.sh creates it).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { RunAs } from '../config/capture-config.js';
import { UsageError } from './usage-error.js';

/** Group and other lose write; other loses read: CSVs, baselines and state are 0640, dirs 0750. */
export const DAEMON_UMASK = 0o027;

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Throws a UsageError when running as root with nothing to drop to and no --stay-root. */
export function checkRootPolicy(runAs: RunAs | null, stayRoot: boolean): void {
  if (isRoot() && runAs === null && !stayRoot) {
    throw new UsageError(
      'refusing to capture as root for good: set run_as (e.g. run_as: spanwatch) to drop privileges once the capture is open, or pass --stay-root',
    );
  }
}

/**
 * Switches to `runAs` (supplementary groups, group, then user). Returns a description such
 * as "spanwatch:spanwatch (uid 998)"; throws a UsageError naming what to fix.
 */
export function dropPrivileges(runAs: RunAs): string {
  const gid = runAs.group ?? primaryGroup(runAs.user);
  const { setgroups, setgid, setuid } = process;
  if (!setgroups || !setgid || !setuid) throw new UsageError('run_as: this platform cannot switch users');
  try {
    // Only the one group: root's supplementary groups must not survive the drop.
    setgroups([gid]);
    setgid(gid);
    setuid(runAs.user);
  } catch (err) {
    throw new UsageError(
      `run_as "${runAs.user}${runAs.group ? `:${runAs.group}` : ''}": ${(err as Error).message} (create the user, e.g. with etc/install.sh, or change run_as)`,
    );
  }
  if (isRoot()) throw new UsageError(`run_as "${runAs.user}": still root after setuid; refusing to go on`);
  return `${runAs.user}:${runAs.group ?? gid} (uid ${process.getuid!()})`;
}

/** The user's primary group id, from /etc/passwd or else `id -g` (NSS users). */
function primaryGroup(user: string): number {
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === user && f[3] !== undefined) return Number(f[3]);
    }
  } catch {
    // fall through to id(1)
  }
  try {
    return Number(execFileSync('id', ['-g', '--', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    throw new UsageError(`run_as "${user}": no such user (create it, e.g. with etc/install.sh, or change run_as)`);
  }
}
