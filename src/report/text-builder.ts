// Builds a long text of many short lines (the history lines of a learning table's write).
//
// `out += line` makes a chain of string pieces that all stay alive until the end, so every
// young-generation collection copies the whole chain again: writing a big table spent more
// time collecting garbage than formatting. Here lines are joined into flat chunks every so
// often; a line dies young, and only the chunks live on.

const LINES_PER_CHUNK = 512;

export class TextBuilder {
  private readonly chunks: string[] = [];
  private lines: string[] = [];

  /** Adds one line, without its line ending. */
  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length === LINES_PER_CHUNK) this.flush();
  }

  toString(): string {
    if (this.lines.length > 0) this.flush();
    return this.chunks.join('');
  }

  private flush(): void {
    this.chunks.push(this.lines.join('\n') + '\n');
    this.lines = [];
  }
}
