// The decoded frame: one object, allocated once per run and overwritten for every packet.
//
// Decoders write plain numbers into it and return a status; nothing here allocates per
// packet. A field that the packet does not carry is -1 (ABSENT). Byte offsets point into
// `buf`, which the packet source reuses: anything that must outlive the packet handler has
// to be copied out before the handler returns (the tables copy numbers, never the buffer).

export const ABSENT = -1;

/** Link-layer header types (LINKTYPE_* numbers from the pcap/pcapng specifications). */
export const LinkType = {
  NULL: 0, // BSD loopback: 4-byte address family in the capturing host's byte order
  ETHERNET: 1,
  RAW: 101, // raw IPv4 or IPv6, version nibble decides
  LOOP: 108, // OpenBSD loopback: address family in network byte order
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Ether types the decoders and filters care about. */
export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  RARP: 0x8035,
  VLAN: 0x8100, // 802.1Q
  QINQ: 0x88a8, // 802.1ad
  QINQ_OLD: 0x9100, // pre-standard QinQ, still seen on switches
  IPV6: 0x86dd,
} as const;

/** IP protocol numbers. */
export const IPProto = {
  HOPOPTS: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ROUTING: 43,
  FRAGMENT: 44,
  GRE: 47,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  NONE: 59,
  DSTOPTS: 60,
  PIM: 103,
  SCTP: 132,
} as const;

/** TCP flag bits as they sit in byte 13 of the TCP header. */
export const TCPFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/**
 * Decode status. 0 is a complete decode; every other value is a reason a packet could not
 * be decoded to the end, counted per reason in the run summary. Fields decoded before the
 * problem stay set, so a table whose key needs only those still counts the packet.
 */
export const DecodeStatus = {
  OK: 0,
  UNSUPPORTED_LINK_TYPE: 1,
  TRUNCATED_LINK: 2, // frame shorter than its link-layer header (incl. VLAN tags)
  TRUNCATED_IP: 3, // frame ends inside the IPv4/IPv6 fixed header
  BAD_IP_VERSION: 4, // version nibble disagrees with the ether type / link type
  BAD_IP_HEADER_LENGTH: 5, // IPv4 IHL < 5 or past the captured data
  BAD_IP_TOTAL_LENGTH: 6, // IPv4 total length smaller than its header
  BAD_IPV6_EXTENSION: 7, // IPv6 extension header chain runs past the captured data
  TRUNCATED_TRANSPORT: 8, // TCP/UDP/ICMP header cut short by the capture
  BAD_TCP_HEADER_LENGTH: 9, // TCP data offset < 5
  TRUNCATED_ARP: 10, // ARP header or addresses cut short, or bogus address lengths
} as const;
export type DecodeStatusCode = (typeof DecodeStatus)[keyof typeof DecodeStatus];

/** snake_case names for DecodeStatus values, used in summaries and JSON. */
export const DECODE_STATUS_NAMES: readonly string[] = [
  'ok',
  'unsupported_link_type',
  'truncated_link',
  'truncated_ip',
  'bad_ip_version',
  'bad_ip_header_length',
  'bad_ip_total_length',
  'bad_ipv6_extension',
  'truncated_transport',
  'bad_tcp_header_length',
  'truncated_arp',
];

export const MAX_VLAN_TAGS = 4;

export class Frame {
  // --- record (set by the packet source) ---
  /** 1-based record number within the run; used to name a packet in messages. */
  packetNo = 0;
  tsSec = 0; // seconds since the epoch (may exceed 2^32 for pcapng)
  tsNsec = 0; // nanoseconds within the second, 0..999_999_999
  caplen = 0;
  wirelen = 0;
  linkType = 0;
  /** Packet bytes are buf[off .. off+caplen). Valid only while the packet is handled. */
  buf: Buffer = Buffer.alloc(0);
  off = 0;

  // --- result ---
  status: number = DecodeStatus.OK;
  /** Counter bytes: IPv4 total length, IPv6 40 + payload length, else the wire length. */
  bytes = 0;

  // --- link layer ---
  srcMac = ABSENT; // 48-bit MAC as an integer (exact in a double)
  dstMac = ABSENT;
  /** Ether type of the outermost header (before any VLAN tag); -1 on non-Ethernet links. */
  outerEtherType = ABSENT;
  /** Ether type after all VLAN tags (for raw-IP links: 0x0800/0x86dd from the version). */
  etherType = ABSENT;
  vlanCount = 0;
  /** VLAN IDs, outermost first; only the first vlanCount entries are meaningful. */
  readonly vlanIds = new Int32Array(MAX_VLAN_TAGS);
  /** Outermost VLAN ID, -1 for untagged frames (the `vlan` key field). */
  vlan = ABSENT;

  // --- network layer ---
  l3Off = ABSENT; // absolute offset in buf of the IP/ARP header
  ipVersion = 0; // 0 (not IP), 4 or 6
  src4 = ABSENT; // IPv4 address as unsigned 32-bit integer
  dst4 = ABSENT;
  /** IPv6 addresses, copied out of the packet (valid when ipVersion === 6). */
  readonly src6 = new Uint8Array(16);
  readonly dst6 = new Uint8Array(16);
  /** Upper-layer protocol (after IPv6 extension headers), -1 when not IP. */
  proto = ABSENT;
  ttl = ABSENT; // IPv4 TTL / IPv6 hop limit
  /** Fragment offset in 8-byte units (0 for the first fragment and unfragmented packets). */
  fragOffset = 0;
  /** 1 when the packet is any fragment (first or later), else 0. */
  isFragment = 0;

  // --- transport layer ---
  l4Off = ABSENT; // absolute offset in buf of the TCP/UDP/ICMP header
  srcPort = ABSENT; // TCP, UDP, SCTP; absent on non-first fragments
  dstPort = ABSENT;
  tcpFlags = ABSENT; // byte 13 of the TCP header
  icmpType = ABSENT; // ICMP or ICMPv6
  icmpCode = ABSENT;

  // --- ARP / RARP (IPv4 over Ethernet only) ---
  arpOp = ABSENT;
  arpSender4 = ABSENT;
  arpTarget4 = ABSENT;

  /** Reset every decoded field; called by the decoder before each packet. */
  reset(): void {
    this.status = DecodeStatus.OK;
    this.bytes = this.wirelen;
    this.srcMac = ABSENT;
    this.dstMac = ABSENT;
    this.outerEtherType = ABSENT;
    this.etherType = ABSENT;
    this.vlanCount = 0;
    this.vlan = ABSENT;
    this.l3Off = ABSENT;
    this.ipVersion = 0;
    this.src4 = ABSENT;
    this.dst4 = ABSENT;
    this.proto = ABSENT;
    this.ttl = ABSENT;
    this.fragOffset = 0;
    this.isFragment = 0;
    this.l4Off = ABSENT;
    this.srcPort = ABSENT;
    this.dstPort = ABSENT;
    this.tcpFlags = ABSENT;
    this.icmpType = ABSENT;
    this.icmpCode = ABSENT;
    this.arpOp = ABSENT;
    this.arpSender4 = ABSENT;
    this.arpTarget4 = ABSENT;
  }
}
