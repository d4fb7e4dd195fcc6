// Findings for alert tests, and a child-process driver that plays the differ: it feeds
// findings into a real alert sink at a steady pace, as `spanwatch run` will, so tests can
// kill it (SIGKILL) and start it again.
//
//   node --import tsx test/support/alert-driver.ts <spec.json>
//   spec: { config, reportsDir, sensor, findings: [Finding…], paceMs, exitWhenDelivered }
// Prints `durable <n>` after the first n findings are on disk (flush resolved), and
// `delivered` before exiting when the outbox is empty (exitWhenDelivered).

import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createAlertSink } from '../../src/alert/alert-sink.js';
import { DEFAULT_ALERT_KINDS, type AlertConfig } from '../../src/config/alert-config.js';
import { findingIdentifier, type Finding, type FindingKind } from '../../src/diff/finding.js';

export const CONN_FIELDS = ['client_host', 'server_host', 'proto', 'server_port'] as const;

export function makeFinding(key: readonly string[], kind: FindingKind = 'new_row', table = 'conn', fields: readonly string[] = CONN_FIELDS, packets = 3): Finding {
  return {
    kind,
    table,
    key_fields: fields,
    key,
    counters: { packets, bytes: packets * 60, first_seen: '2026-11-20T10:00:01.000Z', last_seen: '2026-11-20T10:00:02.500Z' },
    ts: '2026-11-20T10:00:01.000Z',
    identifier: findingIdentifier(table, kind, key),
  };
}

export function alertConfig(over: Partial<AlertConfig> = {}): AlertConfig {
  return {
    to: ['ops@example.org'],
    from: 'spanwatch@sensor1.example.org',
    smtp: null,
    passwordFile: null,
    caFile: null,
    batchWindowMs: 300,
    maxMailsPerHour: 20,
    kinds: DEFAULT_ALERT_KINDS,
    remindAfterMs: null,
    retryMinMs: 100,
    retryMaxMs: 400,
    ...over,
  };
}

interface DriverSpec {
  config: AlertConfig;
  reportsDir: string;
  sensor: string;
  findings: Finding[];
  paceMs: number;
  exitWhenDelivered: boolean;
}

async function main(specFile: string): Promise<void> {
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as DriverSpec;
  const sink = createAlertSink({ config: spec.config, reportsDir: spec.reportsDir, sensor: spec.sensor, log: (m) => process.stderr.write(`driver: ${m}\n`) });
  for (let i = 0; i < spec.findings.length; i++) {
    sink.emit(spec.findings[i]!);
    await sink.flush();
    process.stdout.write(`durable ${i + 1}\n`);
    await new Promise((r) => setTimeout(r, spec.paceMs));
  }
  if (!spec.exitWhenDelivered) {
    setInterval(() => undefined, 1000); // stay up, delivering, until killed
    return;
  }
  // Let the last batch window close, then wait for the outbox to empty.
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const s = sink.stats();
    if (s.waiting === 0 && s.digestWaiting === 0 && sink.outbox.queued === 0) break;
  }
  await sink.close();
  process.stdout.write('delivered\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv[2]!);
