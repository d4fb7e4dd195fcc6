// A problem in a config file, located precisely enough for an editor to jump to it:
// `spanwatch.yaml:7:9 tables[0].key[2]: unknown field "srv_port"; known fields: …`.

export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** Config path such as `tables[0].key[2]`; empty for the document itself. */
  path: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.path ? p.path + ': ' : ''}${p.message}`;
}

/** Every problem found in one config, reported together. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}
