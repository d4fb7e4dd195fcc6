// Micro-benchmark of decodePacket (not a test): decodes packet arrays in a loop and reports
// ns/packet. Packets sit at offsets inside one shared buffer, as a capture reader hands
// them over, and one Frame is reused, as in the product.
//
//   node --import tsx test/decode-bench.ts [--seconds S]
//
// Cases: plain Ethernet/IPv4/TCP (target < 60 ns/packet), a mix of link types and
// protocols (VLAN, IPv6 with extension headers, UDP, ICMP, ARP, fragments, 802.3), and every
// record of the shared real captures.

import { Frame, LinkType } from '../src/decode/frame.js';
import { decodePacket } from '../src/decode/decode.js';
import {
  REAL_DIR, be16, ether, icmp, ipv4, ipv6, listCaptures, readCapture, tcp, udp,
} from './decode-helpers.js';

interface Pkt { bytes: number[]; linkType: number }

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 1;

function pack(pkts: Pkt[]): { buf: Buffer; off: Int32Array; len: Int32Array; link: Int32Array } {
  const total = pkts.reduce((s, p) => s + p.bytes.length, 0);
  const buf = Buffer.alloc(total);
  const off = new Int32Array(pkts.length);
  const len = new Int32Array(pkts.length);
  const link = new Int32Array(pkts.length);
  let o = 0;
  pkts.forEach((p, i) => {
    Buffer.from(p.bytes).copy(buf, o);
    off[i] = o;
    len[i] = p.bytes.length;
    link[i] = p.linkType;
    o += p.bytes.length;
  });
  return { buf, off, len, link };
}

function bench(name: string, pkts: Pkt[]): number {
  const { buf, off, len, link } = pack(pkts);
  const f = new Frame();
  f.buf = buf;
  const n = off.length;
  let sink = 0;
  const pass = (): void => {
    for (let i = 0; i < n; i++) {
      f.off = off[i]!;
      f.caplen = len[i]!;
      f.wirelen = len[i]!;
      f.linkType = link[i]!;
      sink += decodePacket(f) + f.bytes;
    }
  };
  for (let w = 0; w < 2000; w++) pass(); // warm up: let V8 optimise decodePacket
  let packets = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(SECONDS * 1e9));
  let now = t0;
  while (now < deadline) {
    for (let r = 0; r < 100; r++) pass();
    packets += 100 * n;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpu0);
  const ns = Number(now - t0) / packets;
  // CPU time is the steadier number when other processes share the cores.
  const cpuNs = ((cpu.user + cpu.system) * 1000) / packets;
  console.log(`${name.padEnd(34)} ${ns.toFixed(1).padStart(6)} ns/packet wall, ` +
    `${cpuNs.toFixed(1).padStart(6)} ns/packet CPU (${(1e3 / cpuNs).toFixed(1)} Mpps, sink ${sink % 7})`);
  return ns;
}

const plain: Pkt[] = [];
for (let i = 0; i < 256; i++) {
  const ip = { src: `10.1.${i >> 4}.${i & 15}`, dst: '192.0.2.80', proto: 6 };
  plain.push({ bytes: ether(0x0800, ipv4(ip, tcp(40000 + i, 443, 0x10))), linkType: LinkType.ETHERNET });
}

const ext = [0, 0, 5, 2, 0, 0, 1, 0]; // hop-by-hop with router alert, next header UDP… patched below
const mixed: Pkt[] = [];
for (let i = 0; i < 32; i++) {
  mixed.push(
    { bytes: ether(0x0800, ipv4({ proto: 6 }, tcp(1000 + i, 80, 0x18))), linkType: LinkType.ETHERNET },
    { bytes: ether(0x0800, ipv4({ proto: 17 }, udp(53, 3000 + i)), [[0x8100, 10 + i]]), linkType: LinkType.ETHERNET },
    { bytes: ether(0x86dd, ipv6(6, tcp(443, 50000 + i, 0x12))), linkType: LinkType.ETHERNET },
    { bytes: ether(0x86dd, ipv6(0, [17, ...ext.slice(1), ...udp(546, 547)])), linkType: LinkType.ETHERNET },
    { bytes: ether(0x0800, ipv4({ proto: 1 }, icmp(8, 0))), linkType: LinkType.ETHERNET },
    { bytes: ether(0x0800, ipv4({ proto: 17, frag: 0x20 + i }, new Array(64).fill(0))), linkType: LinkType.ETHERNET },
    { bytes: ether(0x0806, [0, 1, 8, 0, 6, 4, 0, 1, ...new Array(20).fill(1)]), linkType: LinkType.ETHERNET },
    { bytes: [...new Array(12).fill(2), ...be16(38), 0x42, 0x42, 3, ...new Array(35).fill(0)], linkType: LinkType.ETHERNET },
    { bytes: [2, 0, 0, 0, ...ipv4({ proto: 17 }, udp(500, 500))], linkType: LinkType.NULL },
    { bytes: [0, 0, 0, 1, 0, 6, ...new Array(8).fill(3), 8, 0, ...ipv4({ proto: 6 }, tcp(6379, 5000, 0x18))], linkType: LinkType.LINUX_SLL },
    { bytes: ipv6(17, udp(6696, 6696)), linkType: LinkType.RAW },
  );
}

const real: Pkt[] = [];
for (const file of listCaptures(REAL_DIR)) {
  for (const r of readCapture(file)) {
    real.push({ bytes: Array.from(r.buf.subarray(r.off, r.off + Math.min(r.caplen, 200))), linkType: r.linkType });
  }
}

bench('Ethernet/IPv4/TCP', plain);
bench('mixed link types and protocols', mixed);
bench(`shared real captures (${real.length} pkts)`, real);
