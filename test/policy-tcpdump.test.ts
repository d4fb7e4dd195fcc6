// Differential test of the policy's rule matching: for a handful of shared real captures and
// a policy written with $vars, the packets `spanwatch policy test` attributes to each rule
// are exactly the packets `tcpdump -r FILE -w - RULE` selects (vars substituted by hand for
// tcpdump), matched back to packet numbers as in filter-tcpdump.test.ts. The mirrors of the
// allow rules (src and dst swapped: what replies are checked against) and the combined
// predicates of the run path are checked against tcpdump the same way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { compileConfig } from '../src/config/load-config.js';
import { decodePacket } from '../src/decode/decode.js';
import { Frame } from '../src/decode/frame.js';
import { CaptureFileSource } from '../src/source/capture-file.js';
import { testPolicy } from '../src/policy/policy-test.js';
import { mirrorRuleText } from '../src/policy/policy-rules.js';
import type { CompiledFilter } from '../src/filter/compile-filter.js';
import { REAL_PCAPS } from './support/paths.js';
import { pcapRecords } from './support/pcap-records.js';

const FILES = ['ssh.pcap', 'bgp-4byte-asn.pcap', 'dhcp-rfc4388.pcap', 'mptcp-v0.pcap', 'isakmp4500.pcap', 'resp_1_benchmark.pcap', 'afs.pcap'];

const VARS: Record<string, string> = {
  sshd: '223.132.53.222',
  bgp_peer: '1.0.2.1',
  dhcp_relay: '10.30.1.1',
  mptcp_client: '10.2.1.2',
  lo: '127.0.0.1',
  afs_net: '131.151',
  gw_mac: '00:00:00:00:00:00',
};
const ALLOW = [
  'tcp dst port 22 and dst host $sshd',
  'tcp dst port 179 and dst host $bgp_peer',
  'udp dst port 67 and src host $dhcp_relay',
  'tcp dst port 22 and src host $mptcp_client',
  'udp port 500 or udp port 4500',
  'tcp dst port 6379 and host $lo',
  'udp and src net $afs_net and dst portrange 7000-7010',
  'arp and not ether src $gw_mac',
];
const DENY = ['tcp port 23 or tcp port 3389', 'icmp', 'ip[6:2] & 0x1fff != 0', 'tcp[tcpflags] & tcp-rst != 0'];

function configText(): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    'vars:',
    ...Object.entries(VARS).map(([k, v]) => `  ${k}: ${q(v)}`),
    'tables:',
    '  - name: conn',
    '    key: [client_host, server_host, proto, server_port]',
    '  - name: ether',
    '    key: [src_mac, dst_mac, ether_type]',
    'policy:',
    '  allow:',
    ...ALLOW.map((r) => `    - ${q(r)}`),
    '  deny:',
    ...DENY.map((r) => `    - ${q(r)}`),
    '',
  ].join('\n');
}

const substitute = (text: string): string => text.replace(/\$([A-Za-z_]\w*)/g, (_, n: string) => VARS[n]!);

/** Packet numbers (1-based) tcpdump selects with `expr`. */
function tcpdump(file: string, expr: string, recs: Buffer[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    execFile('tcpdump', ['-r', file, '-w', '-', expr], { encoding: 'buffer', maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      // Where tcpdump refuses a rule for the file's link type (`ether src` on Linux cooked),
      // spanwatch's filter matches nothing there (see filter-tcpdump.test.ts).
      if (err && /ethernet addresses supported only|no VLAN support|rejects all packets/.test(stderr.toString())) return resolve([]);
      if (err) return reject(new Error(`tcpdump '${expr}' on ${file}: ${stderr.toString()}`));
      const out: number[] = [];
      let i = 0;
      for (const r of pcapRecords(stdout)) {
        while (i < recs.length && !recs[i]!.equals(r)) i++;
        if (i === recs.length) return reject(new Error(`${file} '${expr}': tcpdump record not found`));
        out.push(++i);
      }
      resolve(out);
    });
  });
}

async function records(file: string): Promise<Buffer[]> {
  const recs: Buffer[] = [];
  await new CaptureFileSource(file).run((buf, off, caplen) => void recs.push(Buffer.from(buf.subarray(off, off + caplen))));
  return recs;
}

/** Packet numbers a compiled filter selects, on decoded frames as the engine sees them. */
async function selects(file: string, filter: CompiledFilter): Promise<number[]> {
  const f = new Frame();
  const out: number[] = [];
  let n = 0;
  await new CaptureFileSource(file).run((buf, off, caplen, wirelen, linkType, tsSec, tsNsec) => {
    Object.assign(f, { buf, off, caplen, wirelen, linkType, tsSec, tsNsec, packetNo: ++n });
    decodePacket(f);
    if (filter.test(f)) out.push(n);
  });
  return out;
}

test('policy rules, their mirrors and the combined predicates select what tcpdump selects', { timeout: 120_000 }, async () => {
  const plan = compileConfig('policy.yaml', configText());
  const policy = plan.policy!;
  assert.equal(policy.allow.length, ALLOW.length);
  let compared = 0;
  let nonEmpty = 0;
  for (const name of FILES) {
    const file = path.join(REAL_PCAPS, name);
    const recs = await records(file);
    const result = await testPolicy(plan, policy, file, { packetNumbers: true });
    assert.equal(result.packets, recs.length, name);
    // Each rule as written: the policy test's attribution against tcpdump.
    const rules = [...ALLOW, ...DENY];
    const oracles = await Promise.all(rules.map((r) => tcpdump(file, substitute(r), recs)));
    rules.forEach((r, i) => {
      assert.deepEqual(result.rules[i]!.packetNumbers, oracles[i], `${name}: ${result.rules[i]!.rule} "${r}"`);
      assert.equal(result.rules[i]!.packets, oracles[i]!.length);
      compared++;
      if (oracles[i]!.length > 0) nonEmpty++;
    });
    // The mirrors (replies) and the run path's unions, each against tcpdump on the same text.
    const mirrors = ALLOW.map((r) => substitute(mirrorRuleText(r, VARS)));
    const checks: [string, CompiledFilter][] = [
      ...policy.allow.map((r, i) => [mirrors[i]!, r.mirror!] as [string, CompiledFilter]),
      [ALLOW.map((r) => `(${substitute(r)})`).join(' or '), policy.anyAllow!],
      [mirrors.map((r) => `(${r})`).join(' or '), policy.anyAllowReply!],
      [DENY.map((r) => `(${r})`).join(' or '), policy.anyDeny!],
    ];
    for (const [text, filter] of checks) {
      assert.deepEqual(await selects(file, filter), await tcpdump(file, text, recs), `${name}: "${text}"`);
      compared++;
    }
  }
  // The rules are not vacuous: most of them select something on these captures.
  assert.ok(nonEmpty >= 12, `only ${nonEmpty} rule/capture pairs matched anything`);
  assert.ok(compared >= FILES.length * 15);
});

test('the mirror of a rule swaps every src and dst qualifier, and only those', () => {
  assert.equal(mirrorRuleText('tcp dst port 25 and dst host $mail', { mail: '192.0.2.25' }), 'tcp src port 25 and src host $mail');
  assert.equal(mirrorRuleText('ether src $m or src net 10.0.0.0/8 and dst portrange 1-2', { m: '02:00:00:00:00:01' }), 'ether dst $m or dst net 10.0.0.0/8 and src portrange 1-2');
  assert.equal(mirrorRuleText('src or dst host 10.0.0.1 and src and dst port 5', {}), 'dst or src host 10.0.0.1 and dst and src port 5');
  assert.equal(mirrorRuleText('udp port 53 and host $r', { r: '192.0.2.53' }), 'udp port 53 and host $r');
  assert.throws(() => mirrorRuleText('$q and tcp', { q: 'src host 10.0.0.1' }), /may not hold src or dst/);
});
