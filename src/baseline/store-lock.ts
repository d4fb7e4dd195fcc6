// The writer lock: `baselines/.lock`, created exclusively (O_EXCL) and holding
// "<pid> <host> <time>". Readers never lock (every file is replaced by rename, so they see
// a whole old or a whole new file); every read-modify-write of the store holds it, briefly.
//
// A lock whose process is gone (killed, crashed) is stale and is taken over: it is first
// renamed aside and re-read, so two processes that both found it stale cannot both remove
// a lock that one of them has just taken.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StoreLockedError } from './store-error.js';

export const LOCK_FILE = '.lock';
const RETRY_MS = 50;

export interface LockOptions {
  /** How long to wait for another writer before giving up (ms). */
  waitMs?: number;
}

export class StoreLock {
  private held = false;
  readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, LOCK_FILE);
  }

  async acquire(opts: LockOptions = {}): Promise<void> {
    const deadline = Date.now() + (opts.waitMs ?? 10_000);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    for (;;) {
      if (this.tryAcquire()) return;
      if (Date.now() >= deadline) {
        const holder = readHolder(this.file);
        throw new StoreLockedError(`${this.file} is held by ${holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : 'another writer'}; try again when it is done`);
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }

  /** One attempt: true when the lock is now ours. */
  tryAcquire(): boolean {
    try {
      const fd = fs.openSync(this.file, 'wx', 0o644);
      fs.writeSync(fd, `${process.pid} ${os.hostname()} ${new Date().toISOString()}\n`);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      this.held = true;
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(this.file);
    // An empty lock older than a moment: its writer died between create and write.
    const stale = holder === null ? emptyAndOld(this.file) : holder.host === os.hostname() && !processAlive(holder.pid);
    if (stale) this.breakStale(holder?.text ?? '');
    return false;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    fs.rmSync(this.file, { force: true });
  }

  private breakStale(seen: string): void {
    const aside = `${this.file}.stale-${process.pid}`;
    try {
      fs.renameSync(this.file, aside);
    } catch {
      return; // someone else broke it first
    }
    const text = readText(aside);
    const stillStale = text === seen || (seen === '' && (text === null || readHolderText(text) === null));
    if (!stillStale) {
      // We moved a lock taken after we looked: put it back unless yet another was taken.
      try {
        fs.linkSync(aside, this.file);
      } catch {
        /* a newer lock exists; the one we moved is lost to its owner, who will see it */
      }
    }
    fs.rmSync(aside, { force: true });
  }
}

interface Holder {
  pid: number;
  host: string;
  since: string;
  text: string;
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function readHolder(file: string): Holder | null {
  const text = readText(file);
  return text === null ? null : readHolderText(text);
}

function readHolderText(text: string): Holder | null {
  const [pid, host, since] = text.trim().split(' ');
  if (!pid || !/^\d+$/.test(pid) || !host) return null;
  return { pid: Number(pid), host, since: since ?? '?', text };
}

function emptyAndOld(file: string): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs > 2000;
  } catch {
    return false;
  }
}

/** Whether a process exists; EPERM means it does, under another user (a daemon after run_as). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
