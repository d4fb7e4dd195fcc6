// Walks a parsed YAML document with its source positions, so every value read from it can
// be blamed on a file, line, column and config path. Problems are collected, not thrown:
// a config with five mistakes reports five lines at once.

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { ConfigProblem } from './config-error.js';

export interface At {
  node: Node | null;
  path: string;
}

export class YAMLReader {
  readonly problems: ConfigProblem[] = [];
  readonly root: At;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    text: string,
  ) {
    const doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: true, prettyErrors: false });
    for (const e of doc.errors) {
      const pos = this.lines.linePos(e.pos[0]);
      this.problems.push({ file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0]! });
    }
    this.root = { node: (doc.contents as Node | null) ?? null, path: '' };
  }

  problem(at: At, message: string): void {
    const offset = at.node?.range?.[0] ?? 0;
    const pos = this.lines.linePos(offset);
    this.problems.push({ file: this.file, line: pos.line, column: pos.col, path: at.path, message });
  }

  /** Problem at a column offset inside a scalar string (for filter expressions). */
  problemInString(at: At, column: number, message: string): void {
    const node = at.node;
    let offset = node?.range?.[0] ?? 0;
    // Quoted scalars start one character before their text.
    if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) offset += 1;
    const pos = this.lines.linePos(offset + column - 1);
    this.problems.push({ file: this.file, line: pos.line, column: pos.col, path: at.path, message });
  }

  /** Entries of a mapping (keys limited to `allowed` unless null), or null with a problem. */
  map(at: At, allowed: readonly string[] | null): Map<string, At> | null {
    if (at.node === null) return new Map();
    if (!isMap(at.node)) {
      this.problem(at, 'expected a mapping (key: value lines)');
      return null;
    }
    const out = new Map<string, At>();
    for (const pair of at.node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      const path = at.path ? `${at.path}.${key}` : key;
      if (allowed !== null && !allowed.includes(key)) {
        this.problem({ node: keyNode, path }, `unknown setting "${key}"; known here: ${allowed.join(', ')}`);
        continue;
      }
      out.set(key, { node: (pair.value as Node | null) ?? null, path });
    }
    return out;
  }

  /** Items of a sequence, or null (with a problem). */
  seq(at: At): At[] | null {
    if (!isSeq(at.node)) {
      this.problem(at, 'expected a list');
      return null;
    }
    return at.node.items.map((n, i) => ({ node: n as Node, path: `${at.path}[${i}]` }));
  }

  /** A scalar as a string (numbers are accepted and stringified), or null. */
  string(at: At, what = 'a string'): string | null {
    if (!isScalar(at.node) || at.node.value === null || typeof at.node.value === 'object') {
      this.problem(at, `expected ${what}`);
      return null;
    }
    return String(at.node.value);
  }

  /** A scalar number or string, as it is. */
  scalar(at: At): string | number | null {
    if (!isScalar(at.node) || (typeof at.node.value !== 'string' && typeof at.node.value !== 'number')) {
      this.problem(at, 'expected a value');
      return null;
    }
    return at.node.value;
  }
}
