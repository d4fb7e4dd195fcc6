// pcapng timestamps: a 64-bit tick count (two 32-bit halves) in units set per interface by
// if_tsresol (10^-k or 2^-k seconds), plus if_tsoffset seconds. Turned into whole seconds
// and nanoseconds exactly, with plain doubles, without a BigInt per packet.
//
// Why it is exact: the tick count is divided by the units in three long-division steps
// (32 + 16 + 16 bits), each operand below 2^53 as long as units <= 2^37; the remainder is
// turned into nanoseconds by a multiplication that is exact for 10^-k (k <= 11) and for
// 2^-k (k <= 32, since 1e9 / 2^k = 1953125 * 2^(9-k) is an exact double). Rarer
// resolutions take a BigInt path, set up per interface.

const TWO_32 = 4294967296;

/** How an interface's ticks become seconds + nanoseconds. Built once per IDB. */
export class TickResolution {
  /** Ticks per second. */
  readonly units: number;
  /** nsec = floor(rem * nsMul / nsDiv), exact in the fast path. */
  readonly nsMul: number;
  readonly nsDiv: number;
  /** Set when the double path would not be exact: ticks per second as a BigInt. */
  readonly unitsBig: bigint | null;

  /** From the if_tsresol option byte; absent option means microseconds (6). */
  constructor(tsresol = 6) {
    const binary = (tsresol & 0x80) !== 0;
    const k = tsresol & 0x7f;
    if (binary ? k <= 32 : k <= 11) {
      this.units = binary ? 2 ** k : 10 ** k;
      this.nsMul = binary ? 1_000_000_000 / 2 ** k : k <= 9 ? 10 ** (9 - k) : 1;
      this.nsDiv = !binary && k > 9 ? 10 ** (k - 9) : 1;
      this.unitsBig = null;
    } else {
      this.unitsBig = binary ? 1n << BigInt(k) : 10n ** BigInt(k);
      this.units = Number(this.unitsBig);
      this.nsMul = 1;
      this.nsDiv = 1;
    }
  }
}

/** Splits tick counts; the result lands in `sec` / `nsec` so nothing is allocated per call. */
export class TickSplitter {
  sec = 0;
  nsec = 0;

  split(high: number, low: number, res: TickResolution): void {
    const u = res.units;
    if (res.unitsBig !== null) {
      this.splitBig(high, low, res.unitsBig);
      return;
    }
    let q: number;
    let rem: number;
    if (high < 0x200000) {
      // ticks < 2^53: one exact division (the common case for microsecond stamps).
      const ticks = high * TWO_32 + low;
      q = Math.floor(ticks / u);
      rem = ticks - q * u;
    } else {
      const q1 = Math.floor(high / u);
      let t = (high - q1 * u) * 65536 + (low >>> 16);
      const q2 = Math.floor(t / u);
      t = (t - q2 * u) * 65536 + (low & 0xffff);
      const q3 = Math.floor(t / u);
      rem = t - q3 * u;
      q = q1 * TWO_32 + q2 * 65536 + q3;
    }
    this.sec = q;
    this.nsec = Math.floor((rem * res.nsMul) / res.nsDiv);
  }

  private splitBig(high: number, low: number, units: bigint): void {
    const ticks = (BigInt(high) << 32n) | BigInt(low);
    const sec = ticks / units;
    this.sec = Number(sec); // may round above 2^53 s: far past any real clock
    this.nsec = Number(((ticks % units) * 1_000_000_000n) / units);
  }
}
