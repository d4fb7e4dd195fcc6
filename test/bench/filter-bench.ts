// Micro-benchmark of compiled filters (not a test): predicates per second over decoded
// frames of real captures, code generation (`new Function`) vs closure tree, for a few
// expressions. Run: `node --import tsx test/bench/filter-bench.ts [seconds-per-case]`.
// The figures in src/filter/compile-filter.ts's module comment come from here.

import path from 'node:path';
import { CaptureFileSource } from '../../src/source/capture-file.js';
import { decodePacket } from '../../src/decode/decode.js';
import { Frame } from '../../src/decode/frame.js';
import { compileFilter, type FilterBackend } from '../../src/filter/compile-filter.js';
import { REAL_PCAPS } from '../support/paths.js';

const FILES = ['ssh.pcap', 'bgp-4byte-asn.pcap', 'mptcp-v0.pcap', 'afs.pcap', 'dhcp-rfc4388.pcap'];
const EXPRESSIONS = [
  // the 5-clause expression the report quotes
  'tcp and (port 22 or port 179 or portrange 6000-6100) and not host 10.9.9.9 and tcp[tcpflags] & tcp-syn == 0',
  'udp port 53 or udp port 7000',
  'net 131.151.0.0/16 and not icmp',
];
const seconds = Number(process.argv[2] ?? 1);

interface Rec { buf: Buffer; wirelen: number; linkType: number }
const recs: Rec[] = [];
for (const name of FILES) {
  await new CaptureFileSource(path.join(REAL_PCAPS, name)).run((buf, off, caplen, wirelen, linkType) => {
    recs.push({ buf: Buffer.from(buf.subarray(off, off + caplen)), wirelen, linkType });
  });
}
// One decoded frame per record, so the loop measures the predicate, not decoding.
const frames = recs.map((r) => {
  const f = new Frame();
  f.buf = r.buf; f.off = 0; f.caplen = r.buf.length; f.wirelen = r.wirelen; f.linkType = r.linkType;
  decodePacket(f);
  return f;
});

function measure(expr: string, backend: FilterBackend): { rate: number; hits: number } {
  const flt = compileFilter(expr, undefined, backend);
  let hits = 0;
  for (let w = 0; w < 50; w++) for (const f of frames) if (flt.test(f)) hits++; // warm up
  hits = 0;
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < frames.length; i++) if (flt.test(frames[i]!)) hits++;
    n += frames.length;
    elapsed = process.hrtime.bigint() - start;
  }
  return { rate: n / (Number(elapsed) / 1e9), hits: hits / (n / frames.length) };
}

console.log(`filter-bench: ${frames.length} decoded frames from ${FILES.join(', ')}; ${seconds} s per case`);
for (const expr of EXPRESSIONS) {
  const gen = measure(expr, 'codegen');
  const clo = measure(expr, 'closure');
  if (gen.hits !== clo.hits) throw new Error(`backends disagree on ${expr}: ${gen.hits} vs ${clo.hits}`);
  console.log(`${expr}\n  matches ${gen.hits}/${frames.length}; codegen ${(gen.rate / 1e6).toFixed(1)} M/s, ` +
    `closure ${(clo.rate / 1e6).toFixed(1)} M/s (codegen ${(gen.rate / clo.rate).toFixed(2)}x)`);
}
