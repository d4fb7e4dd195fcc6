// Fixed intervals aligned to multiples of their length in UTC, driven by packet time, so
// a replayed capture is cut into the same intervals as the live run that recorded it.
//
// The clock only answers "has this packet left the open interval?"; closing it (snapshot,
// write, clear) is the engine's job.

export class IntervalClock {
  readonly lengthSec: number;
  /** Open interval [startSec, endSec); endSec = -Infinity before the first packet. */
  startSec = 0;
  endSec = Number.NEGATIVE_INFINITY;
  /** Packets whose time fell before the open interval (counted into it all the same). */
  late = 0;

  constructor(lengthSec: number) {
    if (!(lengthSec >= 1) || !Number.isInteger(lengthSec)) throw new RangeError(`interval must be a whole number of seconds ≥ 1, got ${lengthSec}`);
    this.lengthSec = lengthSec;
  }

  get started(): boolean {
    return this.endSec !== Number.NEGATIVE_INFINITY;
  }

  /** Opens the interval that holds `tsSec`. */
  openAt(tsSec: number): void {
    this.startSec = Math.floor(tsSec / this.lengthSec) * this.lengthSec;
    this.endSec = this.startSec + this.lengthSec;
  }
}
