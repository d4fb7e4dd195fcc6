// What the alert policy must remember across restarts, in reports/alerts/state.json:
// which identifiers were mailed and when (suppression), the findings waiting in the open
// batch, the urgent queue and the digest, the hourly cap window, and the one mail being
// committed to the outbox (in_flight) so a crash between "mail on disk" and "state saved"
// neither loses nor repeats it. Saves are atomic and coalesced; no policy decisions here.

import fs from 'node:fs';
import type { Finding, FindingKind } from '../diff/finding.js';
import type { MailKind } from './alert-mail.js';
import { writeFileAtomic } from '../report/atomic-write.js';

export interface InFlight {
  id: string;
  kind: MailKind;
  findings: Finding[];
}

export interface AlertStateData {
  version: 1;
  /** identifier → when it was last mailed (ms since the epoch). */
  suppressed: Record<string, number>;
  /** row (table and key) → kind of the last finding about it: a change is a new decision. */
  last_kind: Record<string, FindingKind>;
  pending: Finding[];
  batch_opened_at: number | null;
  urgent: Finding[];
  digest: Finding[];
  window_start: number | null;
  window_count: number;
  in_flight: InFlight | null;
}

export function emptyState(): AlertStateData {
  return {
    version: 1,
    suppressed: {},
    last_kind: {},
    pending: [],
    batch_opened_at: null,
    urgent: [],
    digest: [],
    window_start: null,
    window_count: 0,
    in_flight: null,
  };
}

export class AlertStateFile {
  private writing: Promise<void> | null = null;
  private dirty = false;
  private waiters: (() => void)[] = [];
  /** Text of the last successful write: an unchanged state is not written again. */
  private lastWritten: string | null = null;

  constructor(
    readonly file: string,
    private readonly log: (msg: string) => void,
  ) {}

  /** Synchronous, once at start: a damaged file is kept aside and an empty state used. */
  load(): AlertStateData {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return emptyState();
    }
    try {
      const d = JSON.parse(text) as Partial<AlertStateData>;
      if (d.version !== 1) throw new Error(`unknown version ${String(d.version)}`);
      return { ...emptyState(), ...d };
    } catch (err) {
      const aside = `${this.file}.damaged-${Date.now()}`;
      fs.renameSync(this.file, aside);
      this.log(`alert state ${this.file} could not be read (${(err as Error).message}); kept as ${aside}, starting afresh`);
      return emptyState();
    }
  }

  /**
   * Resolves once a write that serialised `get()` after this call has reached the disk.
   * Calls made while a write runs share the next write.
   */
  save(get: () => AlertStateData): Promise<void> {
    this.dirty = true;
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    // Started on the next microtask, so that `writing` is set before the loop can end and
    // clear it (a loop with nothing new to write does not otherwise wait at all).
    if (this.writing === null) this.writing = Promise.resolve().then(() => this.loop(get));
    return done;
  }

  private async loop(get: () => AlertStateData): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const waiters = this.waiters.splice(0);
      try {
        // The same state again (a run that found nothing saves at start and at close): the
        // file already holds it, and each durable write costs two flushes to disk.
        const text = JSON.stringify(get());
        if (text !== this.lastWritten) {
          await writeFileAtomic(this.file, text);
          this.lastWritten = text;
        }
      } catch (err) {
        // A full disk must not stop counting (DESIGN rule 7): say so, and try again on the next save.
        this.log(`cannot save alert state ${this.file}: ${(err as Error).message}`);
      }
      for (const w of waiters) w();
    }
    this.writing = null;
  }
}
