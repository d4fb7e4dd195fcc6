#!/usr/bin/env node
// The spanwatch command line: one module per command, registered here. Errors the user can
// fix (config, usage) print as plain lines and exit 2; nothing prints a stack trace unless
// SPANWATCH_DEBUG is set.

import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { registerAlertsCommand } from './alerts-command.js';
import { registerBaselineCommand } from './baseline-command.js';
import { registerCheckCommand } from './check-command.js';
import { registerFieldsCommand } from './fields-command.js';
import { registerFilterCommand } from './filter-command.js';
import { registerInterfacesCommand } from './interfaces-command.js';
import { registerReportCommand } from './report-command.js';
import { registerRunCommand } from './run-command.js';
import { registerStatusCommand } from './status-command.js';
import { EXIT, UsageError } from './usage-error.js';

const program = new Command('spanwatch')
  .description('connectivity diff engine: counts packets into connectivity tables, interval by interval')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();
registerRunCommand(program);
registerBaselineCommand(program);
registerCheckCommand(program);
registerFieldsCommand(program);
registerFilterCommand(program);
registerInterfacesCommand(program);
registerStatusCommand(program);
registerReportCommand(program);
registerAlertsCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err);
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`spanwatch: ${err.message}\n`);
    return EXIT.USAGE;
  }
  if (process.env.SPANWATCH_DEBUG) throw err;
  process.stderr.write(`spanwatch: ${(err as Error).message ?? String(err)}\n`);
  return EXIT.RUN_FAILED;
}
