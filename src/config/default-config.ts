// The built-in config: what `spanwatch run --read F` uses with no spanwatch.yaml around.
// Kept as plain data, not YAML text, so a run without a config file does not load the YAML
// parser; it still goes through the same loader (and the same checks) as a user's file
// (object-reader.ts). The README shows it as YAML; test/config-default.test.ts keeps the two
// in step.

import type { ConfigValue } from './object-reader.js';

export const DEFAULT_CONFIG: ConfigValue = {
  interval: '60s',
  // No smtp: every alert mail is written as an .eml file to reports/outbox/ (works offline).
  alerts: {
    to: ['root@localhost'],
    from: 'spanwatch@localhost',
  },
  tables: [
    { name: 'conn', key: ['client_host', 'server_host', 'proto', 'server_port'] },
    { name: 'ether', key: ['src_mac', 'dst_mac', 'ether_type'] },
  ],
};
