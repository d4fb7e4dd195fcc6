// The `reports:` and `retention:` settings: a valid block loads; every mistake is reported at
// once with file:line:col, and a bad cron field is named and pointed at inside the string.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../src/config/config-error.js';
import { compileConfig } from '../src/config/load-config.js';

const TABLES = `tables:
  - name: conn
    key: [client_host, server_host, proto, server_port]
  - name: dns
    key: [client_host, server_host]
`;

test('the issue example loads', () => {
  const plan = compileConfig(
    'ok.yaml',
    `${TABLES}reports:
  - name: daily
    cron: "0 7 * * *"
    timezone: Europe/Berlin
    period: 24h
    tables: [conn, dns]
    email: true
  - name: hourly-new
    cron: "5 * * * *"
    period: 1h
    only: findings
retention: 90d
`,
  );
  assert.deepEqual(plan.reports, [
    { name: 'daily', cron: '0 7 * * *', timezone: 'Europe/Berlin', periodSec: 86400, tables: ['conn', 'dns'], only: null, email: true },
    { name: 'hourly-new', cron: '5 * * * *', timezone: null, periodSec: 3600, tables: null, only: 'findings', email: false },
  ]);
  assert.equal(plan.retentionSec, 90 * 86400);
});

test('mistakes are all reported, with the cron field named and located', () => {
  const text = `${TABLES}reports:
  - name: daily
    cron: "0 25 * * *"
    timezone: Europe/Berlni
    period: 24h
    tables: [conn, web]
  - name: list
    cron: "*/5 * * * * * *"
    period: 10s
    only: everything
retention: 2h
`;
  let err: unknown;
  try {
    compileConfig('bad.yaml', text);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConfigError);
  const lines = err.message.split('\n');
  // Line 8 is `    cron: "0 25 * * *"`: the hour field "25" starts at column 14.
  assert.equal(lines[0], 'bad.yaml:8:14 reports[0].cron: cron "0 25 * * *": hour field: 25 is not valid for the hour');
  assert.match(err.message, /^bad\.yaml:9:15 reports\[0\]\.timezone: unknown time zone "Europe\/Berlni"/m);
  assert.match(err.message, /^bad\.yaml:11:20 reports\[0\]\.tables\[1\]: no table "web" in this config; tables: conn, dns$/m);
  assert.match(err.message, /^bad\.yaml:12:11 reports\[1\]\.name: report name "list" is taken/m);
  assert.match(err.message, /^bad\.yaml:13:\d+ reports\[1\]\.cron: cron "\*\/5 \* \* \* \* \* \*": expected 5 or 6 fields but got 7$/m);
  assert.match(err.message, /^bad\.yaml:14:13 reports\[1\]\.period: "10s" is not a period of at least one minute/m);
  assert.match(err.message, /^bad\.yaml:15:11 reports\[1\]\.only: only: "everything" is not known/m);
  assert.match(err.message, /^bad\.yaml:16:12 retention: "2h" is not a retention of at least one day/m);
  assert.equal(lines.length, 8);
});
