// Errors in how a command was called (bad flag values, missing arguments): exit code 2,
// printed as one line without a stack trace.

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit codes: 0 fine; 1 the run failed part way (what was read is kept); 2 bad config or usage. */
export const EXIT = { OK: 0, RUN_FAILED: 1, USAGE: 2, CAPTURE_DEVICE: 3 } as const;
