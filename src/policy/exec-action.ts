// `exec` actions: run a command when a finding of some kind appears or a deny rule fires.
//
// The command runs without a shell (child_process.spawn with the argv as configured), gets
// the finding as one JSON line on stdin, and is killed (SIGKILL) when its timeout passes.
// Its exit is logged in one line: `action ["/usr/local/sbin/lockdown",…] for denied_row
// conn|denied_row|…: exit 0 (12 ms)`; a failure (cannot start, non-zero exit, killed by a
// signal, timed out) is logged once and never retried. Actions never block counting: they
// are started from setImmediate, off the packet loop, at most MAX_RUNNING at a time; a
// backlog beyond MAX_QUEUED is dropped with one line saying how many.
//
// Must not: run a shell, retry, or hold up the run for longer than the actions' timeouts.

import { spawn } from 'node:child_process';
import type { Finding, FindingSink } from '../diff/finding.js';
import type { ExecAction } from './policy-rules.js';

const MAX_RUNNING = 4;
const MAX_QUEUED = 256;

interface Job {
  action: ExecAction;
  finding: Finding;
}

export interface ActionStats {
  started: number;
  succeeded: number;
  failed: number;
  dropped: number;
}

export class ActionRunner {
  readonly stats: ActionStats = { started: 0, succeeded: 0, failed: 0, dropped: 0 };
  private readonly queue: Job[] = [];
  private running = 0;
  private scheduled = false;
  private idle: (() => void)[] = [];
  private droppedSinceLog = 0;

  constructor(private readonly log: (message: string) => void) {}

  /** Queues one run of `action` for `finding`; returns at once. */
  run(action: ExecAction, finding: Finding): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.stats.dropped++;
      if (this.droppedSinceLog++ === 0) this.log(`actions: more than ${MAX_QUEUED} waiting; dropping further runs until the backlog clears`);
      return;
    }
    this.queue.push({ action, finding });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.pump();
      });
    }
  }

  /** A FindingSink that runs the configured action of each finding's kind. */
  kindSink(actions: Readonly<Partial<Record<string, ExecAction>>>): FindingSink {
    return {
      emit: (f) => {
        const a = actions[f.kind];
        if (a !== undefined) this.run(a, f);
      },
      flush: async () => undefined,
    };
  }

  /** Resolves when nothing is queued or running (each run ends by its timeout at the latest). */
  drain(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.running < MAX_RUNNING && this.queue.length > 0) this.start(this.queue.shift()!);
    if (this.queue.length === 0 && this.droppedSinceLog > 0) {
      this.log(`actions: ${this.droppedSinceLog} runs were dropped while the backlog was full`);
      this.droppedSinceLog = 0;
    }
    if (this.running === 0 && this.queue.length === 0 && !this.scheduled) {
      const waiting = this.idle;
      this.idle = [];
      for (const resolve of waiting) resolve();
    }
  }

  private start(job: Job): void {
    const { action, finding } = job;
    const argv = action.exec;
    const what = `action ${JSON.stringify(argv)} for ${finding.identifier}`;
    const started = Date.now();
    this.running++;
    this.stats.started++;
    let done = false;
    let timedOut = false;
    const finish = (ok: boolean, message: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.running--;
      if (ok) this.stats.succeeded++;
      else this.stats.failed++;
      this.log(`${what}: ${message} (${Date.now() - started} ms)${ok ? '' : '; not retried'}`);
      this.pump();
    };
    const child = spawn(argv[0]!, argv.slice(1), { shell: false, stdio: ['pipe', 'ignore', 'ignore'], windowsHide: true });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, action.timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => finish(false, `failed to start: ${err.code ?? err.message}`));
    child.on('exit', (code, signal) => {
      if (timedOut) finish(false, `timed out after ${action.timeoutMs} ms, killed`);
      else if (code === 0) finish(true, 'exit 0');
      else if (code !== null) finish(false, `exit ${code}`);
      else finish(false, `killed by ${signal ?? 'a signal'}`);
    });
    // A command that does not read its stdin closes the pipe: that is not its failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(finding) + '\n');
  }
}
