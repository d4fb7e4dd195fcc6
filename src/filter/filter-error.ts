// FilterError: the one way a filter expression is refused. It names the place (1-based line
// and column in the expression as written) and a human reason, so the config loader can
// prefix it with a config path and the CLI can draw a caret under the column.

export class FilterError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${line}:${column}: ${reason}`);
    this.name = 'FilterError';
  }
}

/** Line and column (both 1-based) of a character offset within `text`. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The expression's line holding `err`, with a caret under its column (for terminals). */
export function caretLine(expr: string, err: FilterError): string {
  const text = expr.split('\n')[err.line - 1] ?? '';
  return `${text}\n${' '.repeat(Math.max(0, err.column - 1))}^`;
}
