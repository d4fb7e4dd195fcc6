// The live-capture settings of the config: `capture.interface`, `capture.buffer_size`,
// `capture.snaplen` and the top-level `run_as`. Read with file:line:col problems like every
// other block; whether the user exists is only checked when privileges are dropped (a
// config is also checked on machines without that user).
// `capture.filter` is read by load-config.ts (files filter in user space, live in the kernel).

import type { At, ConfigReader } from './config-reader.js';

export interface RunAs {
  user: string;
  /** The group to switch to; null: the user's primary group. */
  group: string | null;
}

export interface LiveCaptureConfig {
  /** Interface to capture on when `run` gets no --read/-i; null: none configured. */
  interface: string | null;
  /** Kernel capture buffer in bytes. */
  bufferSize: number;
  /** Bytes copied per packet. */
  snaplen: number;
  /** Unprivileged user (and group) to switch to once the capture is open; null: none. */
  runAs: RunAs | null;
}

/** Keys of `capture:` read here (load-config adds `filter`). */
export const LIVE_CAPTURE_KEYS = ['interface', 'buffer_size', 'snaplen'] as const;
/** Top-level key read here. */
export const RUN_AS_KEY = 'run_as';

export const DEFAULT_BUFFER_SIZE = 32 * 1024 * 1024;
export const DEFAULT_SNAPLEN = 65535;
const MIN_BUFFER = 64 * 1024;
// cap passes the size to libpcap as a signed 32-bit int.
const MAX_BUFFER = 2 ** 31 - 1;

export const DEFAULT_LIVE_CAPTURE: LiveCaptureConfig = {
  interface: null,
  bufferSize: DEFAULT_BUFFER_SIZE,
  snaplen: DEFAULT_SNAPLEN,
  runAs: null,
};

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
};

/** `32MiB`, `512KiB`, `1G`, `33554432` → bytes; null if not a size. */
export function parseByteSize(v: string | number): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(v));
  if (!m) return null;
  const unit = UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return null;
  const n = Math.round(Number(m[1]) * unit);
  return Number.isFinite(n) ? n : null;
}

// Interface names: Linux allows up to 15 bytes without '/' or spaces; stay a bit wider.
const IFACE = /^[A-Za-z0-9_.:@-]{1,64}$/;
const ACCOUNT = /^(?:[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?|\d+)$/;

/** Reads the live-capture keys of `capture:` (already a map, or null) and `run_as`. */
export function readLiveCaptureConfig(r: ConfigReader, capture: Map<string, At> | null, runAsAt: At | undefined): LiveCaptureConfig {
  const out: LiveCaptureConfig = { ...DEFAULT_LIVE_CAPTURE };
  const ifaceAt = capture?.get('interface');
  if (ifaceAt) {
    const s = r.string(ifaceAt, 'an interface name');
    if (s !== null && !IFACE.test(s)) r.problem(ifaceAt, `"${s}" is not an interface name (such as eth0, or any)`);
    else if (s !== null) out.interface = s;
  }
  const bufAt = capture?.get('buffer_size');
  if (bufAt) {
    const v = r.scalar(bufAt);
    const n = v === null ? null : parseByteSize(v);
    if (v !== null && (n === null || n < MIN_BUFFER || n > MAX_BUFFER)) {
      r.problem(bufAt, `"${v}" is not a buffer size from 64KiB to 2GiB (write 32MiB, 256MiB)`);
    } else if (n !== null) out.bufferSize = n;
  }
  const snapAt = capture?.get('snaplen');
  if (snapAt) {
    const v = r.scalar(snapAt);
    const n = v === null ? null : Number(v);
    if (v !== null && (n === null || !Number.isInteger(n) || n < 64 || n > 262144)) {
      r.problem(snapAt, `"${v}" is not a snap length from 64 to 262144 bytes`);
    } else if (n !== null) out.snaplen = n;
  }
  if (runAsAt) {
    const s = r.string(runAsAt, 'a user name, or user:group');
    if (s !== null) {
      const [user, group, extra] = s.split(':');
      if (extra !== undefined || !user || !ACCOUNT.test(user) || (group !== undefined && !ACCOUNT.test(group))) {
        r.problem(runAsAt, `"${s}" is not a user name or user:group (such as spanwatch)`);
      } else out.runAs = { user, group: group ?? null };
    }
  }
  return out;
}
