// What a run read and counted, printed at its end: as aligned text for people, or as one
// JSON object (`--summary json`) for scripts and benchmarks.

import { DECODE_STATUS_NAMES } from '../decode/frame.js';
import type { CountingEngine } from '../count/counting-engine.js';
import type { SourceStats } from '../source/packet-source.js';

const LINK_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'null'],
  [1, 'ethernet'],
  [101, 'raw'],
  [108, 'loop'],
  [113, 'linux_sll'],
  [228, 'ipv4'],
  [229, 'ipv6'],
  [276, 'linux_sll2'],
]);

export interface RunSummary {
  source: string;
  config: string;
  packets: number;
  bytes: number;
  link_types: Record<string, number>;
  decoded: number;
  malformed: Record<string, number>;
  filtered_out: number;
  late_packets: number;
  bad_timestamps: number;
  intervals: number;
  tables: { name: string; rows: number; counted: number; skipped: number }[];
  files_written: number;
  write_failures: number;
  elapsed_ms: number;
  packets_per_second: number;
  error: { message: string; offset: number; record: number } | null;
}

export function buildSummary(args: {
  source: string;
  config: string;
  engine: CountingEngine;
  stats: SourceStats;
  elapsedMs: number;
  filesWritten: number;
  writeFailures: number;
  error: { message: string; offset: number; record: number } | null;
}): RunSummary {
  const { engine, stats, elapsedMs } = args;
  const linkTypes: Record<string, number> = {};
  for (const [lt, n] of stats.perLinkType) linkTypes[LINK_TYPE_NAMES.get(lt) ?? `linktype_${lt}`] = n;
  const malformed: Record<string, number> = {};
  engine.statusCounts.forEach((n, status) => {
    if (status !== 0 && n > 0) malformed[DECODE_STATUS_NAMES[status] ?? `status_${status}`] = n;
  });
  return {
    source: args.source,
    config: args.config,
    packets: engine.packets,
    bytes: engine.wireBytes,
    link_types: linkTypes,
    decoded: engine.statusCounts[0] ?? 0,
    malformed,
    filtered_out: engine.filteredOut,
    late_packets: engine.clock.late,
    bad_timestamps: stats.badTimestamps,
    intervals: engine.intervals,
    tables: engine.tables.map((t) => ({ name: t.name, rows: engine.rowsWritten.get(t.name) ?? 0, counted: t.counted, skipped: t.skipped })),
    files_written: args.filesWritten,
    write_failures: args.writeFailures,
    elapsed_ms: Math.round(elapsedMs),
    packets_per_second: elapsedMs > 0 ? Math.round((engine.packets * 1000) / elapsedMs) : 0,
    error: args.error,
  };
}

export function formatSummaryText(s: RunSummary): string {
  const n = (v: number): string => v.toLocaleString('en-US');
  const lines = [
    `read      ${s.source} (config: ${s.config})`,
    `packets   ${n(s.packets)} (${n(s.bytes)} bytes) in ${(s.elapsed_ms / 1000).toFixed(2)} s, ${n(s.packets_per_second)} packets/s`,
    `links     ${Object.entries(s.link_types).map(([k, v]) => `${k} ${n(v)}`).join(', ') || 'none'}`,
    `decoded   ${n(s.decoded)}`,
    `malformed ${Object.entries(s.malformed).map(([k, v]) => `${k} ${n(v)}`).join(', ') || 'none'}`,
  ];
  if (s.filtered_out > 0) lines.push(`filtered  ${n(s.filtered_out)} by capture.filter`);
  if (s.late_packets > 0) lines.push(`late      ${n(s.late_packets)} packets older than their interval (counted in it)`);
  if (s.bad_timestamps > 0) lines.push(`timestamps ${n(s.bad_timestamps)} records with an out-of-range fraction (clamped)`);
  lines.push(`intervals ${n(s.intervals)}, ${n(s.files_written)} CSV files written${s.write_failures ? `, ${s.write_failures} FAILED` : ''}`);
  const width = Math.max(5, ...s.tables.map((t) => t.name.length));
  lines.push(`${'table'.padEnd(width)}  ${'rows'.padStart(10)}  ${'counted'.padStart(12)}  ${'skipped'.padStart(12)}`);
  for (const t of s.tables) {
    lines.push(`${t.name.padEnd(width)}  ${n(t.rows).padStart(10)}  ${n(t.counted).padStart(12)}  ${n(t.skipped).padStart(12)}`);
  }
  if (s.error) lines.push(`ERROR     ${s.error.message}`);
  return lines.join('\n');
}
