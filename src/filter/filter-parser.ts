// Recursive-descent parser for pcap-filter expressions (tcpdump's language), producing the
// link-type-independent AST of filter-ast.ts.
//
// tcpdump's rules kept here: `and`/`or` share one precedence and associate left, `not`
// binds tighter; a bare value after `and`/`or`/`not`/`(` inherits the qualifiers of the
// last qualified primitive (`host a and b`, `port 25 or 587`, `src host a or b`); each
// `vlan` shifts every later primitive one tag inward. What the values mean (addresses,
// ports, names) is built by filter-primitives.ts. Nothing here is used per packet.

import type { Arith, Bool } from './filter-ast.js';
import { FilterError } from './filter-error.js';
import { fail, parseNumber, type Token } from './filter-lexer.js';
import { ARITH_CONSTANTS } from './filter-names.js';
import { buildPrimitive, protoAbbrev, type Qual } from './filter-primitives.js';

const PROTO_QUALS = new Set(['ether', 'link', 'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'sctp', 'icmp', 'icmp6']);
const LOAD_PROTOS = new Set(['ether', 'link', 'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'sctp', 'icmp', 'icmp6']);
const TYPE_QUALS = new Set(['host', 'net', 'port', 'portrange', 'proto', 'gateway']);
const KEYWORDS = new Set([...PROTO_QUALS, ...TYPE_QUALS, 'src', 'dst', 'and', 'or', 'not',
  'vlan', 'less', 'greater', 'len', 'mask', 'broadcast', 'multicast', 'inbound', 'outbound',
  'mpls', 'pppoed', 'pppoes', 'geneve', 'protochain', 'igmp', 'igrp', 'pim', 'vrrp', 'carp',
  'decnet', 'lat', 'sca', 'moprc', 'mopdl', 'iso', 'esis', 'isis', 'clnp', 'stp', 'ipx',
  'netbeui', 'atalk', 'aarp', 'fddi', 'tr', 'wlan', 'llc', 'ifname', 'on', 'rnr', 'rulenum',
  'reason', 'rset', 'srnr', 'subrulenum', 'action', 'type', 'subtype', 'dir', 'ah', 'esp']);
const UNSUPPORTED = new Set([...KEYWORDS].filter((k) => !PROTO_QUALS.has(k) && !TYPE_QUALS.has(k) &&
  !['src', 'dst', 'and', 'or', 'not', 'vlan', 'less', 'greater', 'len', 'mask'].includes(k)));
const ARITH_OPS = new Set(['+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>']);
const REL_OPS = new Set(['>', '<', '>=', '<=', '=', '==', '!=']);
const LEVELS: readonly (readonly string[])[] = [['^'], ['|'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

export class FilterParser {
  private pos = 0;
  private vlanDepth = 0;
  /** Qualifiers a bare value inherits; null where tcpdump has none to give (start, after `tcp`). */
  private lastQ: Qual | null = null;

  constructor(
    private readonly expr: string,
    private readonly toks: readonly Token[],
  ) {}

  parse(): Bool {
    if (this.peek().kind === 'end') fail(this.expr, 0, 'empty filter expression');
    const e = this.parseExpr();
    const t = this.peek();
    if (t.kind !== 'end') {
      fail(this.expr, t.at, t.text === ')' ? "unbalanced ')'" : `expected 'and' or 'or' before '${t.text}'`);
    }
    return e;
  }

  private peek(n = 0): Token {
    return this.toks[Math.min(this.pos + n, this.toks.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    this.pos++;
    return t;
  }
  private isWord(t: Token, text: string): boolean {
    return t.kind === 'word' && !t.escaped && t.text === text;
  }
  private isOp(t: Token, text: string): boolean {
    return t.kind === 'op' && t.text === text;
  }
  private boolOp(t: Token): 'and' | 'or' | null {
    if (this.isWord(t, 'and') || this.isOp(t, '&&')) return 'and';
    if (this.isWord(t, 'or') || this.isOp(t, '||')) return 'or';
    return null;
  }
  private expectOp(text: string, why: string): Token {
    const t = this.peek();
    if (!this.isOp(t, text)) fail(this.expr, t.at, why);
    return this.next();
  }

  private parseExpr(): Bool {
    let left = this.parseTerm();
    for (let op = this.boolOp(this.peek()); op; op = this.boolOp(this.peek())) {
      const t = this.next();
      const n = this.peek();
      if (n.kind === 'end' || this.isOp(n, ')')) fail(this.expr, n.kind === 'end' ? t.at : n.at, `expected an expression after '${t.text}'`);
      left = { k: op, a: left, b: this.parseTerm() };
    }
    return left;
  }

  private parseTerm(): Bool {
    const t = this.peek();
    if (this.isWord(t, 'not') || this.isOp(t, '!')) {
      this.next();
      if (this.peek().kind === 'end') fail(this.expr, t.at, `expected an expression after '${t.text}'`);
      return { k: 'not', a: this.parseTerm() };
    }
    if (this.isOp(t, '(')) {
      // `(tcp[13] & 2) != 0` is arithmetic; `(host a or b)` is a group: try the first.
      const save = this.pos;
      const saveQ = this.lastQ;
      try {
        return this.parseRelation();
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        this.pos = save;
        this.lastQ = saveQ;
      }
      return this.parseGroup(this.lastQ);
    }
    if (this.startsBareValue()) {
      if (!this.lastQ) {
        fail(this.expr, t.at, `'${t.text}' needs a qualifier in front, such as 'host', 'net' or 'port'`);
      }
      return this.primitive(this.lastQ);
    }
    return this.parsePrimitive();
  }

  /** `( expr )`, where bare values inside inherit `q` (the qualifiers before the paren). */
  private parseGroup(q: Qual | null): Bool {
    const open = this.next();
    this.lastQ = q;
    if (this.isOp(this.peek(), ')')) fail(this.expr, this.peek().at, "expected an expression after '('");
    const inner = this.parseExpr();
    if (!this.isOp(this.peek(), ')')) {
      const t = this.peek();
      fail(this.expr, t.kind === 'end' ? open.at : t.at,
        t.kind === 'end' ? "'(' is never closed" : `expected ')' or 'and'/'or' before '${t.text}'`);
    }
    this.next();
    this.lastQ = q;
    return inner;
  }

  private startsBareValue(): boolean {
    const t = this.peek();
    const after = this.peek(1);
    if (after.kind === 'op' && (ARITH_OPS.has(after.text) || REL_OPS.has(after.text) || after.text === '[')) return false;
    if (t.kind === 'num') return true;
    return t.kind === 'word' && (t.escaped || !KEYWORDS.has(t.text)) && !ARITH_CONSTANTS.has(t.text);
  }

  private parsePrimitive(): Bool {
    const t = this.peek();
    if (t.kind === 'end') fail(this.expr, t.at, 'expected an expression');
    if (t.kind === 'num' || this.isOp(t, '-') || this.isOp(t, '(')) return this.parseRelation();
    if (t.kind === 'op') fail(this.expr, t.at, `unexpected '${t.text}'`);
    const w = t.escaped ? '' : t.text;
    if (w === 'vlan') return this.parseVLAN();
    if (w === 'less' || w === 'greater') {
      this.next();
      const n = this.peek();
      if (n.kind !== 'num') fail(this.expr, n.at, `expected a length after '${w}'`);
      this.next();
      this.lastQ = null;
      return { k: 'rel', op: w === 'less' ? '<=' : '>=', a: { k: 'len' }, b: { k: 'num', v: this.number(n) } };
    }
    if (w === 'len' || ARITH_CONSTANTS.has(w)) return this.parseRelation();
    if (PROTO_QUALS.has(w)) {
      const n = this.peek(1);
      if (this.isOp(n, '[')) return this.parseRelation();
      if (n.kind === 'word' && !n.escaped && (TYPE_QUALS.has(n.text) || n.text === 'src' || n.text === 'dst')) {
        return this.parseQualified();
      }
      this.next();
      this.lastQ = null;
      return protoAbbrev(this.expr, t, this.vlanDepth);
    }
    if (TYPE_QUALS.has(w) || w === 'src' || w === 'dst') return this.parseQualified();
    if (w === 'and' || w === 'or' || w === 'mask') fail(this.expr, t.at, `expected an expression before '${w}'`);
    if (UNSUPPORTED.has(w)) fail(this.expr, t.at, `'${w}' is not supported by spanwatch filters`);
    fail(this.expr, t.at, `unknown primitive '${t.text}'`);
  }

  private parseVLAN(): Bool {
    this.next();
    let id = -1;
    const n = this.peek();
    if (n.kind === 'num') {
      this.next();
      id = this.number(n);
      if (id > 4095) fail(this.expr, n.at, `VLAN tag ${id} greater than maximum 4095`);
    }
    this.lastQ = null;
    return { k: 'vlan', depth: this.vlanDepth++, id };
  }

  /** [proto] [src|dst|src or dst|src and dst] [host|net|port|portrange|proto] value. */
  private parseQualified(): Bool {
    const start = this.peek();
    const q: Qual = { proto: 'default', dir: 'default', type: 'default', at: start.at };
    if (PROTO_QUALS.has(start.text)) q.proto = this.next().text === 'link' ? 'ether' : start.text;
    const d = this.peek();
    if (this.isWord(d, 'src') || this.isWord(d, 'dst')) {
      this.next();
      q.dir = d.text as 'src' | 'dst';
      const op = this.boolOp(this.peek());
      const other = this.peek(1);
      if (op && other.kind === 'word' && other.text === (d.text === 'src' ? 'dst' : 'src')) {
        this.pos += 2;
        q.dir = op;
      }
    }
    const ty = this.peek();
    if (ty.kind === 'word' && !ty.escaped && TYPE_QUALS.has(ty.text)) {
      this.next();
      q.type = ty.text as Qual['type'];
    }
    if (this.isOp(this.peek(), '(')) return this.parseGroup(q);
    return this.primitive(q);
  }

  /** A value with its qualifiers (explicit or inherited); leaves them for the next bare value. */
  private primitive(q: Qual): Bool {
    const before = this.pos;
    const node = buildPrimitive(this.expr, q, this.toks, before, this.vlanDepth, (n) => (this.pos = n));
    this.lastQ = q;
    return node;
  }

  private parseRelation(): Bool {
    const a = this.parseArith(0);
    const t = this.peek();
    if (t.kind !== 'op' || !REL_OPS.has(t.text)) {
      fail(this.expr, t.at, "expected a comparison ('=', '!=', '<', '>', '<=', '>=') after the arithmetic expression");
    }
    this.next();
    const b = this.parseArith(0);
    this.lastQ = null;
    return { k: 'rel', op: t.text === '=' ? '==' : t.text, a, b };
  }

  private parseArith(level: number): Arith {
    if (level === LEVELS.length) return this.parseUnary();
    let a = this.parseArith(level + 1);
    for (let t = this.peek(); t.kind === 'op' && LEVELS[level]!.includes(t.text); t = this.peek()) {
      this.next();
      const b = this.parseArith(level + 1);
      if ((t.text === '/' || t.text === '%') && b.k === 'num' && b.v === 0) {
        fail(this.expr, t.at, t.text === '/' ? 'division by zero' : 'modulus by zero');
      }
      a = { k: 'bin', op: t.text, a, b };
    }
    return a;
  }

  private parseUnary(): Arith {
    const t = this.next();
    if (t.kind === 'num') return { k: 'num', v: this.number(t) };
    if (this.isOp(t, '-')) return { k: 'neg', a: this.parseUnary() };
    if (this.isOp(t, '(')) {
      const a = this.parseArith(0);
      this.expectOp(')', "expected ')' to close the arithmetic expression");
      return a;
    }
    if (t.kind === 'word' && !t.escaped) {
      if (t.text === 'len') return { k: 'len' };
      const c = ARITH_CONSTANTS.get(t.text);
      if (c !== undefined) return { k: 'num', v: c };
      if (LOAD_PROTOS.has(t.text) && this.isOp(this.peek(), '[')) {
        this.next();
        const index = this.parseArith(0);
        let size: 1 | 2 | 4 = 1;
        if (this.isOp(this.peek(), ':')) {
          this.next();
          const s = this.peek();
          const n = s.kind === 'num' ? this.number(s) : -1;
          if (n !== 1 && n !== 2 && n !== 4) fail(this.expr, s.at, 'data size must be 1, 2, or 4');
          this.next();
          size = n;
        }
        this.expectOp(']', `expected ']' to close '${t.text}['`);
        const proto = (t.text === 'link' ? 'ether' : t.text) as Extract<Arith, { k: 'load' }>['proto'];
        return { k: 'load', proto, depth: this.vlanDepth, index, size };
      }
    }
    fail(this.expr, t.at, t.kind === 'end'
      ? 'expression ends where a value was expected'
      : `expected a number, 'len' or a header access such as 'ip[8]', not '${t.text}'`);
  }

  private number(t: Token): number {
    const v = parseNumber(t.text);
    if (!Number.isFinite(v) || v > 0xffffffff) fail(this.expr, t.at, `'${t.text}' is not a valid 32-bit number`);
    return v;
  }
}
