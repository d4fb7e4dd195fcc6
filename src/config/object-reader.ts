// The built-in default config as a ConfigReader: a plain object walked with the same checks
// as a config file, without loading the YAML parser. It has no source text, so a problem
// (a bug in default-config.ts; a test compiles it) is placed at line 1, column 1.

import { ConfigReader, type At, type MapEntry } from './config-reader.js';

/** A config document as plain data: what a YAML file would parse to. */
export type ConfigValue = string | number | boolean | null | readonly ConfigValue[] | { readonly [key: string]: ConfigValue };

export class ObjectReader extends ConfigReader {
  readonly root: At;

  constructor(file: string, doc: ConfigValue) {
    super(file);
    this.root = { node: doc, path: '' };
  }

  protected locate(): { line: number; col: number } {
    return { line: 1, col: 1 };
  }

  protected entries(node: unknown): MapEntry[] | null {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
    return Object.entries(node).map(([key, value]) => ({ key, keyNode: null, value: value as unknown }));
  }

  protected items(node: unknown): unknown[] | null {
    return Array.isArray(node) ? node : null;
  }

  protected scalarValue(node: unknown): { value: unknown } | null {
    return node === null || typeof node !== 'object' ? { value: node } : null;
  }
}
