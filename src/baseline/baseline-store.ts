// The baseline store: a directory (`baselines/` by default, relative to the working
// directory) with one folder per table, history.jsonl, saves/ and the writer lock.
//
// Reading needs no lock. Every change is a read-modify-write inside `update`, which holds
// the lock (and queues callers within one process) so a running sensor, the CLI and a hand
// edit never overwrite each other's changes: each update re-reads what is on disk first.

import fs from 'node:fs';
import path from 'node:path';
import { parseCSV } from './csv-codec.js';
import { HistoryLog } from './history-log.js';
import { StoreLock, type LockOptions } from './store-lock.js';
import { LEARNING_FILE, readTableFiles, readTableFilesInTurns, statusFile, writeTableFiles } from './store-files.js';
import { STATUSES, TableBaseline, type RowStatus } from './table-baseline.js';

export const SAVES_DIR = 'saves';

export class BaselineStore {
  /** Absolute path of the store. */
  readonly dir: string;
  /** The path as the user gave it, for messages (file:line). */
  readonly display: string;
  readonly history: HistoryLog;
  private readonly lock: StoreLock;
  private queue: Promise<unknown> = Promise.resolve();
  /** Per table: the files' signature after our last read or write of them. */
  private readonly signatures = new Map<string, string>();

  constructor(dir: string, private readonly lockOptions: LockOptions = {}) {
    this.dir = path.resolve(dir);
    this.display = dir;
    this.history = new HistoryLog(this.dir);
    this.lock = new StoreLock(this.dir);
  }

  tableDir(table: string): string {
    return path.join(this.dir, table);
  }

  /** Tables that have files in the store, sorted. */
  tables(): string[] {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(this.dir, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .filter((e) => e.isDirectory() && e.name !== SAVES_DIR && STATUSES.some((s) => fs.existsSync(statusFile(this.tableDir(e.name), s))))
      .map((e) => e.name)
      .sort();
  }

  /** The key columns written in a table's files (for tables no longer in the config). */
  keyColumnsOnDisk(table: string, dir = this.tableDir(table)): string[] | null {
    for (const s of STATUSES) {
      const file = statusFile(dir, s);
      if (!fs.existsSync(file)) continue;
      const first = fs.readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
      const header = parseCSV(first, file)[0]?.fields;
      if (header && header.length > 4) return header.slice(0, -4);
    }
    return null;
  }

  load(table: string, keyColumns: readonly string[]): TableBaseline {
    const dir = this.tableDir(table);
    const sig = signature(dir);
    const tb = readTableFiles(dir, table, keyColumns, path.join(this.display, table));
    this.signatures.set(table, sig);
    return tb;
  }

  /** load(), read in turns of the event loop: a running sensor's packet loop goes on meanwhile. */
  async loadInTurns(table: string, keyColumns: readonly string[]): Promise<TableBaseline> {
    const dir = this.tableDir(table);
    const sig = signature(dir);
    const tb = await readTableFilesInTurns(dir, table, keyColumns, path.join(this.display, table));
    this.signatures.set(table, sig);
    return tb;
  }

  /** `current` when the files are as we last read or wrote them, else a fresh load (in turns). */
  async loadIfChanged(current: TableBaseline): Promise<TableBaseline> {
    if (this.signatures.get(current.table) === signature(this.tableDir(current.table))) return current;
    return this.loadInTurns(current.table, current.keyColumns);
  }

  /**
   * Runs `fn` holding the writer lock, after every earlier update of this process. `fn`
   * should load what it changes inside, so it builds on what is on disk now.
   */
  update<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = async (): Promise<T> => {
      await this.lock.acquire(this.lockOptions);
      try {
        return await fn();
      } finally {
        this.lock.release();
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Writes a table's files (call inside `update`); `statuses` in the order to write them. */
  async write(tb: TableBaseline, statuses: readonly RowStatus[] = STATUSES): Promise<void> {
    const dir = this.tableDir(tb.table);
    await writeTableFiles(dir, tb, statuses);
    this.signatures.set(tb.table, signature(dir));
  }

  /** Removes a table's files (call inside `update`). */
  async removeTable(table: string): Promise<void> {
    const dir = this.tableDir(table);
    for (const s of STATUSES) await fs.promises.rm(statusFile(dir, s), { force: true });
    await fs.promises.rm(path.join(dir, LEARNING_FILE), { force: true });
    this.signatures.delete(table);
  }
}

/** mtime, size and inode of each file: changes whenever a file is replaced or edited. */
function signature(dir: string): string {
  let sig = '';
  for (const name of [...STATUSES.map((s) => `${s}.csv`), LEARNING_FILE]) {
    try {
      const st = fs.statSync(path.join(dir, name));
      sig += `${st.ino}:${st.size}:${st.mtimeMs};`;
    } catch {
      sig += '-;';
    }
  }
  return sig;
}
