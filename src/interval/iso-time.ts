// ISO 8601 UTC text of a time in ms, exactly as Date#toISOString prints it, for the places
// that print times by the hundred thousand (interval CSVs, baseline files, diff CSVs).
//
// The date part of the last day printed is reused and the time of day built by arithmetic,
// several times faster than a Date object per time. Fractions of a millisecond (packet
// times carry microseconds) are cut off, as Date does; six-digit years and NaN take the
// slow path (NaN throws RangeError, as toISOString does).

const MIN_FAST = -62_167_219_200_000; // 0000-01-01
const MAX_FAST = 253_402_300_800_000; // 10000-01-01
const DAY_MS = 86_400_000;

let lastDay = Number.NaN;
let lastDayText = '';

export function isoTime(ms: number): string {
  const t0 = Math.trunc(ms);
  if (!(t0 >= MIN_FAST && t0 < MAX_FAST)) return new Date(ms).toISOString();
  const day = Math.floor(t0 / DAY_MS);
  if (day !== lastDay) {
    lastDay = day;
    lastDayText = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  const t = t0 - day * DAY_MS;
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor(t / 60_000) % 60;
  const sec = Math.floor(t / 1000) % 60;
  const milli = t % 1000;
  return `${lastDayText}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${sec < 10 ? '0' : ''}${sec}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
