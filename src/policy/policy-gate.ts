// The per-row verdict of a policy, kept beside each table while it counts: white (every
// packet of the row allowed), black (a packet matched a deny rule, or — with `default:
// deny` — was not allowed) or grey (not allowed; the baseline decides).
//
// The exact rule, per packet counted into a row of a table under the policy:
//   1. A packet that matches a deny rule (as written, either direction) makes the row black
//      for the rest of the interval: deny wins over allow.
//   2. Else a packet is allowed when it matches an allow rule — as written if it goes from
//      client to server (or its direction is unknown: ARP, later fragments), with src and dst
//      swapped if it is a reply (server to client, by the DirectionInferrer). So a rule
//      written from the client's side (`tcp dst port 25 and dst host $mail`) allows the
//      connection's replies too.
//   3. A row is white while all its packets are allowed. Its first packet not allowed ends
//      that: the row becomes grey (handed to the baseline as at a first sight) or, with
//      `default: deny`, black.
// Verdicts are per interval, like the rows: at a row's first sight the previous verdict in
// that slot is overwritten.
//
// Per-packet cost: the rules are evaluated at most once per packet whatever the number of
// tables (lazily, only if some row under the policy needs them), each list as one combined
// predicate; a row already black needs nothing more. State is one Int32Array per table,
// indexed by row number, grown by doubling (the only allocation, as rare as table growth).
// Must not: format keys or build findings here except at a verdict change (listener calls).

import type { Frame } from '../decode/frame.js';
import type { DirectionInferrer } from '../count/direction.js';
import type { Table } from '../count/table.js';
import { firstAllow, firstDeny, type CompiledPolicy, type PolicyRule } from './policy-rules.js';

/** Verdict slot values: ≥ 0 white by that allow rule; GREY; ≤ BLACK_DEFAULT black. */
export const GREY = -1;
export const BLACK_DEFAULT = -2;
/** Black by deny rule d is stored as BLACK_RULE - d. */
const BLACK_RULE = -3;

export interface VerdictListener {
  /** The row is white at its first sight (allow rule). */
  white(table: Table, row: number, rule: PolicyRule): void;
  /** The row is grey (first sight, or its first packet not allowed): the baseline decides. */
  grey(table: Table, row: number): void;
  /** The row turned black; rule null = `default: deny`. */
  black(table: Table, row: number, rule: PolicyRule | null): void;
  /** A table the policy does not cover: the row's first sight as without a policy. */
  uncovered(table: Table, row: number): void;
}

class TableVerdicts {
  v = new Int32Array(256);
  ensure(row: number): void {
    if (row < this.v.length) return;
    let n = this.v.length * 2;
    while (n <= row) n *= 2;
    const grown = new Int32Array(n);
    grown.set(this.v);
    this.v = grown;
  }
}

const UNKNOWN = -2;

export class PolicyGate {
  /**
   * Per table its verdicts, or null when the policy does not cover it (decided at its first
   * row). Two parallel arrays searched linearly: a config has a handful of tables, and
   * comparing a few references is cheaper per packet than a Map lookup (measured).
   */
  private readonly tabs: Table[] = [];
  private readonly states: (TableVerdicts | null)[] = [];
  private f: Frame | null = null;
  private reply = false;
  private deny = UNKNOWN;
  private allowed = UNKNOWN; // -1 no, ≥0 first allow rule, UNKNOWN not evaluated
  private allowedAny = UNKNOWN; // 0 no, 1 yes, UNKNOWN not evaluated

  constructor(
    readonly policy: CompiledPolicy,
    private readonly listener: VerdictListener,
  ) {}

  private state(t: Table): TableVerdicts | null {
    const tabs = this.tabs;
    for (let i = 0; i < tabs.length; i++) if (tabs[i] === t) return this.states[i]!;
    const s = this.policy.tables === null || this.policy.tables.includes(t.name) ? new TableVerdicts() : null;
    tabs.push(t);
    this.states.push(s);
    return s;
  }

  /** Engine hook: a packet is about to be counted. */
  readonly onPacket = (f: Frame, dir: DirectionInferrer): void => {
    this.f = f;
    this.reply = dir.known && dir.clientIsSrc === 0;
    this.deny = UNKNOWN;
    this.allowed = UNKNOWN;
    this.allowedAny = UNKNOWN;
  };

  /** Engine hook: a row's first sight in this interval. */
  readonly onFirstSight = (t: Table, row: number): void => {
    const s = this.state(t);
    if (s === null) {
      this.listener.uncovered(t, row);
      return;
    }
    s.ensure(row);
    const d = this.denyIndex();
    if (d >= 0) {
      s.v[row] = BLACK_RULE - d;
      this.listener.black(t, row, this.policy.deny[d]!);
      return;
    }
    const a = this.allowIndex();
    if (a >= 0) {
      s.v[row] = a;
      this.listener.white(t, row, this.policy.allow[a]!);
      return;
    }
    this.outside(s, t, row);
  };

  /** Engine hook: another packet of a row already seen this interval. */
  readonly onRow = (t: Table, row: number): void => {
    const s = this.state(t);
    if (s === null) return;
    const v = s.v[row]!;
    if (v <= BLACK_RULE) return;
    const d = this.denyIndex();
    if (d >= 0) {
      s.v[row] = BLACK_RULE - d;
      if (v !== BLACK_DEFAULT) this.listener.black(t, row, this.policy.deny[d]!);
      return;
    }
    if (v >= 0 && !this.isAllowed()) this.outside(s, t, row);
  };

  /** The verdict slot of a row (GREY, BLACK_DEFAULT, ≥0 white rule, or a black rule: see blackRule). */
  verdict(t: Table, row: number): number | null {
    const s = this.state(t);
    return s === null ? null : s.v[row]!;
  }

  /** The deny rule of a black verdict slot, or null (not black by a rule). */
  blackRule(v: number): PolicyRule | null {
    return v <= BLACK_RULE ? this.policy.deny[BLACK_RULE - v]! : null;
  }

  private outside(s: TableVerdicts, t: Table, row: number): void {
    if (this.policy.defaultVerdict === 'deny') {
      s.v[row] = BLACK_DEFAULT;
      this.listener.black(t, row, null);
    } else {
      s.v[row] = GREY;
      this.listener.grey(t, row);
    }
  }

  private denyIndex(): number {
    if (this.deny === UNKNOWN) this.deny = firstDeny(this.policy, this.f!);
    return this.deny;
  }

  /** Whether the packet is allowed (which rule does not matter: one combined predicate). */
  private isAllowed(): boolean {
    if (this.allowed !== UNKNOWN) return this.allowed >= 0;
    if (this.allowedAny === UNKNOWN) {
      const any = this.reply ? this.policy.anyAllowReply : this.policy.anyAllow;
      this.allowedAny = any !== null && any.test(this.f!) ? 1 : 0;
    }
    return this.allowedAny === 1;
  }

  private allowIndex(): number {
    if (this.allowed === UNKNOWN) this.allowed = firstAllow(this.policy, this.f!, this.reply);
    return this.allowed;
  }
}
