// Name tables for the filter language: services (ports), IP protocols, and the named
// constants of tcpdump's byte accessors (tcpflags, icmptype, tcp-syn, icmp-echo, ...).
//
// The services table is shipped here, not read from /etc/services at run time, so that a
// filter means the same thing on every machine. It mirrors Debian's netbase /etc/services,
// which is what libpcap consults on the machines we test against: a name listed only for
// tcp makes `port NAME` match tcp only, exactly as libpcap's pcap_nametoport does.

/** Which transports a service name is listed for. */
export const enum ServiceProto {
  TCP = 1,
  UDP = 2,
  BOTH = 3,
}

const T = ServiceProto.TCP;
const U = ServiceProto.UDP;
const B = ServiceProto.BOTH;

/** name → [port, transports]. Aliases (www, mail, ...) included as netbase lists them. */
export const SERVICES: ReadonlyMap<string, readonly [number, ServiceProto]> = new Map([
  ['ftp-data', [20, T]], ['ftp', [21, T]], ['ssh', [22, T]], ['telnet', [23, T]],
  ['smtp', [25, T]], ['mail', [25, T]], ['whois', [43, T]], ['nicname', [43, T]],
  ['domain', [53, B]], ['bootps', [67, U]], ['bootpc', [68, U]], ['tftp', [69, U]],
  ['gopher', [70, T]], ['finger', [79, T]], ['http', [80, T]], ['www', [80, T]],
  ['kerberos', [88, B]], ['pop3', [110, T]], ['sunrpc', [111, B]], ['portmapper', [111, B]],
  ['auth', [113, T]], ['nntp', [119, T]], ['ntp', [123, U]], ['epmap', [135, B]],
  ['netbios-ns', [137, U]], ['netbios-dgm', [138, U]], ['netbios-ssn', [139, T]],
  ['imap2', [143, T]], ['imap', [143, T]], ['snmp', [161, B]], ['snmp-trap', [162, B]],
  ['bgp', [179, T]], ['irc', [194, T]], ['ldap', [389, B]], ['https', [443, B]],
  ['microsoft-ds', [445, T]], ['isakmp', [500, U]], ['syslog', [514, U]],
  ['submission', [587, T]], ['ipp', [631, T]], ['ldaps', [636, B]], ['ldp', [646, B]],
  ['rsync', [873, T]], ['imaps', [993, T]], ['pop3s', [995, T]], ['openvpn', [1194, B]],
  ['ms-sql-s', [1433, T]], ['radius', [1812, B]], ['radius-acct', [1813, B]],
  ['nfs', [2049, B]], ['mysql', [3306, T]], ['ms-wbt-server', [3389, T]],
  ['ipsec-nat-t', [4500, U]], ['sip', [5060, B]], ['xmpp-client', [5222, T]],
  ['postgresql', [5432, T]], ['postgres', [5432, T]], ['redis', [6379, T]],
  ['babel', [6696, U]], ['afs3-fileserver', [7000, U]], ['afs3-callback', [7001, U]],
  ['http-alt', [8080, T]], ['webcache', [8080, T]], ['zabbix-agent', [10050, T]],
  ['dhcpv6-client', [546, U]], ['dhcpv6-server', [547, U]],
] as const);

/** IP protocol names accepted after `proto` (libpcap needs `\tcp` for keyword names). */
export const IP_PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ['icmp', 1], ['igmp', 2], ['ipip', 4], ['tcp', 6], ['udp', 17], ['ipv6', 41],
  ['gre', 47], ['esp', 50], ['ah', 51], ['icmp6', 58], ['ipv6-icmp', 58], ['ospf', 89],
  ['pim', 103], ['vrrp', 112], ['sctp', 132],
]);

/** Names accepted after `ether proto` (and `\ip` etc.), as libpcap knows them. */
export const ETHER_PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ['ip', 0x0800], ['ip6', 0x86dd], ['arp', 0x0806], ['rarp', 0x8035],
]);

/** Named constants usable in arithmetic (tcpdump's pcap-filter(7) list). */
export const ARITH_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['icmptype', 0], ['icmpcode', 1], ['icmp6type', 0], ['icmp6code', 1], ['tcpflags', 13],
  ['tcp-fin', 0x01], ['tcp-syn', 0x02], ['tcp-rst', 0x04], ['tcp-push', 0x08],
  ['tcp-ack', 0x10], ['tcp-urg', 0x20], ['tcp-ece', 0x40], ['tcp-cwr', 0x80],
  ['icmp-echoreply', 0], ['icmp-unreach', 3], ['icmp-sourcequench', 4],
  ['icmp-redirect', 5], ['icmp-echo', 8], ['icmp-routeradvert', 9],
  ['icmp-routersolicit', 10], ['icmp-timxceed', 11], ['icmp-paramprob', 12],
  ['icmp-tstamp', 13], ['icmp-tstampreply', 14], ['icmp-ireq', 15], ['icmp-ireqreply', 16],
  ['icmp-maskreq', 17], ['icmp-maskreply', 18],
  ['icmp6-destinationunreach', 1], ['icmp6-packettoobig', 2], ['icmp6-timeexceeded', 3],
  ['icmp6-parameterproblem', 4], ['icmp6-echo', 128], ['icmp6-echoreply', 129],
  ['icmp6-multicastlistenerquery', 130], ['icmp6-multicastlistenerreportv1', 131],
  ['icmp6-multicastlistenerdone', 132], ['icmp6-routersolicit', 133],
  ['icmp6-routeradvert', 134], ['icmp6-neighborsolicit', 135],
  ['icmp6-neighboradvert', 136], ['icmp6-redirect', 137], ['icmp6-routerrenum', 138],
  ['icmp6-nodeinformationquery', 139], ['icmp6-nodeinformationresponse', 140],
  ['icmp6-ineighbordiscoverysolicit', 141], ['icmp6-ineighbordiscoveryadvert', 142],
  ['icmp6-multicastlistenerreportv2', 143], ['icmp6-homeagentdiscoveryrequest', 144],
  ['icmp6-homeagentdiscoveryreply', 145], ['icmp6-mobileprefixsolicit', 146],
  ['icmp6-mobileprefixadvert', 147], ['icmp6-certpathsolicit', 148],
  ['icmp6-certpathadvert', 149], ['icmp6-multicastrouteradvert', 151],
  ['icmp6-multicastroutersolicit', 152], ['icmp6-multicastrouterterm', 153],
]);
