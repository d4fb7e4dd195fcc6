// A finding: something the differ noticed about a table row. Detection never decides
// notification (DESIGN rule 6): detectors emit findings into a FindingSink; the alert
// policy decides what is mailed, batched, suppressed or only reported.

import { isoOrEmpty } from '../baseline/table-baseline.js';
import type { SnapshotRow } from '../count/table.js';

export type FindingKind = 'new_row' | 'denied_row' | 'gone_row' | 'volume_change';

export interface FindingCounters {
  packets: number;
  bytes: number;
  /** ISO 8601 UTC */
  first_seen: string;
  last_seen: string;
}

export interface Finding {
  kind: FindingKind;
  table: string;
  /** Key column names, in table order (e.g. client_host, server_host, proto, server_port). */
  key_fields: readonly string[];
  /** Key values as printed in CSVs and typed in the CLI, in table order. */
  key: readonly string[];
  counters: FindingCounters;
  /** When it was found: packet time (ISO 8601 UTC). */
  ts: string;
  /** `<table>|<kind>|<key values joined by space>`: stable across runs, used for suppression. */
  identifier: string;
  /** Optional detail, e.g. the deny rule that matched. */
  detail?: string;
}

export interface FindingSink {
  emit(finding: Finding): void;
  /** Resolves when everything emitted so far is durable (written or queued on disk). */
  flush(): Promise<void>;
}

export function findingIdentifier(table: string, kind: FindingKind, key: readonly string[]): string {
  return `${table}|${kind}|${key.join(' ')}`;
}

/** A finding about one table row, with the row's counters, found at `atMs` (packet time). */
export function findingFromRow(kind: FindingKind, table: string, keyFields: readonly string[], r: SnapshotRow, atMs: number, detail?: string): Finding {
  const f: Finding = {
    kind,
    table,
    key_fields: keyFields,
    key: r.key,
    counters: { packets: r.packets, bytes: r.bytes, first_seen: isoOrEmpty(r.firstSeen), last_seen: isoOrEmpty(r.lastSeen) },
    ts: isoOrEmpty(atMs),
    identifier: findingIdentifier(table, kind, r.key),
  };
  if (detail !== undefined) f.detail = detail;
  return f;
}
