// Tokenizer for pcap-filter expressions, with `$name` substitution.
//
// Words are scanned greedily the way libpcap's lexer does (so `tcp-syn`, `20-25`, `ftp-data`
// and `len-14` are single words), addresses with colons (MACs, IPv6) are single tokens, and
// every token remembers the offset where it starts in the expression as written, so errors
// point at the right column. A `$name` expands to the tokens of its value, wrapped in
// parentheses when there is more than one, all carrying the variable's own position.

import { isIPv6 } from 'node:net';
import { FilterError, positionOf } from './filter-error.js';

export type TokenKind = 'word' | 'num' | 'op' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offset in the original expression (for substituted tokens: the `$var`'s offset). */
  at: number;
  /** Written with a leading backslash: never a keyword (libpcap's `\tcp`). */
  escaped: boolean;
}

const OPS = ['&&', '||', '==', '!=', '>=', '<=', '<<', '>>', '(', ')', '[', ']', ':', '!',
  '&', '|', '^', '+', '-', '*', '/', '%', '<', '>', '='];

const isWordChar = (c: string): boolean => /[A-Za-z0-9_.\-:]/.test(c);
const MAC_RE = /^[0-9A-Fa-f]{1,2}([:.-])[0-9A-Fa-f]{1,2}(\1[0-9A-Fa-f]{1,2}){4}$/;
const MAC_DOTTED_RE = /^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/;
const NUM_RE = /^(0[xX][0-9A-Fa-f]+|[0-9]+)$/;

export function fail(expr: string, at: number, reason: string): never {
  const p = positionOf(expr, at);
  throw new FilterError(p.line, p.column, reason);
}

export function tokenize(expr: string, vars?: Record<string, string>, depth = 0): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(expr.slice(i));
      if (!m) fail(expr, i, "expected a variable name after '$'");
      const name = m[1]!;
      const value = vars?.[name];
      if (value === undefined) fail(expr, i, `unknown variable '$${name}'`);
      if (depth > 8) fail(expr, i, `variable '$${name}' expands too deeply (a loop?)`);
      let inner: Token[];
      try {
        inner = tokenize(value, vars, depth + 1);
      } catch (e) {
        if (e instanceof FilterError) fail(expr, i, `in '$${name}': ${e.reason}`);
        throw e;
      }
      if (inner.length === 0) fail(expr, i, `variable '$${name}' is empty`);
      const wrap = inner.length > 1;
      if (wrap) out.push({ kind: 'op', text: '(', at: i, escaped: false });
      for (const t of inner) out.push({ ...t, at: i });
      if (wrap) out.push({ kind: 'op', text: ')', at: i, escaped: false });
      i += m[0].length;
      continue;
    }
    const escaped = c === '\\';
    const start = escaped ? i + 1 : i;
    const head = expr[start] ?? '';
    if ((isWordChar(head) && head !== '-' && head !== ':') || expr.startsWith('::', start)) {
      let j = start;
      while (j < expr.length && isWordChar(expr[j]!)) j++;
      let word = expr.slice(start, j);
      // A colon belongs to the word only in a MAC or IPv6 address; otherwise `ip[2:2]`.
      if (word.includes(':') && !MAC_RE.test(word) && !isIPv6(word)) {
        word = word.slice(0, word.indexOf(':'));
        j = start + word.length;
      }
      out.push({ kind: NUM_RE.test(word) && !escaped ? 'num' : 'word', text: word, at: i, escaped });
      i = j;
      continue;
    }
    if (escaped) fail(expr, i, "expected a name after '\\'");
    const op = OPS.find((o) => expr.startsWith(o, i));
    if (!op) fail(expr, i, `unexpected character '${c}'`);
    out.push({ kind: 'op', text: op, at: i, escaped: false });
    i += op.length;
  }
  if (depth === 0) out.push({ kind: 'end', text: '', at: expr.length, escaped: false });
  return out;
}

/** Parses a number token as libpcap does: 0x hex, leading-0 octal, else decimal. */
export function parseNumber(text: string): number {
  if (/^0[xX]/.test(text)) return parseInt(text.slice(2), 16);
  if (text.length > 1 && text.startsWith('0')) return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
  return parseInt(text, 10);
}

export function isMAC(text: string): boolean {
  return MAC_RE.test(text) || MAC_DOTTED_RE.test(text);
}

/** A MAC literal as a 48-bit integer (exact in a double). */
export function parseMAC(text: string): number {
  const hex = MAC_DOTTED_RE.test(text)
    ? text.replace(/\./g, '')
    : text.split(/[:.-]/).map((p) => p.padStart(2, '0')).join('');
  return parseInt(hex, 16);
}
