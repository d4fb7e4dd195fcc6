// The key fields a table can use: one name per header value, as in DESIGN.md's vocabulary.
// This module holds only the catalogue (names, kinds, one-line help); extraction and
// formatting live in key-part.ts.

export const FieldKind = {
  SRC_HOST: 0,
  DST_HOST: 1,
  CLIENT_HOST: 2,
  SERVER_HOST: 3,
  ARP_SENDER_HOST: 4,
  ARP_TARGET_HOST: 5,
  SRC_PORT: 6,
  DST_PORT: 7,
  SERVER_PORT: 8,
  PROTO: 9,
  VLAN: 10,
  SRC_MAC: 11,
  DST_MAC: 12,
  ETHER_TYPE: 13,
  ICMP_TYPE: 14,
  ICMP_CODE: 15,
  TTL: 16,
  TCP_FLAGS: 17,
  ARP_OP: 18,
  SENSOR: 19,
  DIRECTION: 20,
} as const;

export interface FieldInfo {
  name: string;
  kind: number;
  /** Host fields accept a prefix mask (`src_host/24`). */
  host: boolean;
  /** Port fields accept a named port list (`server_port:web`). */
  port: boolean;
  help: string;
}

function field(name: string, kind: number, help: string, host = false, port = false): FieldInfo {
  return { name, kind, host, port, help };
}

export const FIELDS: readonly FieldInfo[] = [
  field('src_host', FieldKind.SRC_HOST, 'IPv4 or IPv6 source address', true),
  field('dst_host', FieldKind.DST_HOST, 'IPv4 or IPv6 destination address', true),
  field('client_host', FieldKind.CLIENT_HOST, 'the end that opened the conversation (see README: direction)', true),
  field('server_host', FieldKind.SERVER_HOST, 'the end that answered: the listener', true),
  field('src_port', FieldKind.SRC_PORT, 'TCP/UDP/SCTP source port (absent on later fragments)', false, true),
  field('dst_port', FieldKind.DST_PORT, 'TCP/UDP/SCTP destination port', false, true),
  field('server_port', FieldKind.SERVER_PORT, "the server's port; ICMP: the request type; no ports: 0", false, true),
  field('proto', FieldKind.PROTO, 'IP protocol: tcp, udp, icmp, icmp6 or its number', false),
  field('vlan', FieldKind.VLAN, 'outermost 802.1Q/802.1ad VLAN ID (untagged frames lack it)'),
  field('src_mac', FieldKind.SRC_MAC, 'Ethernet source address (SLL: the link address)'),
  field('dst_mac', FieldKind.DST_MAC, 'Ethernet destination address'),
  field('ether_type', FieldKind.ETHER_TYPE, 'ether type after VLAN tags: ipv4, ipv6, arp, … or 0x hex'),
  field('icmp_type', FieldKind.ICMP_TYPE, 'ICMP or ICMPv6 type'),
  field('icmp_code', FieldKind.ICMP_CODE, 'ICMP or ICMPv6 code'),
  field('ttl', FieldKind.TTL, 'IPv4 TTL or IPv6 hop limit'),
  field('tcp_flags', FieldKind.TCP_FLAGS, 'TCP flags as letters in tcpdump order: FSRPAUEC'),
  field('arp_op', FieldKind.ARP_OP, 'ARP/RARP operation: request, reply, rarp-request, … or number'),
  field('arp_sender_host', FieldKind.ARP_SENDER_HOST, 'ARP sender protocol (IPv4) address', true),
  field('arp_target_host', FieldKind.ARP_TARGET_HOST, 'ARP target protocol (IPv4) address', true),
  field('sensor', FieldKind.SENSOR, "this sensor's name (config `sensor:`, default the host name)"),
  field('direction', FieldKind.DIRECTION, 'in, out, internal or external against home_networks'),
];

export const FIELDS_BY_NAME: ReadonlyMap<string, FieldInfo> = new Map(FIELDS.map((f) => [f.name, f]));

export const FIELD_NAMES: readonly string[] = FIELDS.map((f) => f.name);
