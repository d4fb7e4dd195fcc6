// `spanwatch run -i IFACE`: the live daemon around the counting engine.
//
// Order at start: umask, root policy, open the capture (the one privileged step), drop to
// run_as, then everything that touches files (state file, engine, differ, CSV writer thread)
// runs as that user. While running:
// - packet time is arrival time; a wall-clock timer closes intervals when no packet does, so
//   intervals stay aligned to UTC multiples and a quiet interval still writes (empty) CSVs;
// - every closed interval prints a status line (unless --quiet) and rewrites
//   reports/state/status.json: packets, rate, rows, malformed, mails queued, loss evidence
//   (interface counters against packets seen; event-loop delay);
// - SIGHUP re-reads the config and opens a new engine (and with it the differ and its
//   baselines, read in turns of the event loop while the old engine counts on); the swap
//   happens at the next interval boundary, so the open interval completes under the old
//   config — every table keeps counting, nothing is written twice or lost — and new or
//   changed tables start with a whole interval. Capture settings
//   (interface, filter, buffer, snaplen, run_as) and reports_dir need a restart: the capture
//   cannot be reopened without privileges.
// - SIGTERM/SIGINT: see lifecycle.ts.

import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CountingEngine } from '../count/counting-engine.js';
import type { TableSnapshot } from '../count/table.js';
import type { Plan } from '../config/load-config.js';
import { LiveCaptureError, LiveCaptureSource, type KernelCounters } from '../source/live-capture.js';
import type { PacketHandler } from '../source/packet-source.js';
import { CloseOrder, type Lifecycle } from './lifecycle.js';
import { checkRootPolicy, DAEMON_UMASK, dropPrivileges, isRoot } from './privileges.js';
import { formatStatusLine, writeStateFile, type IntervalStatus, type StatusRecord } from './status-command.js';
import { EXIT } from './usage-error.js';

/** An engine with what hangs off it (differ, findings); built by run-command for each plan. */
export interface EngineBundle {
  engine: CountingEngine;
  /** After the engine's last interval was handed on: flush findings and the like. */
  close(): Promise<void>;
}

export type OpenEngine = (plan: Plan, onInterval: (snapshots: readonly TableSnapshot[]) => void) => EngineBundle;
/**
 * Reads what an engine for `plan` needs from disk (the baselines) in turns of the event
 * loop, then gives the opener that uses it: a reload reads while the old engine counts on.
 */
export type PrepareEngine = (plan: Plan) => Promise<OpenEngine>;

export interface LiveRunOptions {
  /** -i value or capture.interface; null: libpcap's default device. */
  device: string | null;
  plan: Plan;
  /** Reads the config again as the command line said (SIGHUP). */
  reloadPlan: () => Plan;
  openEngine: OpenEngine;
  prepareEngine: PrepareEngine;
  /** Runs once the capture is open and privileges are dropped, before the first engine:
   *  whatever creates files (outbox, schedules) starts here, so they belong to run_as. */
  afterDrop?: () => void;
  lifecycle: Lifecycle;
  stayRoot: boolean;
  quiet: boolean;
  /** Alert mails waiting to be sent (0 without alerting). */
  mailsQueued: () => number;
  log: (message: string) => void;
}

const TICK_GRACE_MS = 5;
/** The timer wakes at least this often (clock re-anchoring, pending swaps). */
const MAX_TICK_MS = 10_000;

export async function runLive(o: LiveRunOptions): Promise<number> {
  process.umask(DAEMON_UMASK);
  checkRootPolicy(o.plan.live.runAs, o.stayRoot);
  const source = new LiveCaptureSource({
    device: o.device,
    filter: o.plan.captureFilterText,
    bufferSize: o.plan.live.bufferSize,
    snaplen: o.plan.live.snaplen,
  });
  try {
    source.open();
  } catch (err) {
    if (!(err instanceof LiveCaptureError)) throw err;
    o.log(err.message);
    return err.problem === 'filter' ? EXIT.USAGE : EXIT.CAPTURE_DEVICE;
  }
  const runAs = o.plan.live.runAs;
  let user = `uid ${process.getuid?.() ?? '?'}`;
  if (runAs && isRoot()) {
    try {
      user = dropPrivileges(runAs);
    } catch (err) {
      source.stop();
      throw err;
    }
  } else if (runAs) o.log(`run_as ${runAs.user}: not root, so staying ${user}`);
  o.afterDrop?.();
  return new LiveDaemon(o, source, user).run();
}

interface Totals {
  packets: number;
  malformed: number;
}

class LiveDaemon {
  private plan: Plan;
  private bundle!: EngineBundle;
  private engineHandle!: PacketHandler;
  private pending: { plan: Plan; bundle: EngineBundle } | null = null;
  private swapAtSec = Number.POSITIVE_INFINITY;
  /** Counters of engines replaced by reloads. */
  private readonly retired: Totals = { packets: 0, malformed: 0 };
  private readonly reported: Totals = { packets: 0, malformed: 0 };
  private readonly closing: Promise<void>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  private readonly kernel0: KernelCounters | null;
  private lastUnseen = 0;
  private lastKernel: KernelCounters | null;
  private reporting: Promise<void> = Promise.resolve();
  private stateWrites: Promise<void> = Promise.resolve();
  private lastInterval: IntervalStatus | null = null;
  private intervals = 0;
  private reloads = 0;
  private readonly reportsDir: string;
  private readonly startedMs = Date.now();

  constructor(
    private readonly o: LiveRunOptions,
    private readonly source: LiveCaptureSource,
    private readonly user: string,
  ) {
    this.plan = o.plan;
    this.reportsDir = path.resolve(o.plan.reportsDir);
    this.kernel0 = source.kernelCounters();
    this.lastKernel = this.kernel0;
  }

  /** The source's handler: swaps in a reloaded engine at its boundary, then counts. */
  private readonly handle: PacketHandler = (buf, off, caplen, wirelen, linkType, tsSec, tsNsec) => {
    if (tsSec >= this.swapAtSec) this.swap(tsSec);
    this.engineHandle(buf, off, caplen, wirelen, linkType, tsSec, tsNsec);
  };

  async run(): Promise<number> {
    const { o, source } = this;
    try {
      await this.writeState('starting');
    } catch (err) {
      source.stop();
      o.log(`cannot write the state file as ${this.user}: ${(err as Error).message} (make ${this.reportsDir} writable for that user)`);
      return EXIT.RUN_FAILED;
    }
    this.install(this.plan, this.openBundle(this.plan));
    this.bundle.engine.clock.openAt(Math.floor(source.nowMs() / 1000));
    const lc = o.lifecycle;
    lc.setStop(() => source.stop());
    lc.onClose(CloseOrder.INTERVAL, 'write the open interval', () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.bundle.engine.flush();
      if (this.pending) this.closing.push(this.pending.bundle.close());
      this.pending = null;
    });
    lc.onClose(CloseOrder.FINDINGS, 'flush findings', async () => {
      await Promise.all(this.closing);
      await this.bundle.close();
    });
    lc.onClose(CloseOrder.STATE, 'state file', async () => {
      await this.reporting;
      this.loopDelay.disable();
      await this.writeState('stopped');
    });
    lc.onReload('config', () => this.reload());
    lc.installSignals();
    this.loopDelay.enable();
    this.scheduleTick();
    // Attached at once: a packet that arrives before the handler is lost.
    const done = source.run(this.handle);
    const filter = this.plan.captureFilterText ? `, filter "${this.plan.captureFilterText}"` : '';
    o.log(
      `capturing on ${source.device} (link type ${source.linkType}${filter}) as ${this.user}, ${this.plan.intervalSec} s intervals into ${this.reportsDir}`,
    );
    await this.writeState('running').catch((err: Error) => o.log(`status: ${err.message}`));
    await done;
    o.log(`${o.lifecycle.stopping ?? 'stop'}: writing the open interval and closing`);
    const ok = await lc.close();
    return ok ? EXIT.OK : EXIT.RUN_FAILED;
  }

  private install(plan: Plan, bundle: EngineBundle): void {
    this.plan = plan;
    this.bundle = bundle;
    this.engineHandle = bundle.engine.handle;
  }

  /** An engine for `plan` whose intervals report here, naming that engine. */
  private openBundle(plan: Plan, open: OpenEngine = this.o.openEngine): EngineBundle {
    let engine: CountingEngine | null = null;
    // The engine exists once openEngine returns; it cannot close an interval before that.
    const bundle = open(plan, (snapshots) => this.intervalClosed(engine ?? bundle.engine, snapshots));
    engine = bundle.engine;
    return bundle;
  }

  /** Runs inside the engine (often inside the packet handler): numbers only, the rest later. */
  private intervalClosed(engine: CountingEngine, snapshots: readonly TableSnapshot[]): void {
    const first = snapshots[0];
    if (!first) return;
    // Closed by a packet past the end: that packet is already counted, but not in here.
    const inFlight = engine.packets > 0 && engine.frame.tsSec * 1000 >= first.end ? 1 : 0;
    const packets = this.retired.packets + engine.packets - inFlight;
    const malformed = this.retired.malformed + malformedOf(engine);
    let rows = 0;
    for (const s of snapshots) rows += s.size;
    this.intervals++;
    const iv = { start: first.start, end: first.end, rows, packets, malformed };
    this.reporting = this.reporting.then(() => this.report(iv)).catch((err: Error) => this.o.log(`status: ${err.message}`));
  }

  private async report(iv: { start: number; end: number; rows: number; packets: number; malformed: number }): Promise<void> {
    const now = this.source.nowMs();
    const packets = iv.packets - this.reported.packets;
    const malformed = iv.malformed - this.reported.malformed;
    this.reported.packets = iv.packets;
    this.reported.malformed = iv.malformed;
    const k = this.source.kernelCounters();
    const seen = this.source.records;
    let kernelPackets: number | null = null;
    let unseen: number | null = null;
    let dropped: number | null = null;
    if (k && this.lastKernel && this.kernel0) {
      kernelPackets = k.packets - this.lastKernel.packets;
      dropped = k.dropped - this.lastKernel.dropped;
      if (!this.plan.captureFilterText) {
        const unseenTotal = Math.max(0, k.packets - this.kernel0.packets - seen);
        unseen = Math.max(0, unseenTotal - this.lastUnseen);
        this.lastUnseen = unseenTotal;
      }
      this.lastKernel = k;
    }
    const h = this.loopDelay;
    const loopMax = h.count > 0 ? Math.round(h.max / 1e6) : 0;
    const loopP99 = h.count > 0 ? Math.round(h.percentile(99) / 1e6) : 0;
    h.reset();
    const secs = Math.max(0.001, (Math.min(iv.end, now) - Math.max(iv.start, this.startedMs)) / 1000);
    this.lastInterval = {
      start: new Date(iv.start).toISOString(),
      end: new Date(iv.end).toISOString(),
      packets,
      packets_per_sec: Math.round(packets / secs),
      rows: iv.rows,
      malformed,
      mails_queued: this.o.mailsQueued(),
      kernel_packets: kernelPackets,
      unseen,
      rx_dropped: dropped,
      loop_delay_max_ms: loopMax,
      loop_delay_p99_ms: loopP99,
    };
    if (!this.o.quiet) process.stderr.write(formatStatusLine(this.source.device, this.lastInterval) + '\n');
    await this.writeState(this.o.lifecycle.stopping === null ? 'running' : 'stopped');
  }

  /** Queues a state file write: writes never overlap (they share one temp file). */
  private writeState(state: StatusRecord['state']): Promise<void> {
    const write = this.stateWrites.then(() => this.writeStateNow(state));
    this.stateWrites = write.catch(() => undefined);
    return write;
  }

  private writeStateNow(state: StatusRecord['state']): Promise<void> {
    const k = this.source.kernelCounters();
    const k0 = this.kernel0;
    const kernelPackets = k && k0 ? k.packets - k0.packets : null;
    const engine = this.bundle as EngineBundle | undefined;
    const rec: StatusRecord = {
      state,
      pid: process.pid,
      uid: process.getuid?.() ?? -1,
      started: new Date(this.startedMs).toISOString(),
      updated: new Date().toISOString(),
      device: this.source.device,
      link_type: this.source.linkType,
      config: this.plan.file,
      capture_filter: this.plan.captureFilterText,
      interval_sec: this.plan.intervalSec,
      reloads: this.reloads,
      last_interval: this.lastInterval,
      totals: {
        packets: this.retired.packets + (engine?.engine.packets ?? 0),
        malformed: this.retired.malformed + (engine ? malformedOf(engine.engine) : 0),
        truncated: this.source.truncated,
        intervals: this.intervals,
        kernel_packets: kernelPackets,
        unseen: kernelPackets === null || this.plan.captureFilterText ? null : Math.max(0, kernelPackets - this.source.records),
        rx_dropped: k && k0 ? k.dropped - k0.dropped : null,
      },
    };
    return writeStateFile(this.reportsDir, rec);
  }

  /** Wall-clock side of intervals: closes an interval no packet closed, and applies swaps. */
  private scheduleTick(): void {
    const now = this.source.nowMs();
    const clock = this.bundle.engine.clock;
    let next = clock.started ? clock.endSec * 1000 : now + 1000;
    if (this.swapAtSec !== Number.POSITIVE_INFINITY) next = Math.min(next, this.swapAtSec * 1000);
    const delay = Math.min(MAX_TICK_MS, Math.max(0, next - now) + TICK_GRACE_MS);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    this.timer = null;
    this.source.reanchor();
    const nowSec = Math.floor(this.source.nowMs() / 1000);
    if (nowSec >= this.swapAtSec) this.swap(nowSec);
    const engine = this.bundle.engine;
    const clock = engine.clock;
    if (!clock.started) clock.openAt(nowSec);
    else if (nowSec >= clock.endSec) {
      engine.flush();
      clock.openAt(nowSec);
    }
    this.scheduleTick();
  }

  /**
   * SIGHUP: a new engine (and differ, baselines) from the config, swapped in at the next
   * boundary. The baselines are read first, in turns: the running engine counts meanwhile.
   */
  private async reload(): Promise<void> {
    const next = this.o.reloadPlan();
    for (const what of restartNeeded(this.plan, next)) this.o.log(`reload: ${what} changed; it takes effect only after a restart`);
    const open = await this.o.prepareEngine(next);
    if (this.o.lifecycle.stopping !== null) return; // shutting down: the old engine writes its last interval
    if (this.pending) this.closing.push(this.pending.bundle.close());
    this.pending = null;
    const bundle = this.openBundle(next, open);
    const nowSec = Math.floor(this.source.nowMs() / 1000);
    const clock = this.bundle.engine.clock;
    const len = next.intervalSec;
    // Same length: the open interval's end. A new length: its first boundary from now (the
    // old engine writes a partial interval up to it; stamps never collide).
    this.swapAtSec = len === this.plan.intervalSec && clock.started && clock.endSec > nowSec ? clock.endSec : (Math.floor(nowSec / len) + 1) * len;
    this.pending = { plan: next, bundle };
    this.reloads++;
    const names = next.tables.map((t) => t.name).join(', ');
    this.o.log(`SIGHUP: reloaded ${next.file} (tables ${names}); counting with it from ${new Date(this.swapAtSec * 1000).toISOString()}`);
    this.scheduleTick();
    void this.writeState('running').catch((err: Error) => this.o.log(`status: ${err.message}`));
  }

  private swap(atSec: number): void {
    const p = this.pending;
    this.swapAtSec = Number.POSITIVE_INFINITY;
    if (!p) return;
    const old = this.bundle;
    old.engine.flush();
    this.retired.packets += old.engine.packets;
    this.retired.malformed += malformedOf(old.engine);
    this.pending = null;
    this.install(p.plan, p.bundle);
    p.bundle.engine.clock.openAt(atSec);
    this.closing.push(old.close().catch((err: Error) => this.o.log(`closing the replaced engine: ${err.message}`)));
  }
}

function malformedOf(engine: CountingEngine): number {
  let n = 0;
  for (let i = 1; i < engine.statusCounts.length; i++) n += engine.statusCounts[i]!;
  return n;
}

/** Settings a running capture cannot change. */
function restartNeeded(a: Plan, b: Plan): string[] {
  const out: string[] = [];
  if (a.captureFilterText !== b.captureFilterText) out.push('capture.filter');
  if (a.live.interface !== b.live.interface) out.push('capture.interface');
  if (a.live.bufferSize !== b.live.bufferSize) out.push('capture.buffer_size');
  if (a.live.snaplen !== b.live.snaplen) out.push('capture.snaplen');
  if (JSON.stringify(a.live.runAs) !== JSON.stringify(b.live.runAs)) out.push('run_as');
  if (path.resolve(a.reportsDir) !== path.resolve(b.reportsDir)) out.push('reports_dir');
  return out;
}
