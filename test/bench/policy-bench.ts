// Policy benchmark (not a test): packets per second of the whole run path (read, decode,
// direction, count into the default conn and ether tables, the differ's first-sight hook
// replaced by a counter) without a policy and with 20 allow/deny rules, on the generated
// benchmark capture. Prints one JSON object.
//
//   node --import tsx test/bench/policy-bench.ts [--packets 500000] [--runs 3] [--capture FILE]
//
// The capture is made once with gen-capture.ts (96-byte snaplen) and kept in the temp dir.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileConfig, type Plan } from '../../src/config/load-config.js';
import { CountingEngine } from '../../src/count/counting-engine.js';
import type { Finding } from '../../src/diff/finding.js';
import { ActionRunner } from '../../src/policy/exec-action.js';
import { PolicyRun } from '../../src/policy/policy-run.js';
import { CaptureFileSource } from '../../src/source/capture-file.js';
import { REPO } from '../support/paths.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
};
const packets = Number(arg('packets', '500000'));
const runs = Number(arg('runs', '3'));
const capture = arg('capture', path.join(os.tmpdir(), `spanwatch-policy-bench-${packets}-snap96.pcap`));
if (!fs.existsSync(capture)) {
  execFileSync(process.execPath, ['--import', 'tsx', 'test/bench/gen-capture.ts', '--packets', String(packets), '--snaplen', '96', '--out', capture], { cwd: REPO, stdio: 'inherit' });
}

const TABLES = `tables:
  - name: conn
    key: [client_host, server_host, proto, server_port]
  - name: ether
    key: [src_mac, dst_mac, ether_type]
`;
// 20 rules in the shape of a real site policy (the generator's servers live in 10.1.0.0/24).
const POLICY = `vars: { mail: 10.1.0.25, dns1: 10.1.0.53, dns2: 10.1.0.54, web: 10.1.0.80, ntp: 10.1.0.123, bastion: 10.1.0.22, files: 10.1.0.45, inside: 10.1.0.0/16 }
policy:
  allow:
    - "tcp dst port 25 and dst host $mail"
    - "tcp dst port 25 and src host $mail"
    - "tcp dst port 587 and dst host $mail"
    - "tcp dst port 993 and dst host $mail"
    - "udp dst port 53 and (dst host $dns1 or dst host $dns2)"
    - "tcp dst port 389 and (dst host $dns1 or dst host $dns2)"
    - "tcp dst port 443 and dst host $web"
    - "udp dst port 123 and dst host $ntp"
    - "tcp dst port 22 and dst host $bastion"
    - "tcp dst port 445 and dst host $files"
    - "tcp dst port 443 or tcp dst port 80 or udp dst port 443"
    - "arp"
    - "icmp[icmptype] == icmp-echo"
    - "ip6 and udp dst port 53"
  deny:
    - "tcp port 23"
    - "tcp port 3389 and not src net 10.1.30.0/24"
    - "udp port 69"
    - "tcp port 6667"
    - "tcp[tcpflags] & (tcp-syn|tcp-fin) == (tcp-syn|tcp-fin)"
    - "ip[6:2] & 0x1fff != 0 and udp port 53"
  default: grey
`;

function once(plan: Plan): Promise<{ pps: number; packets: number; findings: number; counts: unknown }> {
  let findings = 0;
  const sink = { emit: (_f: Finding) => void findings++, flush: async () => undefined };
  let grey = 0;
  const onGrey = (): void => void grey++;
  const policy = plan.policy ? new PolicyRun({ policy: plan.policy, onGrey, sink, actions: new ActionRunner(() => undefined) }) : null;
  const engine = new CountingEngine({
    tables: plan.tables,
    intervalSec: plan.intervalSec,
    servicePorts: plan.servicePorts,
    home: plan.home,
    sensor: 'bench',
    captureFilter: null,
    onInterval: () => undefined,
    onFirstSight: policy?.gate.onFirstSight ?? onGrey,
    onPacket: policy?.gate.onPacket,
    onRow: policy?.gate.onRow,
  });
  const started = process.hrtime.bigint();
  return new CaptureFileSource(capture).run(engine.handle).then(() => {
    engine.flush();
    const s = Number(process.hrtime.bigint() - started) / 1e9;
    return { pps: engine.packets / s, packets: engine.packets, findings, counts: policy ? { ...policy.counts, greyFirstSights: grey } : { firstSights: grey } };
  });
}

const plans = { none: compileConfig('bench.yaml', TABLES), rules20: compileConfig('bench.yaml', TABLES + POLICY) };
if (plans.rules20.policy!.allow.length + plans.rules20.policy!.deny.length !== 20) throw new Error('expected 20 rules');
const result: Record<string, unknown> = { capture, packets, runs, node: process.version, cpus: os.cpus().length, loadavg: os.loadavg()[0] };
const best: Record<string, number> = { none: 0, rules20: 0 };
await once(plans.none); // warm up (JIT, page cache)
for (let r = 0; r < runs; r++) {
  for (const name of ['none', 'rules20'] as const) {
    const o = await once(plans[name]);
    best[name] = Math.max(best[name]!, o.pps);
    result[`${name}_detail`] = { packets: o.packets, findings: o.findings, counts: o.counts };
  }
}
result.pps_none = Math.round(best.none!);
result.pps_rules20 = Math.round(best.rules20!);
result.ratio = Number((best.rules20! / best.none!).toFixed(3));
process.stdout.write(JSON.stringify(result) + '\n');
