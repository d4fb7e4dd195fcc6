// The policy inside `spanwatch run`: the gate's verdicts turned into what the run does.
// White rows are counted and silent; grey rows (and rows of tables the policy does not
// cover) go to the differ exactly as a first sight without a policy; black rows become a
// `denied_row` finding whose `detail` names the rule (`policy.deny[0] "tcp port 23 or tcp
// port 3389"`, or `policy.default "deny" (no allow rule matches)`), at most once per row per
// `suppress` window of packet time, and start the deny rule's action.
//
// Findings go into the same sink as the differ's (findings log, alert mail, kind actions).
// Policy-black rows are not written to the baseline store: the policy is configuration.

import type { Table } from '../count/table.js';
import { findingFromRow, findingIdentifier, type FindingSink } from '../diff/finding.js';
import type { ActionRunner } from './exec-action.js';
import { PolicyGate, type VerdictListener } from './policy-gate.js';
import type { CompiledPolicy, PolicyRule } from './policy-rules.js';

export interface PolicyRunOptions {
  policy: CompiledPolicy;
  /** The differ's first-sight hook (grey rows), or a no-op. */
  onGrey: (table: Table, row: number) => void;
  sink: FindingSink;
  actions: ActionRunner;
}

export interface PolicyCounts {
  white: number;
  grey: number;
  black: number;
  alarms: number;
  suppressed: number;
}

export class PolicyRun implements VerdictListener {
  readonly gate: PolicyGate;
  readonly counts: PolicyCounts = { white: 0, grey: 0, black: 0, alarms: 0, suppressed: 0 };
  /** Packet time (ms) of the last denied_row per identifier, for the suppress window. */
  private readonly lastAlarm = new Map<string, number>();

  constructor(private readonly opts: PolicyRunOptions) {
    this.gate = new PolicyGate(opts.policy, this);
  }

  white(): void {
    this.counts.white++;
  }

  grey(t: Table, row: number): void {
    this.counts.grey++;
    this.opts.onGrey(t, row);
  }

  uncovered(t: Table, row: number): void {
    this.opts.onGrey(t, row);
  }

  black(t: Table, row: number, rule: PolicyRule | null): void {
    this.counts.black++;
    const r = t.formatRow(row);
    const identifier = findingIdentifier(t.name, 'denied_row', r.key);
    const now = r.lastSeen; // the packet being handled
    const last = this.lastAlarm.get(identifier);
    if (last !== undefined && now - last < this.opts.policy.suppressMs) {
      this.counts.suppressed++;
      return;
    }
    this.lastAlarm.set(identifier, now);
    this.counts.alarms++;
    const detail = rule === null ? 'policy.default "deny" (no allow rule matches)' : `${rule.name} ${JSON.stringify(rule.text)}`;
    const f = findingFromRow('denied_row', t.name, t.parts.map((p) => p.name), r, now, detail);
    this.opts.sink.emit(f);
    if (rule?.action) this.opts.actions.run(rule.action, f);
  }

  /** One line for stderr at the end of a run. */
  logSummary(log: (message: string) => void): void {
    const c = this.counts;
    log(`policy: rows white ${c.white}, grey ${c.grey}, black ${c.black} (denied_row ${c.alarms}, suppressed ${c.suppressed})`);
  }

  /** At each interval close: forget alarms older than the window (bounds the map). */
  onInterval(endMs: number): void {
    for (const [id, t] of this.lastAlarm) if (endMs - t >= this.opts.policy.suppressMs) this.lastAlarm.delete(id);
  }
}
