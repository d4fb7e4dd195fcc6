// Durations as admins write them in config and flags: `90s`, `5m`, `1h`, `7d`, `2w`, or a
// bare number of seconds.

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Seconds in `text`, or null when it is not a duration. */
export function parseDuration(text: string | number): number | null {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * UNIT_SECONDS[m[2] || 's']!;
}
