// The `reports:` list and `retention:` setting of the config: scheduled summary reports
// (name, cron, timezone, period, tables, only, email) and how long reports/ keeps files.
// Cron expressions and time zones are checked here, at load, so a typo is a config error
// with file:line:col (pointing at the cron field at fault) rather than a crash at 7 am.
// Nothing here schedules or builds anything.

import { isTimeZone, validateCron } from '../report/schedule.js';
import { parseDuration } from './duration.js';
import type { At, ConfigReader } from './config-reader.js';

export interface ReportSpec {
  name: string;
  cron: string;
  /** IANA zone for the cron expression; null: the process's local time. */
  timezone: string | null;
  periodSec: number;
  /** Tables covered; null: every configured table. */
  tables: readonly string[] | null;
  /** `findings`: only the new/gone rows sections (no interval CSVs are read). */
  only: 'findings' | null;
  email: boolean;
}

const REPORT_KEYS = ['name', 'cron', 'timezone', 'period', 'tables', 'only', 'email'];
const REPORT_NAME = /^[a-z][a-z0-9_-]{0,63}$/;
/** Names taken by `spanwatch report` subcommands. */
const RESERVED = ['list'];

/** Reads `reports:`; `tableNames` are the configured tables, for checking `tables:`. */
export function readReports(r: ConfigReader, at: At, tableNames: readonly string[]): ReportSpec[] {
  const out: ReportSpec[] = [];
  for (const item of r.seq(at) ?? []) {
    const spec = readReport(r, item, tableNames, out);
    if (spec) out.push(spec);
  }
  return out;
}

/** Reads `retention:` as seconds (a whole number of seconds, at least one day). */
export function readRetention(r: ConfigReader, at: At): number | null {
  const v = r.scalar(at);
  const sec = v === null ? null : parseDuration(v);
  if (v !== null && (sec === null || sec < 86400 || !Number.isInteger(sec))) {
    r.problem(at, `"${v}" is not a retention of at least one day (write 90d, 12w)`);
    return null;
  }
  return sec;
}

function readReport(r: ConfigReader, at: At, tableNames: readonly string[], earlier: readonly ReportSpec[]): ReportSpec | null {
  const m = r.map(at, REPORT_KEYS);
  if (!m) return null;
  let ok = true;
  const need = (key: string, what: string): At | undefined => {
    const v = m.get(key);
    if (!v) {
      r.problem(at, `a report needs ${what}`);
      ok = false;
    }
    return v;
  };

  const nameAt = need('name', 'a "name"');
  const name = nameAt ? r.string(nameAt, 'a report name') : null;
  if (name !== null && nameAt) {
    if (!REPORT_NAME.test(name)) {
      r.problem(nameAt, `report name "${name}" must start with a lower-case letter and hold only a-z, 0-9, _ and - (it names folders)`);
      ok = false;
    } else if (RESERVED.includes(name)) {
      r.problem(nameAt, `report name "${name}" is taken by the command "spanwatch report ${name}"`);
      ok = false;
    } else if (earlier.some((e) => e.name === name)) {
      r.problem(nameAt, `report name "${name}" is used twice`);
      ok = false;
    }
  }

  const cronAt = need('cron', 'a "cron" schedule such as "0 7 * * *"');
  const cron = cronAt ? r.string(cronAt, 'a cron expression such as "0 7 * * *"') : null;
  if (cron !== null && cronAt) {
    for (const p of validateCron(cron)) {
      ok = false;
      r.problemInString(cronAt, p.fieldIndex >= 0 ? fieldColumn(cron, p.fieldIndex) : 1, `cron "${cron}": ${p.message}`);
    }
  }

  const tzAt = m.get('timezone');
  const timezone = tzAt ? r.string(tzAt, 'a time zone such as Europe/Berlin') : null;
  if (timezone !== null && tzAt && !isTimeZone(timezone)) {
    r.problem(tzAt, `unknown time zone "${timezone}" (write an IANA name such as Europe/Berlin or UTC)`);
    ok = false;
  }

  const periodAt = need('period', 'a "period" such as 24h');
  const pv = periodAt ? r.scalar(periodAt) : null;
  const periodSec = pv === null ? null : parseDuration(pv);
  if (periodAt && pv !== null && (periodSec === null || periodSec < 60 || !Number.isInteger(periodSec))) {
    r.problem(periodAt, `"${pv}" is not a period of at least one minute (write 1h, 24h, 7d)`);
    ok = false;
  }

  let tables: string[] | null = null;
  const tablesAt = m.get('tables');
  if (tablesAt) {
    const list = r.tableList(tablesAt, tableNames);
    tables = list.tables;
    ok &&= list.ok;
  }

  let only: 'findings' | null = null;
  const onlyAt = m.get('only');
  if (onlyAt) {
    const v = r.string(onlyAt, '"findings"');
    if (v === 'findings') only = 'findings';
    else if (v !== null) {
      r.problem(onlyAt, `only: "${v}" is not known; the one choice is "findings"`);
      ok = false;
    }
  }

  let email = false;
  const emailAt = m.get('email');
  if (emailAt) {
    const v = r.boolean(emailAt);
    if (v !== null) email = v;
    else {
      r.problem(emailAt, 'email: expected true or false');
      ok = false;
    }
  }

  if (!ok || name === null || cron === null || periodSec === null) return null;
  return { name, cron: cron.trim(), timezone, periodSec, tables, only, email };
}

/** 1-based column of the n-th whitespace-separated field inside the cron string. */
function fieldColumn(cron: string, n: number): number {
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  for (let i = 0; (m = re.exec(cron)) !== null; i++) if (i === n) return m.index + 1;
  return 1;
}
