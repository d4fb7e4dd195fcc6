// Builds a long UTF-8 text (an interval CSV of thousands of rows) straight into bytes.
//
// An interval file used to be a string per row, joined in chunks, then encoded: three
// copies and a young generation full of row strings. Here digits and times are written
// as bytes, and key values are encoded once per distinct value by the caller and copied.

import { DAY_MS, isoTime, MAX_FAST, MIN_FAST } from '../interval/iso-time.js';

export class ByteBuilder {
  private buf: Buffer;
  private at = 0;
  private lastDay = Number.NaN;
  private readonly dayText = Buffer.alloc(11);
  private readonly digits = new Uint8Array(24);

  constructor(sizeHint = 1 << 16) {
    this.buf = Buffer.allocUnsafe(sizeHint);
  }

  /** Any text, encoded as UTF-8. */
  text(s: string): void {
    this.room(s.length * 3);
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  /** Bytes already encoded (a key value, say). */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < b.length; i++) buf[at++] = b[i]!;
    this.at = at;
  }

  /** One ASCII character by its code. */
  byte(c: number): void {
    this.room(1);
    this.buf[this.at++] = c;
  }

  /** A counter: a whole number below 2^53, as String() prints it. */
  uint(n: number): void {
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Number.isInteger(n))) return this.text(String(n));
    const d = this.digits;
    let k = 0;
    do {
      const q = Math.floor(n / 10);
      d[k++] = 48 + (n - q * 10);
      n = q;
    } while (n > 0);
    this.room(k);
    const buf = this.buf;
    while (k > 0) buf[this.at++] = d[--k]!;
  }

  /** A time in ms as isoTime (and toISOString) prints it. */
  iso(ms: number): void {
    const t0 = Math.trunc(ms);
    if (!(t0 >= MIN_FAST && t0 < MAX_FAST)) return this.text(isoTime(ms));
    const day = Math.floor(t0 / DAY_MS);
    if (day !== this.lastDay) {
      this.lastDay = day;
      this.dayText.write(isoTime(day * DAY_MS).slice(0, 11), 'latin1');
    }
    const t = t0 - day * DAY_MS;
    this.room(24);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < 11; i++) buf[at++] = this.dayText[i]!;
    at = two(buf, at, Math.floor(t / 3_600_000));
    buf[at++] = 58; // :
    at = two(buf, at, Math.floor(t / 60_000) % 60);
    buf[at++] = 58;
    at = two(buf, at, Math.floor(t / 1000) % 60);
    buf[at++] = 46; // .
    const milli = t % 1000;
    buf[at++] = 48 + Math.floor(milli / 100);
    at = two(buf, at, milli % 100);
    buf[at++] = 90; // Z
    this.at = at;
  }

  /** The bytes written (a view of the builder's buffer). */
  finish(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}

function two(buf: Buffer, at: number, v: number): number {
  buf[at] = 48 + Math.floor(v / 10);
  buf[at + 1] = 48 + (v % 10);
  return at + 2;
}
