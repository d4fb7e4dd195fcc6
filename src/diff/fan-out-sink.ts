// One FindingSink that hands every finding to several (the findings log and, with the
// alert issue, the mail policy): the differ emits once and need not know who listens.

import type { Finding, FindingSink } from './finding.js';

export class FanOutSink implements FindingSink {
  constructor(private readonly sinks: readonly FindingSink[]) {}

  emit(finding: Finding): void {
    for (const s of this.sinks) s.emit(finding);
  }

  async flush(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.flush()));
  }
}
