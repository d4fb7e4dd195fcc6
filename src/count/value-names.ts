// How numeric key values print in CSV files, baselines and mails (edge use only), and
// how they parse back from what an admin types. One table per field, both directions.

const PROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'icmp'],
  [6, 'tcp'],
  [17, 'udp'],
  [58, 'icmp6'],
]);

const ETHER_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0800, 'ipv4'],
  [0x0806, 'arp'],
  [0x8035, 'rarp'],
  [0x86dd, 'ipv6'],
  [0x8100, 'vlan'],
  [0x88a8, 'qinq'],
  [0x8847, 'mpls'],
  [0x88cc, 'lldp'],
  [0x888e, 'eapol'],
]);

const ARP_OP_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'request'],
  [2, 'reply'],
  [3, 'rarp-request'],
  [4, 'rarp-reply'],
]);

// tcpdump's order of flag letters, lowest bit first: FIN SYN RST PSH ACK URG ECE CWR.
const TCP_FLAG_LETTERS = 'FSRPAUEC';

export function protoName(proto: number): string {
  return PROTO_NAMES.get(proto) ?? String(proto);
}

export function etherTypeName(type: number): string {
  return ETHER_TYPE_NAMES.get(type) ?? `0x${type.toString(16).padStart(4, '0')}`;
}

export function arpOpName(op: number): string {
  return ARP_OP_NAMES.get(op) ?? String(op);
}

/** TCP flags as letters, e.g. 0x12 → "SA"; no flags → "none". */
export function tcpFlagsText(flags: number): string {
  let out = '';
  for (let bit = 0; bit < 8; bit++) if ((flags >> bit) & 1) out += TCP_FLAG_LETTERS[bit];
  return out === '' ? 'none' : out;
}
