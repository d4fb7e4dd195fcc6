// Every value that came off the wire (or out of a hand-edited store) is hostile by the time it
// reaches a mail. This module turns such values into text that is safe where it lands: a
// plain-text table, an HTML cell, a CSV cell a spreadsheet will open, a shell command the
// admin will paste, a header. Nothing here knows about mail transport.

const MAX_DISPLAY = 200;

// C0/C1 controls, DEL, and the Unicode format characters that reorder or hide text (bidi
// overrides and isolates, zero-width joiners, BOM): shown as escapes so a value cannot fake
// table lines, hide characters, or flip the text of a command (Trojan Source).
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

function escapeChar(c: string): string {
  switch (c) {
    case '\r':
      return '\\r';
    case '\n':
      return '\\n';
    case '\t':
      return '\\t';
  }
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** A value as one visible line: invisible characters escaped, backslashes doubled, capped. */
export function displayValue(s: string, max = MAX_DISPLAY): string {
  const out = s.replace(/\\/g, '\\\\').replace(INVISIBLE, escapeChar);
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

export function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * One CSV cell (RFC 4180 quoting). A text cell that a spreadsheet would run as a formula
 * (starting with = + - @, tab or CR: OWASP's list) gets a leading apostrophe.
 */
export function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const s = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: readonly (string | number)[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

const SHELL_SAFE = /^[A-Za-z0-9._:/@%+=,^-]+$/;

/**
 * A word for bash, so the command in the mail reproduces the value exactly when pasted:
 * bare when harmless, '…' otherwise, $'…' when it holds control or invisible characters.
 */
export function shellQuote(s: string): string {
  if (SHELL_SAFE.test(s)) return s;
  INVISIBLE.lastIndex = 0;
  if (!INVISIBLE.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
  const body = s.replace(/[\\']/g, (c) => `\\${c}`).replace(INVISIBLE, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\r') return '\\r';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return `$'${body}'`;
}

/** Text for a header field: one line, no controls, capped (the composer still encodes it). */
export function headerText(s: string, max = 180): string {
  const one = s.replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
