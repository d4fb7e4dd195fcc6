// Benchmark capture generator: writes a classic pcap (microsecond stamps, little-endian,
// Ethernet) of synthetic enterprise traffic, so `make bench` can time spanwatch against
// tcpdump and pmacctd on the same realistic input (mixed packet sizes averaging ~850
// bytes, hundreds of inside hosts, thousands of outside ones, VLAN tags, IPv6, many
// ephemeral ports) without shipping a multi-gigabyte capture.
//
// Deterministic: one seeded PRNG (gen-rng.ts), no clock, no Math.random; the same options
// give a byte-identical file on every run. One pass can write several files of the same
// traffic at different snap lengths (the harness writes full-size and 96-byte at once).
//
//   node --import tsx test/bench/gen-capture.ts [--packets N] [--snaplen S] [--out FILE]
//        [--seed N] [--duration SECONDS]

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNetwork } from './gen-hosts.js';
import { Rng } from './gen-rng.js';
import { Traffic } from './gen-traffic.js';

export const DEFAULT_PACKETS = 2_000_000;
export const DEFAULT_SEED = 20240304;
export const DEFAULT_DURATION_S = 600; // ten 60 s intervals, whatever the packet count
/** Snap length written in the file header when no snaplen is asked for. */
export const FULL_SNAPLEN = 262144;
/** Capture start: 2024-03-04 09:00:00 UTC, a Monday morning. */
const START_US = 1709542800 * 1e6;
const CHUNK = 8 << 20;

export interface CaptureOutput {
  file: string;
  /** Bytes kept per packet; FULL_SNAPLEN (or more) keeps whole frames. */
  snaplen: number;
}

export interface GenerateOptions {
  packets: number;
  outputs: CaptureOutput[];
  seed?: number;
  durationS?: number;
}

export interface GenerateResult {
  packets: number;
  wireBytes: number;
  averageWireLen: number;
  seconds: number;
  firstTsUs: number;
  lastTsUs: number;
}

/** Buffers records into big chunks; writes to FILE.tmp and renames it when complete. */
class PcapWriter {
  private readonly chunk = Buffer.alloc(CHUNK);
  private pos = 0;
  private readonly fd: number;
  private readonly tmp: string;

  constructor(
    private readonly file: string,
    private readonly snaplen: number,
  ) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.tmp = `${file}.tmp`;
    this.fd = fs.openSync(this.tmp, 'w');
    const c = this.chunk;
    c.writeUInt32LE(0xa1b2c3d4, 0); // magic: microsecond stamps, written little-endian
    c.writeUInt16LE(2, 4);
    c.writeUInt16LE(4, 6);
    c.writeInt32LE(0, 8); // thiszone
    c.writeUInt32LE(0, 12); // sigfigs
    c.writeUInt32LE(snaplen, 16);
    c.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
    this.pos = 24;
  }

  add(frame: Buffer, len: number, tsUs: number): void {
    if (this.pos + 16 + len > CHUNK) this.flush();
    const caplen = len < this.snaplen ? len : this.snaplen;
    const c = this.chunk, p = this.pos;
    const sec = Math.floor(tsUs / 1e6);
    c.writeUInt32LE(sec, p);
    c.writeUInt32LE(tsUs - sec * 1e6, p + 4);
    c.writeUInt32LE(caplen, p + 8);
    c.writeUInt32LE(len, p + 12);
    frame.copy(c, p + 16, 0, caplen);
    this.pos = p + 16 + caplen;
  }

  private flush(): void {
    let done = 0;
    while (done < this.pos) done += fs.writeSync(this.fd, this.chunk, done, this.pos - done);
    this.pos = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
    fs.renameSync(this.tmp, this.file);
  }
}

export function generateCapture(opts: GenerateOptions): GenerateResult {
  const started = process.hrtime.bigint();
  const rng = new Rng(opts.seed ?? DEFAULT_SEED);
  const traffic = new Traffic(rng, buildNetwork(rng));
  const writers = opts.outputs.map((o) => new PcapWriter(o.file, o.snaplen));
  // Steady clock: gaps drawn uniformly around the mean, so the capture spans the whole
  // duration whatever the packet count and crosses several 60 s intervals.
  const meanGapUs = ((opts.durationS ?? DEFAULT_DURATION_S) * 1e6) / Math.max(1, opts.packets);
  let ts = START_US;
  let wireBytes = 0;
  for (let i = 0; i < opts.packets; i++) {
    ts += Math.floor(rng.next() * 2 * meanGapUs);
    const len = traffic.next(ts);
    wireBytes += len;
    for (const w of writers) w.add(traffic.frame, len, ts);
  }
  for (const w of writers) w.close();
  return {
    packets: opts.packets,
    wireBytes,
    averageWireLen: opts.packets > 0 ? wireBytes / opts.packets : 0,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    firstTsUs: START_US,
    lastTsUs: ts,
  };
}

function parseArgs(argv: string[]): { packets: number; snaplen: number; out: string; seed: number; durationS: number } {
  const args = { packets: DEFAULT_PACKETS, snaplen: FULL_SNAPLEN, out: '', seed: DEFAULT_SEED, durationS: DEFAULT_DURATION_S };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const num = Number(value);
    if (flag === '--out' && value !== undefined) args.out = value;
    else if (value !== undefined && Number.isInteger(num) && num >= 0) {
      if (flag === '--packets') args.packets = num;
      else if (flag === '--snaplen' && num >= 60) args.snaplen = num;
      else if (flag === '--seed') args.seed = num;
      else if (flag === '--duration' && num > 0) args.durationS = num;
      else throw new Error(`unknown option or bad value: ${flag} ${value}`);
    } else throw new Error(`unknown option or bad value: ${flag} ${value ?? ''}`);
    i++;
  }
  if (args.out === '') {
    const suffix = args.snaplen >= FULL_SNAPLEN ? 'full' : `snap${args.snaplen}`;
    args.out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data', `capture-${args.packets}-${suffix}.pcap`);
  }
  return args;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const a = parseArgs(process.argv.slice(2));
    const r = generateCapture({ packets: a.packets, outputs: [{ file: a.out, snaplen: a.snaplen }], seed: a.seed, durationS: a.durationS });
    const mpps = r.packets / r.seconds / 1e6;
    console.log(
      `${a.out}: ${r.packets} packets, average ${r.averageWireLen.toFixed(1)} bytes on the wire, ` +
        `${(r.lastTsUs - r.firstTsUs) / 1e6} s of traffic, written in ${r.seconds.toFixed(2)} s (${mpps.toFixed(2)} M packets/s)`,
    );
  } catch (err) {
    console.error(`gen-capture: ${(err as Error).message}`);
    process.exit(2);
  }
}
