// What `spanwatch policy test --read FILE` computes: the whole capture counted as one
// interval into the configured tables, with every rule evaluated on every packet on its own
// (packets it matches as written, rows holding such a packet) and the row verdicts of the
// run's own gate (white, black by which rule, grey). Not the run path: here each rule is
// tested separately, so the counts are exactly what `tcpdump -r FILE RULE` selects.

import type { Plan } from '../config/load-config.js';
import { CountingEngine } from '../count/counting-engine.js';
import type { Table } from '../count/table.js';
import type { SourceStats } from '../source/packet-source.js';
import { CaptureFileSource } from '../source/capture-file.js';
import { BLACK_DEFAULT, GREY, PolicyGate, type VerdictListener } from './policy-gate.js';
import type { CompiledPolicy, PolicyRule } from './policy-rules.js';

/** One interval longer than any capture: rows are counted once for the whole file. */
const WHOLE_FILE_SEC = 2 ** 40;

export interface RuleResult {
  rule: string;
  text: string;
  packets: number;
  rows: number;
  /** Packet numbers (1-based, in file order) matched, when asked for. */
  packetNumbers?: number[];
}

export interface RowVerdict {
  table: string;
  key: string[];
  packets: number;
  verdict: 'white' | 'black' | 'grey';
  /** The rule behind the verdict: an allow rule (white), a deny rule or `policy.default` (black). */
  by: string | null;
}

export interface PolicyTestResult {
  packets: number;
  default: 'grey' | 'deny';
  rules: RuleResult[];
  tables: { table: string; rows: number; white: number; black: number; grey: number }[];
  rows: RowVerdict[];
  error: string | null;
}

const silent: VerdictListener = { white: () => undefined, grey: () => undefined, black: () => undefined, uncovered: () => undefined };

export async function testPolicy(plan: Plan, policy: CompiledPolicy, file: string, opts: { packetNumbers?: boolean } = {}): Promise<PolicyTestResult> {
  const rules: PolicyRule[] = [...policy.allow, ...policy.deny];
  const hits = new Uint8Array(rules.length);
  const packets = new Float64Array(rules.length);
  const numbers: number[][] = rules.map(() => []);
  const marks = new Map<Table, Uint8Array[]>();
  const gate = new PolicyGate(policy, silent);
  const markRow = (t: Table, row: number): void => {
    let m = marks.get(t);
    if (m === undefined) marks.set(t, (m = rules.map(() => new Uint8Array(64))));
    for (let i = 0; i < rules.length; i++) {
      if (hits[i] === 0) continue;
      if (row >= m[i]!.length) {
        const grown = new Uint8Array(Math.max(row + 1, m[i]!.length * 2));
        grown.set(m[i]!);
        m[i] = grown;
      }
      m[i]![row] = 1;
    }
  };
  const engine = new CountingEngine({
    tables: plan.tables,
    intervalSec: WHOLE_FILE_SEC,
    servicePorts: plan.servicePorts,
    home: plan.home,
    sensor: plan.sensor,
    captureFilter: plan.captureFilter,
    onInterval: () => undefined,
    onPacket: (f, dir) => {
      for (let i = 0; i < rules.length; i++) {
        const hit = rules[i]!.filter.test(f);
        hits[i] = hit ? 1 : 0;
        if (!hit) continue;
        packets[i]! += 1;
        if (opts.packetNumbers) numbers[i]!.push(f.packetNo);
      }
      gate.onPacket(f, dir);
    },
    onFirstSight: (t, row) => {
      gate.onFirstSight(t, row);
      markRow(t, row);
    },
    onRow: (t, row) => {
      gate.onRow(t, row);
      markRow(t, row);
    },
  });
  const source = new CaptureFileSource(file);
  await source.open();
  const { error } = (await source.run(engine.handle)) as { stats: SourceStats; error?: Error };

  const tables: PolicyTestResult['tables'] = [];
  const rows: RowVerdict[] = [];
  const ruleRows = new Float64Array(rules.length);
  for (const t of engine.tables) {
    const tally = { table: t.name, rows: t.rows.size, white: 0, black: 0, grey: 0 };
    const m = marks.get(t);
    for (let row = 0; row < t.rows.size; row++) {
      for (let i = 0; i < rules.length; i++) if (m !== undefined && (m[i]![row] ?? 0) === 1) ruleRows[i]! += 1;
      const v = gate.verdict(t, row);
      if (v === null) continue; // a table the policy does not cover
      const r = t.formatRow(row);
      let verdict: RowVerdict['verdict'];
      let by: string | null;
      if (v >= 0) [verdict, by] = ['white', policy.allow[v]!.name];
      else if (v === GREY) [verdict, by] = ['grey', null];
      else [verdict, by] = ['black', v === BLACK_DEFAULT ? 'policy.default' : gate.blackRule(v)!.name];
      tally[verdict]++;
      rows.push({ table: t.name, key: r.key, packets: r.packets, verdict, by });
    }
    tables.push(tally);
  }
  return {
    packets: engine.packets,
    default: policy.defaultVerdict,
    rules: rules.map((r, i) => ({
      rule: r.name,
      text: r.text,
      packets: packets[i]!,
      rows: ruleRows[i]!,
      ...(opts.packetNumbers ? { packetNumbers: numbers[i]! } : {}),
    })),
    tables,
    rows,
    error: error ? error.message : null,
  };
}
