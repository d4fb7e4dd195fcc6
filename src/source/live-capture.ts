// LiveCaptureSource: the PacketSource for a network interface, through libpcap and `cap`.
// This is the only module that imports `cap` (DESIGN rule 8).
//
// What cap does and does not do, and what this module makes up for:
// - cap copies each packet into ONE Buffer we hand to open() and keeps only a raw pointer to
//   it: the Buffer is held in a field for the capture's lifetime, or the GC frees it and
//   libpcap writes into freed memory.
// - cap gives no timestamps: packets are stamped at arrival in JS, Date.now() anchored once
//   plus performance.now() for sub-millisecond resolution (re-anchored by `reanchor()` only
//   when the wall clock was stepped).
// - cap gives no wire length: records carry 0, and the decoder takes it from the IP header
//   (link header + IPv4 total length or IPv6 40 + payload length), else the captured length.
// - cap gives no drop counter: kernelCounters() reads the interface counters from sysfs so the
//   caller can compare them with the packets seen.
// - cap forces libpcap snaplen 65535, promiscuous and immediate mode; `snaplen` here is the
//   size of our Buffer, so longer packets are cut there (counted as `truncated`).
// cap's 'packet' callback runs on the main thread, inside libuv's poll callback: the handler
// must not block, and nothing here allocates per packet.

import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import cap from 'cap';
import type { Cap as CapHandle, CapDevice } from 'cap';
import { LinkType } from '../decode/frame.js';
import type { PacketHandler, PacketSource, SourceStats } from './packet-source.js';

export interface LiveCaptureOptions {
  /** Interface name; null: libpcap's default device. `any` is Linux cooked capture of all. */
  device: string | null;
  /** BPF filter in tcpdump syntax, passed to libpcap unchanged; null or '' for none. */
  filter: string | null;
  /** Kernel capture buffer (the packet ring), bytes. */
  bufferSize: number;
  /** Bytes of each packet copied to the handler. */
  snaplen: number;
}

export type LiveCaptureProblem = 'no_device' | 'permission' | 'not_up' | 'filter' | 'other';

/** Opening the capture failed; `message` is one line saying what to do. */
export class LiveCaptureError extends Error {
  override name = 'LiveCaptureError';
  constructor(
    readonly problem: LiveCaptureProblem,
    message: string,
  ) {
    super(message);
  }
}

/** Interface counters since boot, summed over the captured interfaces. */
export interface KernelCounters {
  /** Packets a capture on the device can see: received (+ sent, except on loopback). */
  packets: number;
  /** Packets the kernel dropped on receive (rx_dropped). */
  dropped: number;
}

const SYS_NET = '/sys/class/net';
const ARPHRD_LOOPBACK = 772;
const RE_ANCHOR_MS = 50;
/** Handles whose open() failed: see open(). */
const FAILED_HANDLES: CapHandle[] = [];

/** cap's link type names (its switch over pcap_datalink) to LINKTYPE numbers. */
export function linkTypeNumber(name: string): number {
  switch (name) {
    case 'ETHERNET':
      return LinkType.ETHERNET;
    case 'LINKTYPE_LINUX_SLL':
      return LinkType.LINUX_SLL;
    case 'NULL':
      return LinkType.NULL;
    case 'RAW':
      return LinkType.RAW;
    case 'IEEE802_11_RADIO':
      return 127;
  }
  const m = /^Unknown linktype (\d+)$/.exec(name);
  return m ? Number(m[1]) : -1;
}

/** What can be captured (libpcap's device list) and libpcap's default device. */
export function listCaptureDevices(): { devices: CapDevice[]; defaultDevice: string | null } {
  return { devices: cap.Cap.deviceList(), defaultDevice: cap.Cap.findDevice() ?? null };
}

/** Reads the kernel's interface counters for `device` (`any`: every interface); null if unreadable. */
export function readKernelCounters(device: string): KernelCounters | null {
  let names: string[];
  try {
    names = device === 'any' ? fs.readdirSync(SYS_NET) : [device];
  } catch {
    return null;
  }
  let packets = 0;
  let dropped = 0;
  let read = 0;
  for (const name of names) {
    const dir = `${SYS_NET}/${name}`;
    const rx = readCounter(`${dir}/statistics/rx_packets`);
    if (rx === null) continue;
    // libpcap skips loopback's outgoing copies (each packet is seen once, as received);
    // elsewhere it sees both directions.
    const loopback = readCounter(`${dir}/type`) === ARPHRD_LOOPBACK;
    packets += rx + (loopback ? 0 : (readCounter(`${dir}/statistics/tx_packets`) ?? 0));
    dropped += readCounter(`${dir}/statistics/rx_dropped`) ?? 0;
    read++;
  }
  return read === 0 ? null : { packets, dropped };
}

function readCounter(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'latin1').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

export class LiveCaptureSource implements PacketSource {
  /** The device opened (the default device resolved), and its link type. */
  device = '';
  linkType = -1;
  linkTypeName = '';
  /** Packets handed to the handler, and those cut at `snaplen`. */
  records = 0;
  truncated = 0;

  // Held for the capture's lifetime: cap's native side writes into it through a raw pointer.
  private readonly buffer: Buffer;
  private handle: CapHandle | null = null;
  private wallAnchorMs = 0;
  private monoAnchorMs = 0;
  private finish: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly options: LiveCaptureOptions) {
    if (!(options.snaplen >= 64 && options.snaplen <= 262144)) throw new RangeError(`snaplen ${options.snaplen}: expected 64-262144`);
    this.buffer = Buffer.alloc(options.snaplen);
    this.anchor();
  }

  /** Opens the capture (needs root or CAP_NET_RAW); throws LiveCaptureError with a one-line message. */
  open(): void {
    if (this.handle) return;
    const device = this.options.device ?? cap.Cap.findDevice() ?? null;
    if (device === null) throw new LiveCaptureError('no_device', 'libpcap found no device to capture on: name one with -i IFACE (`spanwatch interfaces` lists them)');
    if (!deviceExists(device)) {
      throw new LiveCaptureError('no_device', `no interface "${device}" to capture on: \`spanwatch interfaces\` lists what can be captured`);
    }
    const handle = new cap.Cap();
    let linkName: string;
    try {
      linkName = handle.open(device, this.options.filter ?? '', this.options.bufferSize, this.buffer);
    } catch (err) {
      // cap leaves a half-opened handle whose close() (also run by its destructor) stops a
      // poll handle it never started: a segfault. Never close it, and keep it from the GC.
      FAILED_HANDLES.push(handle);
      throw classify(device, this.options.filter, (err as Error).message);
    }
    this.handle = handle;
    this.device = device;
    this.linkTypeName = linkName;
    this.linkType = linkTypeNumber(linkName);
  }

  /** Packet time now, from the same clock that stamps packets (ms since the epoch). */
  nowMs(): number {
    return this.wallAnchorMs + (performance.now() - this.monoAnchorMs);
  }

  /**
   * Follows a stepped wall clock (NTP step, manual date): re-anchors when the stamps have
   * drifted more than 50 ms from Date.now(). Call from a timer, never per packet. Returns
   * the drift found, in ms.
   */
  reanchor(): number {
    const drift = Date.now() - this.nowMs();
    if (Math.abs(drift) > RE_ANCHOR_MS) this.anchor();
    return drift;
  }

  kernelCounters(): KernelCounters | null {
    return this.device === '' ? null : readKernelCounters(this.device);
  }

  run(onPacket: PacketHandler): Promise<{ stats: SourceStats }> {
    this.open();
    const handle = this.handle!;
    const buf = this.buffer;
    const linkType = this.linkType;
    const done = new Promise<{ stats: SourceStats }>((resolve) => {
      this.finish = () => resolve({ stats: this.stats() });
    });
    // One closure for the whole capture; per packet only numbers.
    handle.on('packet', (nbytes: number, truncated: boolean) => {
      if (truncated) this.truncated++;
      const ms = this.wallAnchorMs + (performance.now() - this.monoAnchorMs);
      const sec = Math.floor(ms / 1000);
      let nsec = Math.floor((ms - sec * 1000) * 1e6);
      if (nsec > 999_999_999) nsec = 999_999_999;
      this.records++;
      // cap reports no wire length: 0 lets the decoder take it from the IP header.
      onPacket(buf, 0, nbytes, 0, linkType, sec, nsec);
    });
    if (this.stopped) this.stop();
    return done;
  }

  /** Closes the capture; run() resolves. Safe to call more than once, and from the handler. */
  stop(): void {
    this.stopped = true;
    const handle = this.handle;
    if (handle) {
      this.handle = null;
      handle.close();
      handle.removeAllListeners('packet');
    }
    const finish = this.finish;
    this.finish = null;
    finish?.();
  }

  stats(): SourceStats {
    return {
      records: this.records,
      offset: 0,
      perLinkType: new Map(this.records > 0 ? [[this.linkType, this.records]] : []),
      badTimestamps: 0,
    };
  }

  private anchor(): void {
    this.wallAnchorMs = Date.now();
    this.monoAnchorMs = performance.now();
  }
}

function deviceExists(device: string): boolean {
  if (device.includes('/')) return false;
  if (cap.Cap.deviceList().some((d) => d.name === device)) return true;
  return fs.existsSync(`${SYS_NET}/${device}`);
}

/** libpcap's message to what the user should do, in one line. */
function classify(device: string, filter: string | null, message: string): LiveCaptureError {
  const msg = message.replace(/\s+/g, ' ').trim();
  if (/permission|not permitted|EPERM|EACCES/i.test(msg)) {
    return new LiveCaptureError(
      'permission',
      `no permission to capture on "${device}" (${msg}): run as root (set run_as to drop privileges after the capture opens), or grant CAP_NET_RAW and CAP_NET_ADMIN as etc/spanwatch.service does`,
    );
  }
  if (/no such device|doesn't exist|does not exist/i.test(msg)) {
    return new LiveCaptureError('no_device', `no interface "${device}" to capture on (${msg}): \`spanwatch interfaces\` lists what can be captured`);
  }
  if (/not up/i.test(msg)) return new LiveCaptureError('not_up', `interface "${device}" is down: bring it up (ip link set ${device} up)`);
  if (filter) return new LiveCaptureError('filter', `libpcap rejected capture.filter "${filter}" on "${device}": ${msg}`);
  return new LiveCaptureError('other', `cannot capture on "${device}": ${msg}`);
}
