// ISO 8601 UTC text of a time in ms, exactly as Date#toISOString prints it, for the places
// that print times by the hundred thousand (interval CSVs, baseline files, diff CSVs).
//
// The date part of the last day printed is reused and the time of day built by arithmetic,
// several times faster than a Date object per time. Fractions of a millisecond (packet
// times carry microseconds) are cut off, as Date does; six-digit years and NaN take the
// slow path (NaN throws RangeError, as toISOString does).

/** Times printed in the fast shape (four-digit years): 0000-01-01 up to 10000-01-01. */
export const MIN_FAST = -62_167_219_200_000;
export const MAX_FAST = 253_402_300_800_000;
export const DAY_MS = 86_400_000;

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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The time in `YYYY-MM-DDTHH:MM:SS[.f…]Z` (1 to 9 fraction digits; the fraction is cut to
 * milliseconds, as Date.parse does), or null when the text is not one or names no real
 * time: unlike Date.parse, February 30 or 24:00 are refused, not rolled over into the
 * next day, so a hand edit cannot silently become another time.
 */
export function parseIsoTime(text: string): number | null {
  const n = text.length;
  if (n < 20 || n > 30 || text.charCodeAt(n - 1) !== 90 /* Z */) return null;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  if ((y | mo | d | h | mi | s) < 0) return null;
  const c = (i: number): number => text.charCodeAt(i);
  if (c(4) !== 45 || c(7) !== 45 || c(10) !== 84 || c(13) !== 58 || c(16) !== 58) return null; // - - T : :
  let ms = 0;
  if (n > 20) {
    // ".f…Z": 1 to 9 digits, the first three of them are the milliseconds.
    if (c(19) !== 46 /* . */ || n < 22) return null;
    for (let i = 20; i < n - 1; i++) {
      const digit = c(i) - 48;
      if (digit < 0 || digit > 9) return null;
      if (i < 23) ms += digit * 10 ** (22 - i);
    }
  }
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1]! + (mo === 2 && leap ? 1 : 0) || h > 23 || mi > 59 || s > 59) return null;
  return daysFromCivil(y, mo, d) * DAY_MS + h * 3_600_000 + mi * 60_000 + s * 1000 + ms;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The number in text[at, at+len) when it is all digits, else -1. */
function digits(text: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
