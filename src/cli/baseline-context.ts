// What every `spanwatch baseline` command starts from: the config's tables and the store
// (--baselines over baselines_dir), the injected clock, and keys typed on the command line
// checked against the table's key fields.

import { BaselineStore } from '../baseline/baseline-store.js';
import { canonicalValue, KEY_SEP } from '../baseline/key-values.js';
import { StoreError } from '../baseline/store-error.js';
import type { Plan } from '../config/load-config.js';
import { loadPlan } from './load-plan.js';
import { UsageError } from './usage-error.js';

export interface BaselineCommonOptions {
  config?: string;
  baselines?: string;
  reports?: string;
  format?: string;
}

export class BaselineContext {
  readonly plan: Plan;
  readonly store: BaselineStore;
  /** Key columns per table in the config. */
  readonly configTables: ReadonlyMap<string, readonly string[]>;

  constructor(opts: BaselineCommonOptions) {
    this.plan = loadPlan({ config: opts.config, reports: opts.reports });
    this.store = new BaselineStore(opts.baselines ?? this.plan.baselinesDir);
    this.configTables = new Map(this.plan.tables.map((t) => [t.name, t.parts.map((p) => p.name)]));
  }

  /** Now, as ms: SPANWATCH_NOW (ISO, for tests and replays) or the wall clock. */
  now(): number {
    const env = process.env.SPANWATCH_NOW;
    if (env) {
      const t = Date.parse(env);
      if (Number.isFinite(t)) return t;
    }
    return Date.now();
  }

  nowISO(): string {
    return new Date(this.now()).toISOString();
  }

  /** Tables of the config, then any others that only exist in the store. */
  tableNames(): string[] {
    return [...new Set([...this.configTables.keys(), ...this.store.tables()])];
  }

  /** Key columns from the config, else from the table's files; null when neither knows it. */
  readonly keyColumnsOf = (table: string, dir?: string): readonly string[] | null =>
    this.configTables.get(table) ?? this.store.keyColumnsOnDisk(table, dir);

  keyColumns(table: string): readonly string[] {
    const cols = this.keyColumnsOf(table);
    if (!cols) throw new UsageError(`unknown table "${table}"; tables: ${this.tableNames().join(', ') || '(none)'}`);
    return cols;
  }

  /** The key text of values typed for `table`, each checked and put in canonical form. */
  keyOf(table: string, values: readonly string[]): string {
    const cols = this.keyColumns(table);
    if (values.length !== cols.length) {
      throw new UsageError(`table ${table} takes ${cols.length} key values (${cols.join(' ')}); got ${values.length}`);
    }
    return values
      .map((v, i) => {
        const c = canonicalValue(cols[i]!, v);
        if ('error' in c) throw new UsageError(c.error);
        return c.value;
      })
      .join(KEY_SEP);
  }
}

/** Runs a command body, turning store problems (bad file, lock held) into exit-2 errors. */
export async function storeAction(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof StoreError) throw new UsageError(err.message);
    throw err;
  }
}
