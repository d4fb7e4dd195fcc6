// From a config (a YAML file, or the built-in default) to the compiled plan the engine runs:
// every table's key parts and `where` predicate, the interval, the home networks, the
// capture filter. All problems are found in one pass and thrown together as a ConfigError
// (the CLI exits 2).

import fs from 'node:fs';
import os from 'node:os';
import { HomeNetworks, parsePrefix, type Prefix } from '../count/home-networks.js';
import { DEFAULT_SERVICE_PORTS } from '../count/direction.js';
import { FIELD_NAMES } from '../count/fields.js';
import { parseKeySpec, type KeyPart } from '../count/key-part.js';
import type { FramePredicate, TableSpec } from '../count/table.js';
import { compileFilter } from '../filter/compile-filter.js';
import { FilterError } from '../filter/filter-error.js';
import { readAlertConfig, type AlertConfig } from './alert-config.js';
import { POLICY_KEYS, readPolicySettings, type PolicySettings } from './policy-config.js';
import { BASELINE_KEYS, readBaselineSettings, type BaselineSettings } from './baseline-config.js';
import { ConfigError } from './config-error.js';
import { LIVE_CAPTURE_KEYS, RUN_AS_KEY, readLiveCaptureConfig, type LiveCaptureConfig } from './capture-config.js';
import { DEFAULT_CONFIG } from './default-config.js';
import { parseDuration } from './duration.js';
import { readReports, readRetention, type ReportSpec } from './reports-config.js';
import type { At, ConfigReader } from './config-reader.js';
import { ObjectReader } from './object-reader.js';
import { YAMLReader } from './yaml-reader.js';

export interface Plan extends BaselineSettings, PolicySettings {
  /** The config file read, or "(built-in default)". */
  file: string;
  sensor: string;
  intervalSec: number;
  reportsDir: string;
  home: HomeNetworks;
  homeNetworks: readonly string[];
  servicePorts: readonly number[];
  tables: readonly TableSpec[];
  /** `where:` text per table, for display. */
  tableWhere: ReadonlyMap<string, string>;
  captureFilterText: string | null;
  captureFilter: FramePredicate | null;
  /** Live capture: interface, buffer size, snaplen, run_as (src/config/capture-config.ts). */
  live: LiveCaptureConfig;
  /** Scheduled summary reports (src/config/reports-config.ts). */
  reports: readonly ReportSpec[];
  /** `retention:` in seconds; null keeps everything. */
  retentionSec: number | null;
  /** `alerts:` (src/config/alert-config.ts); null: no alert mail. */
  alerts: AlertConfig | null;
}

export const DEFAULT_CONFIG_NAME = '(built-in default)';
const TOP_KEYS = ['sensor', 'interval', 'reports_dir', 'home_networks', 'service_ports', 'port_lists', 'capture', 'tables', RUN_AS_KEY, 'reports', 'retention', ...BASELINE_KEYS, 'alerts', ...POLICY_KEYS];
const TABLE_KEYS = ['name', 'key', 'where'];
const CAPTURE_KEYS = ['filter', ...LIVE_CAPTURE_KEYS];
const TABLE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export function loadConfigFile(file: string): Plan {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError([{ file, line: 1, column: 1, path: '', message: `cannot read config: ${e.code === 'ENOENT' ? 'no such file' : e.message}` }]);
  }
  return compileConfig(file, text);
}

/** The built-in default: plain data, so no YAML parser is loaded (default-config.ts). */
export function defaultPlan(): Plan {
  return compilePlan(new ObjectReader(DEFAULT_CONFIG_NAME, DEFAULT_CONFIG));
}

export function compileConfig(file: string, text: string): Plan {
  return compilePlan(new YAMLReader(file, text));
}

/** The sensor name is a key value (the `sensor` field) in baselines and findings: no blanks. */
function readSensor(r: ConfigReader, at: At): string | null {
  const s = r.string(at, 'a sensor name');
  if (s !== null && (s === '' || /\s/.test(s))) {
    r.problem(at, `sensor ${JSON.stringify(s)}: a sensor name cannot be empty or hold blanks (it is a key value in baselines and findings)`);
    return null;
  }
  return s;
}

function compilePlan(r: ConfigReader): Plan {
  const file = r.file;
  const top = r.problems.length === 0 ? r.map(r.root, TOP_KEYS) : null;
  const get = (k: string): At | undefined => top?.get(k);

  const sensor = optional(get('sensor'), (at) => readSensor(r, at)) ?? os.hostname();
  const intervalSec = optional(get('interval'), (at) => readInterval(r, at)) ?? 60;
  const reportsDir = optional(get('reports_dir'), (at) => r.string(at, 'a directory')) ?? 'reports';
  const homeNetworks: string[] = [];
  const prefixes: Prefix[] = [];
  for (const at of optional(get('home_networks'), (at) => r.seq(at)) ?? []) {
    const s = r.string(at, 'a network such as 10.0.0.0/8');
    const p = s === null ? null : parsePrefix(s);
    if (s !== null && p === null) r.problem(at, `"${s}" is not an IPv4 or IPv6 network (such as 10.0.0.0/8 or 2001:db8::/32)`);
    if (s !== null && p !== null) {
      homeNetworks.push(s);
      prefixes.push(p);
    }
  }
  const servicePorts = optional(get('service_ports'), (at) => readPorts(r, at)) ?? DEFAULT_SERVICE_PORTS;
  const portLists = new Map<string, number[]>();
  const listsMap = optional(get('port_lists'), (at) => r.map(at, null));
  for (const [name, at] of listsMap ?? []) {
    const ports = readPorts(r, at);
    if (ports) portLists.set(name, ports);
  }

  let captureFilterText: string | null = null;
  let captureFilter: FramePredicate | null = null;
  const capture = optional(get('capture'), (at) => r.map(at, CAPTURE_KEYS));
  const filterAt = capture?.get('filter');
  if (filterAt) {
    captureFilterText = r.string(filterAt, 'a filter expression');
    if (captureFilterText !== null) captureFilter = readFilter(r, filterAt, captureFilterText);
  }
  const live = readLiveCaptureConfig(r, capture, get(RUN_AS_KEY));

  const tables: TableSpec[] = [];
  const tableWhere = new Map<string, string>();
  const tablesAt = get('tables');
  if (top && !tablesAt) r.problem(r.root, 'no "tables:" list: define at least one table');
  for (const at of tablesAt ? (r.seq(tablesAt) ?? []) : []) {
    const t = readTable(r, at, portLists, prefixes.length > 0, tables);
    if (t) {
      tables.push(t.spec);
      if (t.where !== null) tableWhere.set(t.spec.name, t.where);
    }
  }

  const reports = optional(get('reports'), (at) => readReports(r, at, tables.map((t) => t.name))) ?? [];
  const retentionSec = optional(get('retention'), (at) => readRetention(r, at));
  const baseline = readBaselineSettings(r, get);
  const alerts = optional(get('alerts'), (at) => readAlertConfig(r, at));
  const policy = readPolicySettings(r, get('vars'), get('policy'), tables.map((t) => t.name)); // vars/policy: src/config/policy-config.ts

  if (r.problems.length > 0) throw new ConfigError([...r.problems].sort((a, b) => a.line - b.line || a.column - b.column));
  return {
    file,
    sensor,
    intervalSec,
    reportsDir,
    home: new HomeNetworks(prefixes),
    homeNetworks,
    servicePorts,
    tables,
    tableWhere,
    captureFilterText,
    captureFilter,
    live,
    reports,
    retentionSec,
    alerts,
    ...baseline,
    ...policy,
  };
}

function optional<T>(at: At | undefined, read: (at: At) => T | null): T | null {
  return at === undefined ? null : read(at);
}

function readInterval(r: ConfigReader, at: At): number | null {
  const v = r.scalar(at);
  const sec = v === null ? null : parseDuration(v);
  if (v !== null && (sec === null || sec < 1 || !Number.isInteger(sec))) {
    r.problem(at, `"${v}" is not a whole number of seconds ≥ 1 (write 60s, 5m, 1h)`);
    return null;
  }
  return sec;
}

/** Ports as numbers or `low-high` ranges. */
function readPorts(r: ConfigReader, at: At): number[] | null {
  const items = r.seq(at);
  if (!items) return null;
  const out: number[] = [];
  for (const item of items) {
    const v = r.scalar(item);
    if (v === null) continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(String(v).trim());
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || hi > 65535 || lo > hi) {
      r.problem(item, `"${v}" is not a port (0-65535) or a range such as 8000-8099`);
      continue;
    }
    for (let p = lo; p <= hi; p++) out.push(p);
  }
  return out;
}

function readFilter(r: ConfigReader, at: At, text: string): FramePredicate | null {
  try {
    const compiled = compileFilter(text);
    return (f) => compiled.test(f);
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    r.problemInString({ node: at.node, path: `${at.path}:${err.line}:${err.column}` }, err.column, err.reason);
    return null;
  }
}

function readTable(
  r: ConfigReader,
  at: At,
  portLists: ReadonlyMap<string, readonly number[]>,
  haveHome: boolean,
  earlier: readonly TableSpec[],
): { spec: TableSpec; where: string | null } | null {
  const m = r.map(at, TABLE_KEYS);
  if (!m) return null;
  const nameAt = m.get('name');
  const keyAt = m.get('key');
  if (!nameAt) r.problem(at, 'a table needs a "name"');
  if (!keyAt) r.problem(at, 'a table needs a "key" list of fields');
  const name = nameAt ? r.string(nameAt, 'a table name') : null;
  if (name !== null && nameAt && !TABLE_NAME.test(name)) {
    r.problem(nameAt, `table name "${name}" must start with a lower-case letter and hold only a-z, 0-9, _ and - (it names files)`);
  }
  if (name !== null && nameAt && earlier.some((t) => t.name === name)) r.problem(nameAt, `table name "${name}" is used twice`);
  const parts: KeyPart[] = [];
  const keyItems = keyAt ? r.seq(keyAt) : null;
  if (keyItems && keyItems.length === 0 && keyAt) r.problem(keyAt, 'the key needs at least one field');
  for (const item of keyItems ?? []) {
    const spec = r.string(item, 'a field name');
    if (spec === null) continue;
    const part = parseKeySpec(spec.trim(), portLists);
    if (typeof part === 'string') {
      r.problem(item, part.startsWith('unknown field') ? `${part}; known fields: ${FIELD_NAMES.join(', ')}` : part);
      continue;
    }
    if (part.name === 'direction' && !haveHome) r.problem(item, 'field "direction" needs home_networks to be set');
    if (parts.some((p) => p.name === part.name)) r.problem(item, `field "${part.name}" is in the key twice`);
    parts.push(part);
  }
  const whereAt = m.get('where');
  const whereText = whereAt ? r.string(whereAt, 'a filter expression') : null;
  const where = whereAt && whereText !== null ? readFilter(r, whereAt, whereText) : null;
  if (name === null || !keyItems || parts.length !== keyItems.length) return null;
  return { spec: { name, parts, where }, where: whereText };
}
