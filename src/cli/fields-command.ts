// `spanwatch fields`: every key field a table can use, one line each.

import type { Command } from 'commander';
import { FIELDS } from '../count/fields.js';

export function registerFieldsCommand(program: Command): void {
  program
    .command('fields')
    .description('list every key field a table can use')
    .action(() => {
      const width = Math.max(...FIELDS.map((f) => f.name.length));
      const lines = FIELDS.map((f) => {
        const extra = f.host ? '  [/N or /N4/N6 prefix]' : f.port ? '  [:list for a named port list]' : '';
        return `${f.name.padEnd(width)}  ${f.help}${extra}`;
      });
      process.stdout.write(lines.join('\n') + '\n');
    });
}
