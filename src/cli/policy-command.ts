// `spanwatch policy test --read FILE [--config FILE] [--format text|json] [--rows N]`: what
// the config's allow/deny policy makes of a capture — per rule the packets it matches as
// written (the ones `tcpdump -r FILE RULE` selects) and the rows holding them, per table how
// many rows are white, black and grey, and the black and grey rows with the rule behind
// each. Reads the capture as one interval; writes nothing.

import type { Command } from 'commander';
import { testPolicy, type PolicyTestResult } from '../policy/policy-test.js';
import { loadPlan } from './load-plan.js';
import { EXIT, UsageError } from './usage-error.js';
import { log } from './log.js';

interface PolicyTestOptions {
  read: string;
  config?: string;
  format: string;
  rows: string;
}

export function registerPolicyCommand(program: Command): void {
  const policy = program.command('policy').description('allow/deny policy: try it on a capture');
  policy
    .command('test')
    .description('per rule: packets and rows matched; per table: white, black and grey rows')
    .requiredOption('-r, --read <file>', 'capture file to read (pcap or pcapng; - for stdin)')
    .option('-c, --config <file>', 'config file (default: ./spanwatch.yaml if present)')
    .option('--format <format>', 'text or json', 'text')
    .option('--rows <n>', 'text: list at most this many black and grey rows', '50')
    .addHelpText('after', '\nExample:\n  spanwatch policy test --config etc/enclave.yaml --read test/data/enclave.pcap')
    .action(async (opts: PolicyTestOptions) => {
      if (!['text', 'json'].includes(opts.format)) throw new UsageError(`--format "${opts.format}": expected text or json`);
      const limit = Number(opts.rows);
      if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--rows "${opts.rows}": expected a whole number`);
      const plan = loadPlan(opts);
      if (plan.policy === null) throw new UsageError(`${plan.file} has no "policy:" block`);
      let result: PolicyTestResult;
      try {
        result = await testPolicy(plan, plan.policy, opts.read);
      } catch (err) {
        throw new UsageError(`cannot read capture: ${(err as Error).message}`);
      }
      process.stdout.write(opts.format === 'json' ? JSON.stringify(result) + '\n' : formatText(result, limit));
      if (result.error) log(result.error);
      process.exitCode = result.error ? EXIT.RUN_FAILED : EXIT.OK;
    });
}

function formatText(r: PolicyTestResult, limit: number): string {
  const lines: string[] = [`${r.packets} packets; default: ${r.default}`, ''];
  const w = Math.max(4, ...r.rules.map((x) => x.rule.length));
  lines.push(`${'rule'.padEnd(w)}  ${'packets'.padStart(8)}  ${'rows'.padStart(6)}  text`);
  for (const x of r.rules) lines.push(`${x.rule.padEnd(w)}  ${String(x.packets).padStart(8)}  ${String(x.rows).padStart(6)}  ${x.text}`);
  lines.push('');
  for (const t of r.tables) lines.push(`table ${t.table}: ${t.rows} rows: white ${t.white}, black ${t.black}, grey ${t.grey}`);
  const shown = r.rows.filter((x) => x.verdict !== 'white');
  if (shown.length > 0) lines.push('');
  for (const x of shown.slice(0, limit)) {
    lines.push(`${x.verdict.padEnd(5)}  ${x.table} ${x.key.join(' ')}  (${x.packets} packets${x.by ? `; ${x.by}` : ''})`);
  }
  if (shown.length > limit) lines.push(`… ${shown.length - limit} more (--rows N)`);
  return lines.join('\n') + '\n';
}
