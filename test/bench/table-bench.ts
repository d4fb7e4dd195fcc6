// Engine benchmarks that need no peer: memory per table row at 1 M rows; garbage
// collections while replaying a capture (the packet loop must not allocate, so collections
// come only from the per-chunk reads and per-interval snapshots, not per packet); and the
// cost of a 5-clause `where:` on a table against the same table without one.
//
//   node --expose-gc --import tsx test/bench/table-bench.ts [--capture FILE] [--rows N]
// Prints one JSON object on stdout.

import { PerformanceObserver } from 'node:perf_hooks';
import { CountingEngine } from '../../src/count/counting-engine.js';
import { compileConfig, defaultPlan, type Plan } from '../../src/config/load-config.js';
import { Frame } from '../../src/decode/frame.js';
import { Table } from '../../src/count/table.js';
import { DirectionInferrer } from '../../src/count/direction.js';
import { IPv6Interner } from '../../src/count/ipv6-interner.js';
import { HomeNetworks } from '../../src/count/home-networks.js';
import { CaptureFileSource } from '../../src/source/capture-file.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Bytes per row of the default conn table holding `rows` distinct IPv4 rows. */
function memoryPerRow(rows: number): { rows: number; table_bytes: number; heap_and_external_bytes: number; bytes_per_row: number } {
  const plan = defaultPlan();
  const spec = plan.tables[0]!;
  const ctx = { dir: new DirectionInferrer(), interner: new IPv6Interner(), home: new HomeNetworks([]), sensor: 's' };
  gc?.();
  const before = process.memoryUsage();
  const table = new Table(spec, ctx);
  const f = new Frame();
  f.ipVersion = 4;
  f.proto = 6;
  for (let i = 0; i < rows; i++) {
    f.src4 = (0x0a000000 + i) >>> 0;
    f.dst4 = 0xc0000201 + (i % 1000);
    f.srcPort = 40000 + (i % 20000);
    f.dstPort = 443;
    ctx.dir.clientIsSrc = 1;
    ctx.dir.serverPort = 443;
    ctx.dir.known = true;
    table.add(f, i, 100);
  }
  gc?.();
  const after = process.memoryUsage();
  const used = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  return { rows: table.rows.size, table_bytes: table.rows.byteSize(), heap_and_external_bytes: used, bytes_per_row: Math.round(used / rows) };
}

const WHERE_5 = 'tcp and (port 443 or port 25 or port 993) and not net 10.1.200.0/24 and tcp[tcpflags] & tcp-rst == 0';

/** Packets per second of one conn table, with and without the 5-clause where. */
async function whereCost(capture: string): Promise<Record<string, number | string>> {
  const key = 'key: [client_host, server_host, proto, server_port]';
  const rate = async (plan: Plan): Promise<number> => {
    const engine = new CountingEngine({ ...plan, captureFilter: null, onInterval: () => undefined });
    const started = performance.now();
    const { stats } = await new CaptureFileSource(capture).run(engine.handle);
    engine.flush();
    return Math.round((stats.records * 1000) / (performance.now() - started));
  };
  const none = await rate(compileConfig('bench', `tables:\n  - name: conn\n    ${key}\n`));
  const where = await rate(compileConfig('bench', `tables:\n  - name: conn\n    ${key}\n    where: "${WHERE_5}"\n`));
  return { where: WHERE_5, packets_per_second_no_where: none, packets_per_second_where_5_clauses: where, ratio: Number((where / none).toFixed(3)) };
}

async function gcDuringReplay(capture: string): Promise<Record<string, number>> {
  let collections = 0;
  let gcMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      collections++;
      gcMs += e.duration;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const plan = defaultPlan();
  const engine = new CountingEngine({ ...plan, captureFilter: null, onInterval: () => undefined });
  const started = performance.now();
  const { stats } = await new CaptureFileSource(capture).run(engine.handle);
  engine.flush();
  const elapsed = performance.now() - started;
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  return {
    packets: stats.records,
    packets_per_second: Math.round((stats.records * 1000) / elapsed),
    gc_collections: collections,
    gc_ms: Math.round(gcMs),
    gc_per_packet: collections / Math.max(1, stats.records),
  };
}

const rows = Number(arg('--rows') ?? 1_000_000);
const result: Record<string, unknown> = { memory: memoryPerRow(rows) };
const capture = arg('--capture');
if (capture) {
  result.replay = await gcDuringReplay(capture);
  result.where_cost = await whereCost(capture);
}
process.stdout.write(JSON.stringify(result) + '\n');
