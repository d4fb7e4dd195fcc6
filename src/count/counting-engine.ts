// The per-packet loop: decode into the one Frame, close the interval when packet time has
// left it, infer direction (only if a table needs it), and count into every table.
//
// Everything configurable was decided when the engine was built; `handle` runs the same
// few steps for every packet and allocates nothing in steady state.

import { decodePacket } from '../decode/decode.js';
import { DECODE_STATUS_NAMES, Frame } from '../decode/frame.js';
import type { PacketHandler } from '../source/packet-source.js';
import { IntervalClock } from '../interval/interval-clock.js';
import { DirectionInferrer } from './direction.js';
import { FieldKind } from './fields.js';
import type { HomeNetworks } from './home-networks.js';
import { IPv6Interner } from './ipv6-interner.js';
import type { KeyContext } from './key-part.js';
import { Table, type FramePredicate, type TableSnapshot, type TableSpec } from './table.js';

export interface EngineOptions {
  tables: readonly TableSpec[];
  intervalSec: number;
  servicePorts: readonly number[];
  home: HomeNetworks;
  sensor: string;
  /** `capture.filter` applied in user space (files); null when the kernel filters or none. */
  captureFilter: FramePredicate | null;
  /** Receives every table's snapshot when an interval closes. */
  onInterval: (snapshots: TableSnapshot[]) => void;
  /**
   * Called at a row's first sight in an interval (the differ's hook), while the packet is
   * being handled: `table.formatRow(row)` gives its key as text.
   */
  onFirstSight?: (table: Table, row: number) => void;
  /**
   * Policy hooks (src/policy/): `onPacket` once per packet that reaches the tables, after
   * direction inference (which it turns on), before counting; `onRow` for every packet
   * counted into a row that is not new (first sights go to onFirstSight only).
   */
  onPacket?: (f: Frame, dir: DirectionInferrer) => void;
  onRow?: (table: Table, row: number) => void;
}

const DIRECTION_KINDS: ReadonlySet<number> = new Set([FieldKind.CLIENT_HOST, FieldKind.SERVER_HOST, FieldKind.SERVER_PORT]);

export class CountingEngine {
  readonly frame = new Frame();
  readonly tables: readonly Table[];
  readonly clock: IntervalClock;
  /** Packets handled, and their wire bytes. */
  packets = 0;
  wireBytes = 0;
  /** Packets per DecodeStatus. */
  readonly statusCounts = new Float64Array(DECODE_STATUS_NAMES.length);
  /** Packets dropped by capture.filter (files only). */
  filteredOut = 0;
  /** Rows written per table over the run, and intervals closed. */
  readonly rowsWritten: Map<string, number>;
  intervals = 0;

  private readonly ctx: KeyContext;
  private readonly needsDirection: boolean;
  private readonly captureFilter: FramePredicate;
  private readonly onInterval: (snapshots: TableSnapshot[]) => void;
  private readonly onFirstSight: (table: Table, row: number) => void;
  private readonly onPacket: ((f: Frame, dir: DirectionInferrer) => void) | null;
  private readonly onRow: ((table: Table, row: number) => void) | null;

  constructor(opts: EngineOptions) {
    this.ctx = {
      dir: new DirectionInferrer(opts.servicePorts),
      interner: new IPv6Interner(),
      home: opts.home,
      sensor: opts.sensor,
    };
    this.tables = opts.tables.map((spec) => new Table(spec, this.ctx));
    this.needsDirection = opts.onPacket !== undefined || opts.tables.some((t) => t.parts.some((p) => DIRECTION_KINDS.has(p.kind)));
    this.clock = new IntervalClock(opts.intervalSec);
    this.captureFilter = opts.captureFilter ?? (() => true);
    this.onInterval = opts.onInterval;
    this.onFirstSight = opts.onFirstSight ?? (() => undefined);
    this.onPacket = opts.onPacket ?? null;
    this.onRow = opts.onRow ?? null;
    this.rowsWritten = new Map(this.tables.map((t) => [t.name, 0]));
  }

  readonly handle: PacketHandler = (buf, off, caplen, wirelen, linkType, tsSec, tsNsec) => {
    const f = this.frame;
    f.packetNo = ++this.packets;
    f.buf = buf;
    f.off = off;
    f.caplen = caplen;
    f.wirelen = wirelen;
    f.linkType = linkType;
    f.tsSec = tsSec;
    f.tsNsec = tsNsec;
    const status = decodePacket(f);
    this.wireBytes += f.wirelen; // the decoder fills it in when the source could not
    this.statusCounts[status]! += 1;
    if (!this.captureFilter(f)) {
      this.filteredOut++;
      return;
    }
    const clock = this.clock;
    if (tsSec >= clock.endSec) this.advance(tsSec);
    else if (tsSec < clock.startSec) clock.late++;
    if (this.needsDirection) this.ctx.dir.infer(f);
    if (this.onPacket !== null) this.onPacket(f, this.ctx.dir);
    const tsMs = tsSec * 1000 + tsNsec / 1e6;
    const bytes = f.bytes;
    const tables = this.tables;
    for (let i = 0; i < tables.length; i++) {
      const t = tables[i]!;
      const row = t.add(f, tsMs, bytes);
      if (row < 0) continue;
      if (t.rows.inserted) this.onFirstSight(t, row);
      else if (this.onRow !== null) this.onRow(t, row);
    }
  };

  /** Closes the open interval (end of input, shutdown); the next packet opens a new one. */
  flush(): void {
    if (this.clock.started) this.closeInterval();
    this.clock.endSec = Number.NEGATIVE_INFINITY;
  }

  private advance(tsSec: number): void {
    if (this.clock.started) this.closeInterval();
    this.clock.openAt(tsSec);
  }

  private closeInterval(): void {
    const start = this.clock.startSec * 1000;
    const end = this.clock.endSec * 1000;
    const interner = this.ctx.interner;
    const names = { sensor: this.ctx.sensor, v6: interner.words.slice() };
    const snapshots = this.tables.map((t) => t.snapshot(start, end, names, interner.epoch));
    for (const t of this.tables) t.clear();
    interner.maybeReset();
    this.intervals++;
    for (const s of snapshots) this.rowsWritten.set(s.table, (this.rowsWritten.get(s.table) ?? 0) + s.size);
    this.onInterval(snapshots);
  }
}
