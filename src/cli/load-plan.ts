// Which config a command runs on: --config FILE, else ./spanwatch.yaml when it exists,
// else the built-in default; then the command-line overrides.

import fs from 'node:fs';
import { defaultPlan, loadConfigFile, type Plan } from '../config/load-config.js';
import { parseDuration } from '../config/duration.js';
import { UsageError } from './usage-error.js';

export const DEFAULT_CONFIG_FILE = 'spanwatch.yaml';

export interface PlanOptions {
  config?: string;
  interval?: string;
  reports?: string;
}

export function loadPlan(opts: PlanOptions): Plan {
  let plan: Plan;
  if (opts.config !== undefined) plan = loadConfigFile(opts.config);
  else if (fs.existsSync(DEFAULT_CONFIG_FILE)) plan = loadConfigFile(DEFAULT_CONFIG_FILE);
  else plan = defaultPlan();
  if (opts.interval !== undefined) {
    const sec = parseDuration(opts.interval);
    if (sec === null || sec < 1 || !Number.isInteger(sec)) {
      throw new UsageError(`--interval "${opts.interval}": expected a whole number of seconds ≥ 1 (60s, 5m, 1h)`);
    }
    plan = { ...plan, intervalSec: sec };
  }
  if (opts.reports !== undefined) plan = { ...plan, reportsDir: opts.reports };
  return plan;
}
