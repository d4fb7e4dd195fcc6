// The daemon's lifecycle: signals in, ordered shutdown and reload hooks out.
//
// Modules that hold something to flush or reload (the capture, the engine's open interval,
// the CSV writer, the differ's findings, the alert outbox, the state file) register a hook
// here instead of listening to signals themselves, so shutdown runs in one known order under
// one deadline:
//
//   SIGTERM / SIGINT ─► stop() (closes the capture: no packet after this)
//                    ─► close hooks by CloseOrder (interval, reports, findings, outbox,
//                       state), each awaited, failures logged and skipped
//                    ─► exit 0 (1 if a hook failed), forced after SHUTDOWN_DEADLINE_MS
//   SIGHUP           ─► reload hooks in registration order (config first, then baselines…);
//                       a failing reload is logged and the daemon runs on as it was
//
// A second SIGTERM/SIGINT during shutdown exits at once. Nothing here knows about packets.

export const SHUTDOWN_DEADLINE_MS = 4500;

/** Where a close hook runs in the shutdown sequence: lower first. */
export const CloseOrder = {
  /** Write the open (partial) interval: engine.flush(). */
  INTERVAL: 10,
  /** Interval CSVs written (the CSV writer thread drained). */
  REPORTS: 20,
  /** Findings of that interval (the differ's sink). */
  FINDINGS: 30,
  /** Alert outbox queued to disk / sent. */
  OUTBOX: 40,
  /** The state file's final "stopped" record. */
  STATE: 90,
} as const;

type Hook = () => void | Promise<void>;

interface CloseHook {
  order: number;
  name: string;
  fn: Hook;
  seq: number;
}

export class Lifecycle {
  /** Why shutdown began ('SIGTERM', 'SIGINT', …); null while running. */
  stopping: string | null = null;
  private readonly closeHooks: CloseHook[] = [];
  private readonly reloadHooks: { name: string; fn: Hook }[] = [];
  private stopFn: () => void = () => undefined;
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  private readonly listeners: [NodeJS.Signals, () => void][] = [];

  constructor(private readonly log: (message: string) => void) {}

  /** What ends the main loop (closing the capture); called first on shutdown. */
  setStop(fn: () => void): void {
    this.stopFn = fn;
  }

  /** Registers a shutdown step; steps with equal order run in registration order. */
  onClose(order: number, name: string, fn: Hook): void {
    this.closeHooks.push({ order, name, fn, seq: this.closeHooks.length });
  }

  /** Registers a SIGHUP step; they run in registration order. */
  onReload(name: string, fn: Hook): void {
    this.reloadHooks.push({ name, fn });
  }

  /** Listens for SIGTERM, SIGINT and SIGHUP until close(). */
  installSignals(): void {
    const on = (sig: NodeJS.Signals, fn: () => void): void => {
      process.on(sig, fn);
      this.listeners.push([sig, fn]);
    };
    const term = (sig: NodeJS.Signals) => () => {
      if (this.stopping !== null) {
        this.log(`${sig} again during shutdown: exiting now`);
        process.exit(1);
      }
      this.requestStop(sig);
    };
    on('SIGTERM', term('SIGTERM'));
    on('SIGINT', term('SIGINT'));
    on('SIGHUP', () => void this.reload());
  }

  /** Begins shutdown: stops the main loop, and arms the deadline that forces the exit. */
  requestStop(reason: string): void {
    if (this.stopping !== null) return;
    this.stopping = reason;
    setTimeout(() => {
      this.log(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000} s: exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    this.stopFn();
  }

  /** Runs every reload hook (a SIGHUP arriving meanwhile runs them once more afterwards). */
  async reload(): Promise<void> {
    if (this.stopping !== null) return;
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        for (const h of this.reloadHooks) {
          try {
            await h.fn();
          } catch (err) {
            this.log(`reload (${h.name}) failed, running on as before: ${(err as Error).message}`);
          }
        }
      } while (this.reloadAgain && this.stopping === null);
    })();
    try {
      await this.reloading;
    } finally {
      this.reloading = null;
    }
  }

  /** Runs the close hooks in order; resolves true when all succeeded. Removes the signal listeners. */
  async close(): Promise<boolean> {
    if (this.reloading) await this.reloading.catch(() => undefined);
    let ok = true;
    const hooks = [...this.closeHooks].sort((a, b) => a.order - b.order || a.seq - b.seq);
    for (const h of hooks) {
      try {
        await h.fn();
      } catch (err) {
        ok = false;
        this.log(`shutdown (${h.name}) failed: ${(err as Error).message}`);
      }
    }
    for (const [sig, fn] of this.listeners.splice(0)) process.off(sig, fn);
    return ok;
  }
}
