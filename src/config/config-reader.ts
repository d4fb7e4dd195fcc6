// Walks a config document with its source positions, so every value read from it can be
// blamed on a file, line, column and config path. Problems are collected, not thrown:
// a config with five mistakes reports five lines at once.
//
// The block readers (load-config.ts, alert-config.ts, …) see only this class. Two sources
// implement it: YAMLReader (yaml-reader.ts) for a config file, and ObjectReader
// (object-reader.ts) for the built-in default, which is a plain object so that a run
// without a config file never loads the YAML parser.

import type { ConfigProblem } from './config-error.js';

/** A value in the document (its node is the source's own) and its config path. */
export interface At {
  node: unknown;
  path: string;
}

/** One `key: value` entry of a mapping. */
export interface MapEntry {
  key: string;
  keyNode: unknown;
  value: unknown;
}

export abstract class ConfigReader {
  readonly problems: ConfigProblem[] = [];
  abstract readonly root: At;

  constructor(readonly file: string) {}

  // What a source provides.
  /** Line and column of a node's start, or (`column`, 1-based) of a column inside its scalar text. */
  protected abstract locate(node: unknown, column?: number): { line: number; col: number };
  /** The entries of a mapping node; null when the node is not a mapping. */
  protected abstract entries(node: unknown): MapEntry[] | null;
  /** The items of a list node; null when the node is not a list. */
  protected abstract items(node: unknown): unknown[] | null;
  /** The value of a scalar node; null when the node is not a scalar. */
  protected abstract scalarValue(node: unknown): { value: unknown } | null;

  problem(at: At, message: string): void {
    const pos = this.locate(at.node);
    this.problems.push({ file: this.file, line: pos.line, column: pos.col, path: at.path, message });
  }

  /** Problem at a column inside a scalar string (for filter expressions). */
  problemInString(at: At, column: number, message: string): void {
    const pos = this.locate(at.node, column);
    this.problems.push({ file: this.file, line: pos.line, column: pos.col, path: at.path, message });
  }

  /** Entries of a mapping (keys limited to `allowed` unless null), or null with a problem. */
  map(at: At, allowed: readonly string[] | null): Map<string, At> | null {
    if (at.node === null) return new Map();
    const entries = this.entries(at.node);
    if (!entries) {
      this.problem(at, 'expected a mapping (key: value lines)');
      return null;
    }
    const out = new Map<string, At>();
    for (const { key, keyNode, value } of entries) {
      const path = at.path ? `${at.path}.${key}` : key;
      if (allowed !== null && !allowed.includes(key)) {
        this.problem({ node: keyNode, path }, `unknown setting "${key}"; known here: ${allowed.join(', ')}`);
        continue;
      }
      out.set(key, { node: value, path });
    }
    return out;
  }

  /** Whether the value is a mapping (no problem either way). */
  isMap(at: At): boolean {
    return this.entries(at.node) !== null;
  }

  /**
   * A list of table names of this config (the `tables:` of a report or of the policy),
   * each kept once; an unknown name is a problem. `ok` is false when one was found.
   */
  tableList(at: At, tableNames: readonly string[]): { tables: string[]; ok: boolean } {
    const tables: string[] = [];
    let ok = true;
    for (const item of this.seq(at) ?? []) {
      const t = this.string(item, 'a table name');
      if (t === null) continue;
      if (!tableNames.includes(t)) {
        this.problem(item, `no table "${t}" in this config; tables: ${tableNames.join(', ')}`);
        ok = false;
      } else if (!tables.includes(t)) tables.push(t);
    }
    return { tables, ok };
  }

  /** Items of a sequence, or null (with a problem). */
  seq(at: At): At[] | null {
    const items = this.items(at.node);
    if (!items) {
      this.problem(at, 'expected a list');
      return null;
    }
    return items.map((node, i) => ({ node, path: `${at.path}[${i}]` }));
  }

  /** A scalar as a string (numbers are accepted and stringified), or null. */
  string(at: At, what = 'a string'): string | null {
    const v = this.scalarValue(at.node)?.value;
    if (v === undefined || v === null || typeof v === 'object') {
      this.problem(at, `expected ${what}`);
      return null;
    }
    return String(v);
  }

  /** A scalar number or string, as it is. */
  scalar(at: At): string | number | null {
    const v = this.scalarValue(at.node)?.value;
    if (typeof v !== 'string' && typeof v !== 'number') {
      this.problem(at, 'expected a value');
      return null;
    }
    return v;
  }

  /** A true/false scalar, or null (no problem recorded: the caller words it). */
  boolean(at: At): boolean | null {
    const v = this.scalarValue(at.node)?.value;
    return typeof v === 'boolean' ? v : null;
  }
}
