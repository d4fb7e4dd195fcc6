// Errors the store reports to the admin: a file that does not parse (with file:line, so an
// editor can jump there), and a lock held by another writer. The CLI prints them as one
// line and exits 2.

export class StoreError extends Error {
  override name = 'StoreError';
}

export class StoreFormatError extends StoreError {
  override name = 'StoreFormatError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

export class StoreLockedError extends StoreError {
  override name = 'StoreLockedError';
}
