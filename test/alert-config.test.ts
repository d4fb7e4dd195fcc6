// The `alerts:` config block: a valid block becomes the plan's AlertConfig; mistakes are
// reported together with file:line:column and config path (positions counted by hand).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../src/config/config-error.js';
import { compileConfig } from '../src/config/load-config.js';

const TABLES = 'tables:\n  - name: conn\n    key: [proto]\n';

test('a valid alerts block is compiled with durations in ms and kinds merged with the defaults', () => {
  const plan = compileConfig(
    'ok.yaml',
    TABLES +
      [
        'alerts:',
        '  to: [ops@example.org, oncall@example.org]',
        '  from: spanwatch@sensor1.example.org',
        '  smtp: smtp://alerts@mail.example.org:587',
        '  batch_window: 3s',
        '  max_mails_per_hour: 20',
        '  kinds: { new_row: email, denied_row: email, gone_row: ignore }',
        '  remind_after: 1d',
        '',
      ].join('\n'),
  );
  assert.deepEqual(plan.alerts, {
    to: ['ops@example.org', 'oncall@example.org'],
    from: 'spanwatch@sensor1.example.org',
    smtp: 'smtp://alerts@mail.example.org:587',
    passwordFile: null,
    caFile: null,
    batchWindowMs: 3000,
    maxMailsPerHour: 20,
    kinds: { new_row: 'email', denied_row: 'email', gone_row: 'ignore', volume_change: 'report' },
    remindAfterMs: 86_400_000,
    retryMinMs: 5000,
    retryMaxMs: 600_000,
  });
  assert.equal(compileConfig('none.yaml', TABLES).alerts, null);
});

test('every mistake in alerts is reported with line, column and path; a password in the URL is refused', () => {
  const text =
    TABLES + // lines 1-3
    [
      'alerts:', // 4
      '  to: [ops@example.org, "Ops <ops@example.org>"]', // 5
      '  from: spanwatch@sensor1.example.org', // 6
      '  smtp: smtp://alerts:hunter2@mail.example.org:587', // 7
      '  batch_window: soon', // 8
      '  max_mails_per_hour: 0', // 9
      '  kinds: { new_row: shout }', // 10
      '  colour: red', // 11
      '',
    ].join('\n');
  assert.throws(
    () => compileConfig('bad.yaml', text),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(
        err.problems.map((p) => `${p.line}:${p.column} ${p.path}`),
        ['5:25 alerts.to[1]', '7:9 alerts.smtp', '8:17 alerts.batch_window', '9:23 alerts.max_mails_per_hour', '10:21 alerts.kinds.new_row', '11:3 alerts.colour'],
      );
      assert.match(err.problems[1]!.message, /no password in the config: set SPANWATCH_SMTP_PASSWORD or alerts\.password_file/);
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    },
  );
});
