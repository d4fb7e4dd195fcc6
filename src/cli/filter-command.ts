// `spanwatch filter <expr> --read FILE [--write OUT.pcap] [--count-only]`: how many packets of
// a capture a tcpdump-syntax filter selects (the same ones `tcpdump -r FILE EXPR` selects),
// optionally writing them to a classic pcap that tcpdump reads back. A bad expression
// prints `filter:LINE:COL: reason`, the expression and a caret under the column, exit 2.

import type { Command } from 'commander';
import { decodePacket } from '../decode/decode.js';
import { Frame } from '../decode/frame.js';
import { caretLine } from '../filter/filter-error.js';
import { compileFilter, FilterError, type CompiledFilter } from '../filter/compile-filter.js';
import { PCAPWriter } from '../report/pcap-writer.js';
import { CaptureFileSource } from '../source/capture-file.js';
import { EXIT, UsageError } from './usage-error.js';

interface FilterOptions {
  read: string;
  write?: string;
  countOnly?: boolean;
}

export function registerFilterCommand(program: Command): void {
  program
    .command('filter')
    .description('count (and optionally write) the packets of a capture that a tcpdump-syntax filter selects')
    .argument('<expr>', "filter expression in tcpdump syntax, e.g. 'tcp port 25 and not net 10.0.0.0/8'")
    .requiredOption('-r, --read <file>', 'capture file to read (pcap or pcapng; - for stdin)')
    .option('-w, --write <out.pcap>', 'write the matching packets to this classic pcap file')
    .option('--count-only', 'print only the number of matching packets')
    .action(async (expr: string, opts: FilterOptions) => {
      let filter: CompiledFilter;
      try {
        filter = compileFilter(expr);
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        process.stderr.write(`spanwatch: filter:${e.message}\n${caretLine(expr, e).replace(/^/gm, '  ')}\n`);
        process.exitCode = EXIT.USAGE;
        return;
      }
      process.exitCode = await runFilter(filter, opts);
    });
}

async function runFilter(filter: CompiledFilter, opts: FilterOptions): Promise<number> {
  const source = new CaptureFileSource(opts.read);
  try {
    await source.open();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const frame = new Frame();
  let writer: PCAPWriter | null = null;
  let matched = 0;
  let records = 0;
  const { stats, error } = await source.run((buf, off, caplen, wirelen, linkType, tsSec, tsNsec) => {
    records++;
    frame.buf = buf;
    frame.off = off;
    frame.caplen = caplen;
    frame.wirelen = wirelen;
    frame.linkType = linkType;
    frame.tsSec = tsSec;
    frame.tsNsec = tsNsec;
    frame.packetNo = records;
    decodePacket(frame);
    if (opts.write && writer === null) writer = new PCAPWriter(opts.write, linkType);
    if (!filter.test(frame)) return;
    matched++;
    writer?.write(buf, off, caplen, wirelen, linkType, tsSec, tsNsec);
  });
  // An empty capture still gets a valid (empty) output file.
  if (opts.write && writer === null) writer = new PCAPWriter(opts.write, 1);
  const w = writer as PCAPWriter | null;
  w?.close();
  for (const lt of stats.perLinkType.keys()) {
    const why = filter.refusedFor(lt);
    if (why) process.stderr.write(`spanwatch: filter: ${why}; no packet of link type ${lt} can match\n`);
  }
  if (w && w.skippedLinkType > 0) {
    process.stderr.write(`spanwatch: filter: ${w.skippedLinkType} matching packets of another link type were not written (a pcap file holds one)\n`);
  }
  if (w && w.clampedTimestamps > 0) {
    process.stderr.write(`spanwatch: filter: ${w.clampedTimestamps} timestamps past 2106 were clamped to fit classic pcap\n`);
  }
  process.stdout.write(opts.countOnly ? `${matched}\n` : `${matched} of ${records} packets match\n`);
  if (error) {
    process.stderr.write(`spanwatch: ${error.message}\n`);
    return EXIT.RUN_FAILED;
  }
  return EXIT.OK;
}
