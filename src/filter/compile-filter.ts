// Public entry of the filter stage: compile a tcpdump (pcap-filter) expression once into a
// predicate over the decoded Frame.
//
// The expression is parsed once (errors: FilterError with line:column and reason), then
// lowered and compiled once per link type, the first time a frame of that link type shows
// up; after that test() is a link-type compare and a call to the compiled function, with no
// allocation. The predicate reads only frame.buf/off/caplen/wirelen/linkType, so it gives
// the same answer whether or not decodePacket ran first, and can drop packets before decode.
//
// Backend choice, measured with test/bench/filter-bench.ts over 1064 decoded frames of
// ssh, bgp-4byte-asn, mptcp-v0, afs and dhcp-rfc4388 (Node 20, 2 cores, machine shared with
// other builds, load ~5), predicates per second:
//   5 clauses `tcp and (port 22 or port 179 or portrange 6000-6100) and not host 10.9.9.9
//   and tcp[tcpflags] & tcp-syn == 0`:   codegen 46.3 M/s, closure tree 3.2 M/s (14x)
//   `udp port 53 or udp port 7000`:       codegen 38.2 M/s, closure tree 4.8 M/s (8x)
//   `net 131.151.0.0/16 and not icmp`:    codegen 49.4 M/s, closure tree 7.3 M/s (7x)
// Code generation is the default; the closure tree stays for environments that forbid
// `new Function`, and both are checked against each other in the differential test.

import type { Frame } from '../decode/frame.js';
import type { Bool } from './filter-ast.js';
import { compileClosure } from './filter-closure.js';
import { compileCodegen, generateSource, type Predicate } from './filter-codegen.js';
import { FilterError } from './filter-error.js';
import { tokenize } from './filter-lexer.js';
import { lowerForLinkType } from './filter-lower.js';
import { FilterParser } from './filter-parser.js';

export { FilterError } from './filter-error.js';

export type FilterBackend = 'codegen' | 'closure';

export interface CompiledFilter {
  /** True when the frame matches; reads frame.buf within caplen, never throws, never allocates. */
  test(f: Frame): boolean;
  /** The expression as written. */
  readonly source: string;
  /**
   * Why tcpdump would refuse this expression on captures of this link type (e.g. `ether
   * host` on raw IP, `vlan` on Linux cooked), or null. On such a link type test() is false.
   */
  refusedFor(linkType: number): string | null;
  /** The generated JavaScript for one link type (debugging aid; codegen form). */
  generatedFor(linkType: number): string;
}

interface PerLink {
  fn: Predicate;
  refused: string | null;
}

class Filter implements CompiledFilter {
  private lastLinkType = -1;
  private lastFn: Predicate = () => false;
  private readonly perLink = new Map<number, PerLink>();

  constructor(
    readonly source: string,
    private readonly ast: Bool,
    private readonly backend: FilterBackend,
  ) {}

  test(f: Frame): boolean {
    if (f.linkType !== this.lastLinkType) this.select(f.linkType);
    return this.lastFn(f);
  }

  refusedFor(linkType: number): string | null {
    return this.forLink(linkType).refused;
  }

  generatedFor(linkType: number): string {
    return generateSource(lowerForLinkType(this.ast, linkType).cond);
  }

  private select(linkType: number): void {
    this.lastFn = this.forLink(linkType).fn;
    this.lastLinkType = linkType;
  }

  private forLink(linkType: number): PerLink {
    let p = this.perLink.get(linkType);
    if (!p) {
      const { cond, refused } = lowerForLinkType(this.ast, linkType);
      p = { fn: this.backend === 'codegen' ? compileCodegen(cond) : compileClosure(cond), refused };
      this.perLink.set(linkType, p);
    }
    return p;
  }
}

/** Parses `expr` (with `$name` taken from `vars`); throws FilterError when it cannot. */
export function parseFilter(expr: string, vars?: Record<string, string>): Bool {
  return new FilterParser(expr, tokenize(expr, vars)).parse();
}

export function compileFilter(expr: string, vars?: Record<string, string>, backend: FilterBackend = 'codegen'): CompiledFilter {
  const ast = parseFilter(expr, vars);
  // Lower once for Ethernet now, so a lowering bug surfaces at compile time, not per packet.
  lowerForLinkType(ast, 1);
  return new Filter(expr, ast, backend);
}

export function isFilterError(e: unknown): e is FilterError {
  return e instanceof FilterError;
}
