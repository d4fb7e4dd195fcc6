// `spanwatch check`: validate a config without capturing (exit 0, or 2 with every problem).

import type { Command } from 'commander';
import { loadPlan } from './load-plan.js';

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('validate a config file without reading any packets; exit 0 if valid, 2 if not')
    .option('-c, --config <file>', 'config file (default: ./spanwatch.yaml if present, else built-in)')
    .action((opts: { config?: string }) => {
      const plan = loadPlan(opts);
      const lines = [`${plan.file}: ok`, `  sensor ${plan.sensor}, interval ${plan.intervalSec}s, reports in ${plan.reportsDir}`];
      if (plan.homeNetworks.length > 0) lines.push(`  home networks: ${plan.homeNetworks.join(', ')}`);
      if (plan.captureFilterText !== null) lines.push(`  capture filter: ${plan.captureFilterText}`);
      for (const t of plan.tables) {
        const where = plan.tableWhere.get(t.name);
        lines.push(`  table ${t.name}: ${t.parts.map((p) => p.name).join(', ')}${where ? `  where ${where}` : ''}`);
      }
      process.stdout.write(lines.join('\n') + '\n');
    });
}
