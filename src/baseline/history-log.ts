// baselines/history.jsonl: one JSON object per line for every change to the store —
// {time, action, table, key, note, user} (+ label for saves). Append-only: lines are only
// ever added, each in one write, after the change itself is on disk. A last line cut short
// by a crash is skipped when reading; a bad line elsewhere is reported as file:line.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TextBuilder } from '../report/text-builder.js';
import { StoreFormatError } from './store-error.js';

export const HISTORY_FILE = 'history.jsonl';

export type HistoryAction =
  | 'snapshot' // approved by `baseline snapshot`
  | 'learn' // approved while the table was learning
  | 'lock' // learning ended
  | 'pending' // first reported as new
  | 'approve'
  | 'deny'
  | 'forget'
  | 'prune'
  | 'save'
  | 'restore';

export interface HistoryEntry {
  /** ISO 8601 UTC: wall time for CLI changes, packet time for changes made by a run. */
  time: string;
  action: HistoryAction;
  table: string;
  /** Key values in table order; null for whole-table actions (lock, save, restore). */
  key: string[] | null;
  note: string;
  user: string;
  label?: string;
}

export function currentUser(): string {
  if (process.env.SUDO_USER) return process.env.SUDO_USER;
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export class HistoryLog {
  readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, HISTORY_FILE);
  }

  /** Appends entries in one write and flushes it to disk. */
  async append(entries: Iterable<HistoryEntry>): Promise<void> {
    // A learning run appends a line per learned row: tens of thousands at once.
    const text = new TextBuilder();
    let lines = 0;
    for (const e of entries) {
      text.add(JSON.stringify(e));
      lines++;
    }
    if (lines === 0) return;
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    const fh = await fs.promises.open(this.file, 'a', 0o644);
    try {
      await fh.writeFile(text.toString());
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  read(display = this.file): HistoryEntry[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const lines = text.split('\n');
    const complete = text.endsWith('\n');
    const out: HistoryEntry[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      const last = i === lines.length - 1;
      let e: unknown;
      try {
        e = JSON.parse(line);
      } catch {
        if (last && !complete) break; // torn by a crash mid-append
        throw new StoreFormatError(display, i + 1, 'not a JSON object');
      }
      if (!isEntry(e)) throw new StoreFormatError(display, i + 1, 'expected {time, action, table, key, note, user}');
      out.push(e);
    }
    return out;
  }
}

function isEntry(e: unknown): e is HistoryEntry {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return typeof o.time === 'string' && typeof o.action === 'string' && typeof o.table === 'string' && (o.key === null || Array.isArray(o.key));
}
