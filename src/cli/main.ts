#!/usr/bin/env node
// The spanwatch command line: one module per command, registered here. Errors the user can
// fix (config, usage) print as plain lines and exit 2; nothing prints a stack trace unless
// SPANWATCH_DEBUG is set.

import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { EXIT, UsageError } from './usage-error.js';

type Register = (program: Command) => void;

// Each command's module is loaded only when that command runs (or for the full help):
// `spanwatch run` should not pay for loading the live-capture addon, the report charts or
// the baseline editor before its first packet.
const COMMANDS: Record<string, () => Promise<Register>> = {
  run: async () => {
    // The interval CSV thread starts while the rest of `run` loads (csv-writer.ts).
    (await import('../report/csv-writer.js')).startWriterThreadEarly();
    return (await import('./run-command.js')).registerRunCommand;
  },
  baseline: async () => (await import('./baseline-command.js')).registerBaselineCommand,
  check: async () => (await import('./check-command.js')).registerCheckCommand,
  fields: async () => (await import('./fields-command.js')).registerFieldsCommand,
  filter: async () => (await import('./filter-command.js')).registerFilterCommand,
  interfaces: async () => (await import('./interfaces-command.js')).registerInterfacesCommand,
  status: async () => (await import('./status-command.js')).registerStatusCommand,
  report: async () => (await import('./report-command.js')).registerReportCommand,
  alerts: async () => (await import('./alerts-command.js')).registerAlertsCommand,
  policy: async () => (await import('./policy-command.js')).registerPolicyCommand,
};

const program = new Command('spanwatch')
  .description('connectivity diff engine: counts packets into connectivity tables, interval by interval')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

try {
  const name = process.argv[2];
  const wanted = name !== undefined && name in COMMANDS ? [name] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((n) => COMMANDS[n]!()))) register(program);
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
