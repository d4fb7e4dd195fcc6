// The built-in config: what `spanwatch run --read F` uses with no spanwatch.yaml around.
// Kept as YAML text so it goes through the same loader (and the same checks) as a user's.

export const DEFAULT_CONFIG_TEXT = `# spanwatch built-in default
interval: 60s
# No smtp: every alert mail is written as an .eml file to reports/outbox/ (works offline).
alerts:
  to: [root@localhost]
  from: spanwatch@localhost
tables:
  - name: conn
    key: [client_host, server_host, proto, server_port]
  - name: ether
    key: [src_mac, dst_mac, ether_type]
`;
