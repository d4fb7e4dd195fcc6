// The `vars:` and `policy:` blocks of the config: named values for filter expressions, and
// the allow/deny rules that decide table rows before the baseline does (src/policy/).
//
//   vars: { mail: 192.0.2.25 }
//   policy:
//     allow: ["tcp dst port 25 and dst host $mail"]           # strings, or { rule: "…" }
//     deny:
//       - rule: "tcp port 23"
//         action: { exec: ["/usr/local/sbin/lockdown"], timeout: 10s }
//     default: grey              # grey: the baseline decides; deny: everything else is black
//     tables: [conn]             # default: every table
//     suppress: 5m               # denied_row for one row at most once per 5 minutes
//     actions: { new_row: { exec: [...] } }                   # per finding kind
//
// Every rule is compiled here (with file:line:col problems, down to the column inside the
// rule: `policy.allow[2]:1:14: reason`), so a run never starts with a broken rule.

import type { FindingKind } from '../diff/finding.js';
import { FilterError } from '../filter/filter-error.js';
import { buildPolicy, compileRule, type CompiledPolicy, type ExecAction, type PolicyRule } from '../policy/policy-rules.js';
import { parseDuration } from './duration.js';
import type { At, ConfigReader } from './config-reader.js';

export const POLICY_KEYS = ['vars', 'policy'] as const;
const BLOCK_KEYS = ['allow', 'deny', 'default', 'tables', 'suppress', 'actions'];
const RULE_KEYS = ['rule', 'action'];
const ACTION_KEYS = ['exec', 'timeout'];
const KINDS: readonly FindingKind[] = ['new_row', 'denied_row', 'gone_row', 'volume_change'];
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DEFAULT_SUPPRESS_MS = 5 * 60_000;
export const DEFAULT_ACTION_TIMEOUT_MS = 10_000;

export interface PolicySettings {
  vars: Readonly<Record<string, string>>;
  /** null: no `policy:` block. */
  policy: CompiledPolicy | null;
}

export function readPolicySettings(r: ConfigReader, varsAt: At | undefined, policyAt: At | undefined, tableNames: readonly string[]): PolicySettings {
  const vars: Record<string, string> = {};
  for (const [name, at] of varsAt ? (r.map(varsAt, null) ?? []) : []) {
    if (!VAR_NAME.test(name)) r.problem(at, `variable name "${name}" must be letters, digits and _ (used as $${name})`);
    const v = r.string(at, 'a value such as 192.0.2.25');
    if (v !== null) vars[name] = v;
  }
  if (!policyAt) return { vars, policy: null };
  const before = r.problems.length;
  const m = r.map(policyAt, BLOCK_KEYS);
  if (!m) return { vars, policy: null };
  const allow = readRules(r, m.get('allow'), 'allow', vars);
  const deny = readRules(r, m.get('deny'), 'deny', vars);
  const defAt = m.get('default');
  const def = defAt ? r.string(defAt, 'grey or deny') : 'grey';
  if (defAt && def !== null && def !== 'grey' && def !== 'deny') r.problem(defAt, `"${def}" is not a default: write grey (the baseline decides) or deny (every row outside the allow list is denied)`);
  const tablesAt = m.get('tables');
  const tables = tablesAt ? r.tableList(tablesAt, tableNames).tables : null;
  const supAt = m.get('suppress');
  const suppressMs = supAt ? readDurationMs(r, supAt) : DEFAULT_SUPPRESS_MS;
  const kindActions: Partial<Record<string, ExecAction>> = {};
  const actionsAt = m.get('actions');
  for (const [kind, at] of actionsAt ? (r.map(actionsAt, KINDS) ?? []) : []) {
    const a = readAction(r, at);
    if (a) kindActions[kind] = a;
  }
  if (r.problems.length > before) return { vars, policy: null };
  return {
    vars,
    policy: buildPolicy({ allow, deny, vars, defaultVerdict: def === 'deny' ? 'deny' : 'grey', tables, suppressMs: suppressMs ?? DEFAULT_SUPPRESS_MS, kindActions }),
  };
}

function readRules(r: ConfigReader, at: At | undefined, kind: 'allow' | 'deny', vars: Record<string, string>): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const item of at ? (r.seq(at) ?? []) : []) {
    let textAt = item;
    let action: ExecAction | null = null;
    if (r.isMap(item)) {
      const m = r.map(item, RULE_KEYS);
      if (!m) continue;
      const ruleAt = m.get('rule');
      if (!ruleAt) {
        r.problem(item, 'a rule needs "rule": a filter expression such as "tcp port 23"');
        continue;
      }
      textAt = ruleAt;
      const actionAt = m.get('action');
      if (actionAt) action = readAction(r, actionAt);
      if (actionAt && kind === 'allow') r.problem(actionAt, 'actions belong to deny rules (allowed rows are silent)');
    }
    const text = r.string(textAt, 'a filter expression');
    if (text === null) continue;
    try {
      out.push(compileRule(kind, out.length, text, vars, action));
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      r.problemInString({ node: textAt.node, path: `${textAt.path}:${err.line}:${err.column}` }, err.column, err.reason);
    }
  }
  return out;
}

function readAction(r: ConfigReader, at: At): ExecAction | null {
  const m = r.map(at, ACTION_KEYS);
  if (!m) return null;
  const execAt = m.get('exec');
  if (!execAt) {
    r.problem(at, 'an action needs "exec": the command and its arguments as a list, run without a shell');
    return null;
  }
  const argv: string[] = [];
  for (const item of r.seq(execAt) ?? []) {
    const s = r.string(item, 'an argument');
    if (s !== null) argv.push(s);
  }
  if (argv.length === 0 || argv[0] === '') {
    r.problem(execAt, 'exec needs at least the command, e.g. ["/usr/local/sbin/lockdown", "--reason", "telnet"]');
    return null;
  }
  const toAt = m.get('timeout');
  const timeoutMs = toAt ? readDurationMs(r, toAt) : DEFAULT_ACTION_TIMEOUT_MS;
  return timeoutMs === null ? null : { exec: argv, timeoutMs };
}

function readDurationMs(r: ConfigReader, at: At): number | null {
  const v = r.scalar(at);
  const sec = v === null ? null : parseDuration(v);
  if (v !== null && (sec === null || sec <= 0)) {
    r.problem(at, `"${v}" is not a duration > 0 (write 30s, 5m, 1h)`);
    return null;
  }
  return sec === null ? null : sec * 1000;
}
