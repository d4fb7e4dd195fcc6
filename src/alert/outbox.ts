// The durable outbox: every alert mail is written to disk (atomic write) before any send is
// tried, and stays there until the SMTP server accepted it. Layout under reports/outbox/:
//
//   <id>.eml                 no SMTP configured: the mail itself is the delivery (offline)
//   queue/<id>.eml + .json   waiting or retrying; .json holds attempts, next try, last error
//   sent/<id>.eml + .json    accepted; .json holds the server's reply
//   failed/<id>.eml + .json  refused for good (5xx); .json holds the reason
//
// The queue .json is the commit point (written after its .eml). Sends run one at a time in
// id order, with exponential backoff; a connection failure holds the whole queue back, a
// 4xx only that mail. Nothing here blocks the caller: enqueue() resolves once on disk.

import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../report/atomic-write.js';
import type { Clock } from './clock.js';
import { SendError, type MailTransport } from './mail-transport.js';

export interface OutboxMeta {
  id: string;
  created: string;
  subject: string;
  from: string;
  to: string[];
  urgent: boolean;
  findings: number;
  attempts: number;
  next_attempt: string | null;
  last_error: string | null;
  sent_at?: string;
  response?: string;
  rejected?: string[];
  failed_at?: string;
}

export type OutboxState = 'queued' | 'retrying' | 'sent' | 'failed' | 'written';

export interface OutboxEntry {
  state: OutboxState;
  id: string;
  file: string;
  meta: OutboxMeta | null;
}

export interface RetryPolicy {
  minMs: number;
  maxMs: number;
}

export class Outbox {
  /** Counts since start, for summaries and tests. */
  sent = 0;
  failed = 0;
  retries = 0;
  private readonly queue = new Map<string, OutboxMeta>();
  private running = false;
  private blockedUntil = 0;
  private cancelTimer: (() => void) | null = null;
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly transport: MailTransport | null,
    private readonly clock: Clock,
    private readonly log: (msg: string) => void,
    private readonly retry: RetryPolicy,
  ) {}

  get offline(): boolean {
    return this.transport === null;
  }

  get queued(): number {
    return this.queue.size;
  }

  /** Loads what an earlier run left queued (retried at once) and starts sending. */
  start(): void {
    if (this.transport === null) return;
    const q = path.join(this.dir, 'queue');
    for (const name of safeList(q).filter((n) => n.endsWith('.json')).sort()) {
      const id = name.slice(0, -5);
      const meta = readMeta(path.join(q, name));
      const eml = path.join(q, `${id}.eml`);
      if (meta !== null && fs.existsSync(eml)) {
        this.queue.set(id, { ...meta, next_attempt: null });
        continue;
      }
      // Crashed between moving the .eml to sent/ and moving its .json: finish the move.
      if (meta !== null && fs.existsSync(path.join(this.dir, 'sent', `${id}.eml`))) {
        fs.mkdirSync(path.join(this.dir, 'sent'), { recursive: true });
        fs.renameSync(path.join(q, name), path.join(this.dir, 'sent', name));
        continue;
      }
      this.log(`outbox: ${name} is damaged or has no message; moved to failed/`);
      fs.mkdirSync(path.join(this.dir, 'failed'), { recursive: true });
      fs.renameSync(path.join(q, name), path.join(this.dir, 'failed', name));
    }
    // A .eml without its .json was never committed: its findings are still pending upstream.
    for (const name of safeList(q).filter((n) => n.endsWith('.eml'))) {
      if (!this.queue.has(name.slice(0, -4))) fs.rmSync(path.join(q, name), { force: true });
    }
    this.kick();
  }

  /** Resolves when the mail is on disk; sending happens later, in the background. */
  async enqueue(meta: OutboxMeta, raw: Buffer): Promise<void> {
    if (this.transport === null) {
      await writeFileAtomic(path.join(this.dir, `${meta.id}.eml`), raw);
      this.sent++;
      return;
    }
    const q = path.join(this.dir, 'queue');
    await writeFileAtomic(path.join(q, `${meta.id}.eml`), raw);
    await writeFileAtomic(path.join(q, `${meta.id}.json`), JSON.stringify(meta, null, 2) + '\n');
    this.queue.set(meta.id, meta);
    this.kick();
  }

  /** Whether a mail with this id was committed (queued, sent, failed or written). */
  has(id: string): boolean {
    return (
      fs.existsSync(path.join(this.dir, `${id}.eml`)) ||
      ['queue', 'sent', 'failed'].some((d) => fs.existsSync(path.join(this.dir, d, `${id}.json`)))
    );
  }

  kick(): void {
    if (!this.running && !this.closed && this.transport !== null) void this.pump();
  }

  /** Waits (real time) until the queue is empty or `ms` passed; true when empty. */
  async idle(ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (this.queue.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    return this.queue.size === 0;
  }

  close(): void {
    this.closed = true;
    this.cancelTimer?.();
    this.transport?.close();
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed) {
        const now = this.clock.now();
        const waiting = [...this.queue.values()].sort((a, b) => a.id.localeCompare(b.id));
        if (waiting.length === 0) return;
        const due = now < this.blockedUntil ? undefined : waiting.find((m) => m.next_attempt === null || Date.parse(m.next_attempt) <= now);
        if (!due) {
          const next = Math.max(this.blockedUntil, Math.min(...waiting.map((m) => (m.next_attempt ? Date.parse(m.next_attempt) : now))));
          this.cancelTimer?.();
          this.cancelTimer = this.clock.setTimer(next - now, () => this.kick());
          return;
        }
        await this.sendOne(due);
      }
    } finally {
      this.running = false;
    }
  }

  private async sendOne(meta: OutboxMeta): Promise<void> {
    const q = path.join(this.dir, 'queue');
    let raw: Buffer;
    try {
      raw = await fs.promises.readFile(path.join(q, `${meta.id}.eml`));
    } catch (err) {
      await this.setAside(meta, `cannot read the queued message: ${(err as Error).message}`);
      return;
    }
    meta.attempts++;
    try {
      const r = await this.transport!.send({ from: meta.from, to: meta.to }, raw);
      await this.move(meta.id, 'sent', { ...meta, next_attempt: null, sent_at: new Date(this.clock.now()).toISOString(), response: r.response, rejected: r.rejected });
      this.queue.delete(meta.id);
      this.blockedUntil = 0;
      this.sent++;
      if (r.rejected.length > 0) this.log(`alert mail ${meta.id}: the server refused recipients ${r.rejected.join(', ')}`);
    } catch (err) {
      const e = err instanceof SendError ? err : new SendError((err as Error).message, false, null, true);
      if (e.permanent) {
        await this.setAside(meta, e.message);
        return;
      }
      const delay = Math.min(this.retry.maxMs, this.retry.minMs * 2 ** Math.min(meta.attempts - 1, 30));
      const next = this.clock.now() + delay;
      meta.next_attempt = new Date(next).toISOString();
      meta.last_error = e.message;
      if (e.connection) this.blockedUntil = next;
      this.retries++;
      this.log(`alert mail ${meta.id} not sent (attempt ${meta.attempts}): ${e.message}; retrying in ${Math.round(delay / 100) / 10} s`);
      await writeFileAtomic(path.join(q, `${meta.id}.json`), JSON.stringify(meta, null, 2) + '\n').catch((w: Error) =>
        this.log(`outbox: cannot record the retry of ${meta.id}: ${w.message}`),
      );
    }
  }

  private async setAside(meta: OutboxMeta, reason: string): Promise<void> {
    await this.move(meta.id, 'failed', { ...meta, next_attempt: null, last_error: reason, failed_at: new Date(this.clock.now()).toISOString() });
    this.queue.delete(meta.id);
    this.failed++;
    this.log(`alert mail ${meta.id} refused for good, kept in ${path.join(this.dir, 'failed')}: ${reason}`);
  }

  // The .eml moves first, so a crash in between leaves a queue .json whose message already
  // sits in sent/: start() finishes the move instead of sending it twice.
  private async move(id: string, to: 'sent' | 'failed', meta: OutboxMeta): Promise<void> {
    const q = path.join(this.dir, 'queue');
    const d = path.join(this.dir, to);
    await fs.promises.mkdir(d, { recursive: true });
    await fs.promises.rename(path.join(q, `${id}.eml`), path.join(d, `${id}.eml`)).catch(() => undefined);
    await writeFileAtomic(path.join(d, `${id}.json`), JSON.stringify(meta, null, 2) + '\n');
    await fs.promises.rm(path.join(q, `${id}.json`), { force: true });
  }
}

/** Everything in an outbox directory, oldest first (for `spanwatch alerts status`). */
export function listOutbox(dir: string): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  for (const name of safeList(dir).filter((n) => n.endsWith('.eml'))) {
    out.push({ state: 'written', id: name.slice(0, -4), file: path.join(dir, name), meta: null });
  }
  for (const sub of ['queue', 'sent', 'failed'] as const) {
    const d = path.join(dir, sub);
    for (const name of safeList(d).filter((n) => n.endsWith('.json'))) {
      const meta = readMeta(path.join(d, name));
      const state: OutboxState = sub === 'queue' ? (meta !== null && meta.attempts > 0 ? 'retrying' : 'queued') : sub;
      out.push({ state, id: name.slice(0, -5), file: path.join(d, `${name.slice(0, -5)}.eml`), meta });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readMeta(file: string): OutboxMeta | null {
  try {
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as OutboxMeta;
    return typeof m.id === 'string' && Array.isArray(m.to) && typeof m.from === 'string' ? m : null;
  } catch {
    return null;
  }
}
