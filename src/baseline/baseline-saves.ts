// Named saves: baselines/saves/<label>/<table>/… holds a copy of every table's files as
// they were. A save is written to a temp folder and renamed into place, so it is whole or
// absent. `restore` first saves the current state as pre-restore-<stamp> (so a restore can
// itself be undone), then writes the saved files back; `diff` lists every key whose status
// differs between a save and now.

import fs from 'node:fs';
import path from 'node:path';
import { compareKeys } from './key-values.js';
import { currentUser, type HistoryEntry } from './history-log.js';
import { SAVES_DIR, type BaselineStore } from './baseline-store.js';
import { StoreError } from './store-error.js';
import { LEARNING_FILE, readTableFiles, statusFile } from './store-files.js';
import { splitKey, STATUSES, type RowStatus, type TableBaseline } from './table-baseline.js';

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Key columns of a table: from the config, else from the files themselves. */
export type KeyColumnsOf = (table: string, dir: string) => readonly string[] | null;

export function saveDir(store: BaselineStore, label: string): string {
  if (!LABEL.test(label)) throw new StoreError(`label "${label}": use letters, digits, ".", "_" and "-" (it names a folder)`);
  return path.join(store.dir, SAVES_DIR, label);
}

export function listSaves(store: BaselineStore): { label: string; time: string; tables: string[] }[] {
  const root = path.join(store.dir, SAVES_DIR);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && LABEL.test(e.name))
    .map((e) => {
      const dir = path.join(root, e.name);
      return { label: e.name, time: fs.statSync(dir).mtime.toISOString(), tables: savedTables(dir) };
    })
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.label < b.label ? -1 : 1));
}

function savedTables(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && STATUSES.some((s) => fs.existsSync(statusFile(path.join(dir, e.name), s))))
    .map((e) => e.name)
    .sort();
}

/** Copies every table's files into saves/<label>; call inside store.update. */
export async function saveAs(store: BaselineStore, label: string, keyColumnsOf: KeyColumnsOf, force: boolean, time: string): Promise<string[]> {
  const dest = saveDir(store, label);
  if (fs.existsSync(dest) && !force) throw new StoreError(`a save named "${label}" exists (give --force to replace it)`);
  const tmp = `${dest}.tmp-${process.pid}`;
  await fs.promises.rm(tmp, { recursive: true, force: true });
  const tables = store.tables();
  for (const table of tables) {
    const cols = keyColumnsOf(table, store.tableDir(table));
    if (cols) store.load(table, cols); // refuse to save a store that does not load
    const from = store.tableDir(table);
    await fs.promises.mkdir(path.join(tmp, table), { recursive: true });
    for (const name of [...STATUSES.map((s) => `${s}.csv`), LEARNING_FILE]) {
      if (fs.existsSync(path.join(from, name))) await fs.promises.copyFile(path.join(from, name), path.join(tmp, table, name));
    }
  }
  await fs.promises.mkdir(tmp, { recursive: true });
  if (force) await fs.promises.rm(dest, { recursive: true, force: true });
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  await fs.promises.rename(tmp, dest);
  const user = currentUser();
  await store.history.append(tables.map((table): HistoryEntry => ({ time, action: 'save', table, key: null, note: '', user, label })));
  return tables;
}

/** Loads the tables of a save. */
export function loadSave(store: BaselineStore, label: string, keyColumnsOf: KeyColumnsOf): Map<string, TableBaseline> {
  const dir = saveDir(store, label);
  if (!fs.existsSync(dir)) {
    const known = listSaves(store).map((s) => s.label);
    throw new StoreError(`no save named "${label}"${known.length ? `; saves: ${known.join(', ')}` : ' (there are no saves)'}`);
  }
  const out = new Map<string, TableBaseline>();
  for (const table of savedTables(dir)) {
    const tdir = path.join(dir, table);
    const cols = keyColumnsOf(table, tdir);
    if (!cols) continue;
    out.set(table, readTableFiles(tdir, table, cols, path.join(store.display, SAVES_DIR, label, table)));
  }
  return out;
}

/** Makes the store what it was at `label`; call inside store.update. Returns the undo label. */
export async function restoreFrom(store: BaselineStore, label: string, keyColumnsOf: KeyColumnsOf, time: string): Promise<{ undo: string; tables: string[] }> {
  const saved = loadSave(store, label, keyColumnsOf);
  const undo = `pre-restore-${time.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
  await saveAs(store, undo, keyColumnsOf, true, time);
  for (const tb of saved.values()) await store.write(tb);
  for (const table of store.tables()) if (!saved.has(table)) await store.removeTable(table);
  const user = currentUser();
  const tables = [...new Set([...saved.keys(), ...store.tables()])].sort();
  await store.history.append(tables.map((table): HistoryEntry => ({ time, action: 'restore', table, key: null, note: `undo: baseline restore ${undo}`, user, label })));
  return { undo, tables: [...saved.keys()] };
}

export interface StatusChange {
  table: string;
  key: string[];
  /** Status at the save, or 'absent'. */
  before: RowStatus | 'absent';
  now: RowStatus | 'absent';
}

/** Every key whose status differs between the save and the current store, sorted. */
export function diffWithSave(saved: ReadonlyMap<string, TableBaseline>, current: ReadonlyMap<string, TableBaseline>): StatusChange[] {
  const out: StatusChange[] = [];
  const tables = [...new Set([...saved.keys(), ...current.keys()])].sort();
  for (const table of tables) {
    const a = saved.get(table);
    const b = current.get(table);
    const keys = new Set<string>([...(a?.rows.keys() ?? []), ...(b?.rows.keys() ?? [])]);
    const sorted = [...keys].sort(compareKeys);
    for (const k of sorted) {
      const before = a?.rows.get(k)?.status ?? 'absent';
      const now = b?.rows.get(k)?.status ?? 'absent';
      if (before !== now) out.push({ table, key: splitKey(k), before, now });
    }
  }
  return out;
}
