// Config loading: every problem is reported at once with file:line:column and config path,
// `check` exits 0 or 2, and `fields` lists the vocabulary.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { FIELD_NAMES } from '../src/count/fields.js';
import { spanwatch, tempDir } from './support/cli.js';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

test('check reports every problem with file, line, column and path, and exits 2', () => {
  const file = writeConfig(
    'bad.yaml',
    [
      'interval: 0s', // line 1
      'home_networks: [10.0.0.0/33]', // line 2
      'colour: blue', // line 3
      'tables:', // line 4
      '  - name: conn', // line 5
      '    key: [client_host, server_host, srv_port]', // line 6
      '  - name: Conn Table', // line 7
      '    key: [src_host/40/64, dst_port:nolist, direction]', // line 8
      '  - name: dns', // line 9
      '    key: [proto]', // line 10
      '    where: "udp and port"', // line 11
      '',
    ].join('\n'),
  );
  const r = spanwatch(['check', '--config', file]);
  assert.equal(r.status, 2);
  const lines = r.stderr.trimEnd().split('\n');
  const expect = [
    `${file}:1:11 interval: "0s" is not a whole number of seconds ≥ 1`,
    `${file}:2:17 home_networks[0]: "10.0.0.0/33" is not an IPv4 or IPv6 network`,
    `${file}:3:1 colour: unknown setting "colour"; known here: sensor, interval`,
    `${file}:6:37 tables[0].key[2]: unknown field "srv_port"; known fields: ${FIELD_NAMES.join(', ')}`,
    `${file}:7:11 tables[1].name: table name "Conn Table" must start with a lower-case letter`,
    `${file}:8:11 tables[1].key[0]: IPv4 prefix length 40 is more than 32`,
    `${file}:8:27 tables[1].key[1]: unknown port list "nolist"`,
    `${file}:8:44 tables[1].key[2]: field "direction" needs home_networks to be set`,
    `${file}:11:25 tables[2].where:1:13: expected a port number or name after 'port'`,
  ];
  assert.equal(lines.length, expect.length, r.stderr);
  expect.forEach((prefix, i) => assert.ok(lines[i]!.startsWith(prefix), `line ${i + 1}:\n  got    ${lines[i]}\n  wanted ${prefix}…`));
});

test('YAML syntax errors carry their position', () => {
  const file = writeConfig('syntax.yaml', 'tables:\n  - name: conn\n    key: [client_host\n');
  const r = spanwatch(['check', '--config', file]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ `));
});

test('run refuses a bad config before reading any packet, exit 2', () => {
  const file = writeConfig('nokey.yaml', 'tables:\n  - name: conn\n');
  const reports = path.join(dir, 'never');
  const r = spanwatch(['run', '--config', file, '--read', '/nonexistent.pcap', '--reports', reports]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /nokey\.yaml:2:5 tables\[0\]: a table needs a "key" list of fields/);
  assert.equal(fs.existsSync(reports), false);
});

test('a missing config file is a clear error, exit 2', () => {
  const r = spanwatch(['check', '--config', path.join(dir, 'absent.yaml')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /absent\.yaml:1:1 cannot read config: no such file/);
});

test('check accepts a valid config and describes it; ./spanwatch.yaml is the default', () => {
  const work = path.join(dir, 'work');
  fs.mkdirSync(work);
  fs.writeFileSync(
    path.join(work, 'spanwatch.yaml'),
    'sensor: s1\ninterval: 5m\nhome_networks: [10.0.0.0/8]\nport_lists:\n  web: [80, 443, 8000-8001]\ntables:\n  - name: web\n    key: [direction, server_port:web]\n',
  );
  const r = spanwatch(['check'], { cwd: work });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^spanwatch\.yaml: ok\n {2}sensor s1, interval 300s/);
  assert.match(r.stdout, /table web: direction, server_port:web/);
});

test('fields lists every key field with a line of help', () => {
  const r = spanwatch(['fields']);
  assert.equal(r.status, 0);
  const names = r.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(names, [...FIELD_NAMES]);
});

test('usage errors exit 2 with a one-line message', () => {
  assert.equal(spanwatch(['run']).status, 2);
  const r = spanwatch(['run', '--read', 'x.pcap', '--interval', 'soon']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--interval "soon": expected a whole number of seconds/);
  const missing = spanwatch(['run', '--read', path.join(dir, 'missing.pcap'), '--reports', path.join(dir, 'r')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /missing\.pcap/);
});

test('a sensor name with blanks is refused: it is a key value in baselines and findings', () => {
  const file = writeConfig('sensor.yaml', 'sensor: "edge 1"\ntables:\n  - name: conn\n    key: [sensor, src_host]\n');
  const r = spanwatch(['check', '--config', file]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /sensor\.yaml:1:9 sensor: sensor "edge 1": a sensor name cannot be empty or hold blanks/);
});
