// The allow and deny rules of a `policy:` block, compiled once: each rule as written (a
// tcpdump filter with `$vars`), each allow rule's mirror (src and dst swapped: the replies
// of what the rule allows), and one combined predicate per list so the common case — a
// packet that matches no deny rule, or some allow rule — costs one generated function call.
//
// Nothing here runs per packet except the CompiledFilter predicates themselves; the
// combined predicates are `(r1) or (r2) or …` of the same texts, so they select exactly the
// union of the rules (test/policy-tcpdump.test.ts checks rules, mirrors and unions against
// tcpdump).

import type { Frame } from '../decode/frame.js';
import { compileFilter, type CompiledFilter } from '../filter/compile-filter.js';
import { fail, tokenize } from '../filter/filter-lexer.js';

/** `exec` action: argv run without a shell, the finding as JSON on stdin. */
export interface ExecAction {
  exec: readonly string[];
  timeoutMs: number;
}

export interface PolicyRule {
  kind: 'allow' | 'deny';
  /** Position in its list (0-based) and the config path naming it, e.g. `policy.deny[0]`. */
  index: number;
  name: string;
  /** The rule as written. */
  text: string;
  filter: CompiledFilter;
  /** Allow rules: the rule with src and dst swapped, matched against replies. */
  mirror: CompiledFilter | null;
  action: ExecAction | null;
}

export type DefaultVerdict = 'grey' | 'deny';

export interface CompiledPolicy {
  allow: readonly PolicyRule[];
  deny: readonly PolicyRule[];
  /** Union of the allow rules as written / of their mirrors / of the deny rules; null when the list is empty. */
  anyAllow: CompiledFilter | null;
  anyAllowReply: CompiledFilter | null;
  anyDeny: CompiledFilter | null;
  defaultVerdict: DefaultVerdict;
  /** Tables the policy decides rows of; null: every table. */
  tables: readonly string[] | null;
  /** denied_row for the same row at most once per this many ms of packet time. */
  suppressMs: number;
  /** Actions per finding kind (any finding of that kind, from the policy or the baseline). */
  kindActions: Readonly<Partial<Record<string, ExecAction>>>;
}

/**
 * The rule with every `src` and `dst` qualifier swapped, as text: `tcp dst port 25 and dst
 * host $mail` → `tcp src port 25 and src host $mail`. Throws FilterError where no exact
 * mirror can be written (a variable whose value holds src/dst).
 */
export function mirrorRuleText(text: string, vars: Record<string, string>): string {
  let out = '';
  let last = 0;
  for (const t of tokenize(text, vars)) {
    if (t.kind !== 'word' || t.escaped || (t.text !== 'src' && t.text !== 'dst')) continue;
    if (text.slice(t.at, t.at + 3) !== t.text) fail(text, t.at, 'a variable in an allow rule may not hold src or dst (replies are matched with src and dst swapped)');
    out += text.slice(last, t.at) + (t.text === 'src' ? 'dst' : 'src');
    last = t.at + 3;
  }
  return out + text.slice(last);
}

/** Compiles one rule (throws FilterError with line:column in the rule as written). */
export function compileRule(kind: 'allow' | 'deny', index: number, text: string, vars: Record<string, string>, action: ExecAction | null): PolicyRule {
  const filter = compileFilter(text, vars);
  const mirror = kind === 'allow' ? compileFilter(mirrorRuleText(text, vars), vars) : null;
  return { kind, index, name: `policy.${kind}[${index}]`, text, filter, mirror, action };
}

/** `(a) or (b) or …` of the texts, or null for none. */
export function unionFilter(texts: readonly string[], vars: Record<string, string>): CompiledFilter | null {
  if (texts.length === 0) return null;
  return compileFilter(texts.map((t) => `(${t})`).join(' or '), vars);
}

export function buildPolicy(opts: {
  allow: readonly PolicyRule[];
  deny: readonly PolicyRule[];
  vars: Record<string, string>;
  defaultVerdict: DefaultVerdict;
  tables: readonly string[] | null;
  suppressMs: number;
  kindActions: Readonly<Partial<Record<string, ExecAction>>>;
}): CompiledPolicy {
  const { allow, deny, vars } = opts;
  return {
    allow,
    deny,
    anyAllow: unionFilter(allow.map((r) => r.text), vars),
    anyAllowReply: unionFilter(allow.map((r) => mirrorRuleText(r.text, vars)), vars),
    anyDeny: unionFilter(deny.map((r) => r.text), vars),
    defaultVerdict: opts.defaultVerdict,
    tables: opts.tables,
    suppressMs: opts.suppressMs,
    kindActions: opts.kindActions,
  };
}

/** Index of the first deny rule the packet matches, or -1. */
export function firstDeny(p: CompiledPolicy, f: Frame): number {
  if (p.anyDeny === null || !p.anyDeny.test(f)) return -1;
  const rules = p.deny;
  for (let i = 0; i < rules.length; i++) if (rules[i]!.filter.test(f)) return i;
  return -1;
}

/** Index of the first allow rule the packet matches (its mirror for a reply), or -1. */
export function firstAllow(p: CompiledPolicy, f: Frame, reply: boolean): number {
  const any = reply ? p.anyAllowReply : p.anyAllow;
  if (any === null || !any.test(f)) return -1;
  const rules = p.allow;
  for (let i = 0; i < rules.length; i++) if ((reply ? rules[i]!.mirror! : rules[i]!.filter).test(f)) return i;
  return -1;
}
