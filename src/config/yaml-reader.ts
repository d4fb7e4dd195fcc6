// A config file: the YAML document (parsed by the `yaml` package) as a ConfigReader, with
// lines and columns from the parser's source ranges.

import { createRequire } from 'node:module';
import type { LineCounter, Node } from 'yaml';
import { ConfigReader, type At, type MapEntry } from './config-reader.js';

// The yaml package is loaded on the first config file read, not at start-up: it costs about
// 50 ms to load, and a run on the built-in default (object-reader.ts) parses no YAML. Config
// loading is synchronous, hence require(); `yaml` resolves to the same CommonJS build under
// require and import.
const require = createRequire(import.meta.url);
let yamlModule: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  return (yamlModule ??= require('yaml') as typeof import('yaml'));
}

export class YAMLReader extends ConfigReader {
  readonly root: At;
  private readonly lines: LineCounter;

  constructor(file: string, text: string) {
    super(file);
    const y = yaml();
    this.lines = new y.LineCounter();
    const doc = y.parseDocument(text, { lineCounter: this.lines, uniqueKeys: true, prettyErrors: false });
    for (const e of doc.errors) {
      const pos = this.lines.linePos(e.pos[0]);
      this.problems.push({ file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0]! });
    }
    this.root = { node: (doc.contents as Node | null) ?? null, path: '' };
  }

  protected locate(node: unknown, column?: number): { line: number; col: number } {
    let offset = (node as Node | null)?.range?.[0] ?? 0;
    if (column !== undefined) {
      // Quoted scalars start one character before their text.
      if (yaml().isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) offset += 1;
      offset += column - 1;
    }
    return this.lines.linePos(offset);
  }

  protected entries(node: unknown): MapEntry[] | null {
    const { isMap, isScalar } = yaml();
    if (!isMap(node)) return null;
    return node.items.map((pair) => {
      const keyNode = pair.key as Node | null;
      return { key: isScalar(keyNode) ? String(keyNode.value) : '', keyNode, value: (pair.value as Node | null) ?? null };
    });
  }

  protected items(node: unknown): unknown[] | null {
    return yaml().isSeq(node) ? node.items : null;
  }

  protected scalarValue(node: unknown): { value: unknown } | null {
    return yaml().isScalar(node) ? { value: node.value } : null;
  }
}
