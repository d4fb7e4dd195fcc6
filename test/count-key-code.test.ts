// The generated key extractors (key-code.ts) against the reference extraction in
// key-part.ts, packet by packet over every real capture, for every key field, with prefix
// masks and a port list: the same answer (counted or skipped), the same key words, and the
// hash of those words.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CountingEngine } from '../src/count/counting-engine.js';
import { FIELD_NAMES } from '../src/count/fields.js';
import { HomeNetworks, parsePrefix } from '../src/count/home-networks.js';
import { IPv6Interner } from '../src/count/ipv6-interner.js';
import { compileKeyExtractor, generateKeySource, referenceKeyExtractor } from '../src/count/key-code.js';
import { parseKeySpec, type KeyContext, type KeyPart } from '../src/count/key-part.js';
import { CaptureFileSource } from '../src/source/capture-file.js';
import { REAL_PCAPS } from './support/paths.js';

const lists = new Map([['web', [80, 443, 8080]]]);

function parts(specs: readonly string[]): KeyPart[] {
  return specs.map((s) => {
    const p = parseKeySpec(s, lists);
    if (typeof p === 'string') throw new Error(p);
    return p;
  });
}

// Every field alone, then combinations that mix hosts (with masks), ports (with a list),
// direction and MACs in one key.
const KEYS: string[][] = [
  ...FIELD_NAMES.map((n) => [n]),
  ['client_host', 'server_host', 'proto', 'server_port'],
  ['src_host/24/64', 'dst_host/16/48', 'src_port:web', 'dst_port:web', 'direction'],
  ['src_mac', 'dst_mac', 'ether_type', 'vlan', 'sensor'],
  ['arp_sender_host/24', 'arp_target_host', 'arp_op', 'icmp_type', 'icmp_code', 'ttl', 'tcp_flags'],
];

test('generated key extraction equals the reference for every field over every real capture', async () => {
  const home = new HomeNetworks([parsePrefix('10.0.0.0/8')!, parsePrefix('2001:db8::/32')!]);
  const tables = KEYS.map((k) => {
    const ps = parts(k);
    const width = ps.reduce((n, p) => n + p.words, 0);
    return { name: k.join(','), ps, extract: compileKeyExtractor(ps), referenceExtract: referenceKeyExtractor(ps), generated: new Uint32Array(width), reference: new Uint32Array(width) };
  });
  let compared = 0;
  let counted = 0;
  for (const file of fs.readdirSync(REAL_PCAPS)) {
    let ctx: KeyContext | null = null;
    const engine = new CountingEngine({
      tables: [],
      intervalSec: 60,
      servicePorts: [22, 53, 80, 443],
      home,
      sensor: 's',
      captureFilter: null,
      onInterval: () => undefined,
      onPacket: (f, dir) => {
        ctx ??= { dir, interner: new IPv6Interner(), home, sensor: 's' };
        for (const t of tables) {
          const hash = t.extract(f, ctx, t.generated);
          const referenceHash = t.referenceExtract(f, ctx, t.reference);
          const ok = referenceHash >= 0;
          compared++;
          const where = `${file} packet ${f.packetNo}, key ${t.name}`;
          assert.equal(hash >= 0, ok, `${where}: counted or skipped`);
          if (!ok) continue;
          counted++;
          assert.deepEqual([...t.generated], [...t.reference], `${where}: key words`);
          assert.equal(hash, referenceHash, `${where}: hash`);
        }
      },
    });
    await new CaptureFileSource(path.join(REAL_PCAPS, file)).run(engine.handle);
  }
  assert.ok(compared > 50_000, `compared ${compared} extractions`);
  assert.ok(counted > compared / 4, `${counted} of them counted (not all skipped)`);
});

test('generated source holds only numbers from the key parts, and port lists stay arguments', () => {
  const src = generateKeySource(parts(['client_host/24', 'server_port:web', 'sensor']));
  assert.match(src, /& 4294967040\) >>> 0/, 'the /24 mask as a number');
  assert.match(src, /lists\[1\]\[v\] !== 1/, 'the port list is looked up, not printed');
  assert.doesNotMatch(src, /web|8080/, 'no list name or port in the code');
});
