// Which end of a packet is the client: the evidence behind client_host, server_host and
// server_port. Computed once per packet (only when some table uses these fields), in this
// order of evidence:
//
//   1. TCP handshake: SYN without ACK comes from the client, SYN-ACK from the server; each
//      handshake also teaches us a listener (server host, protocol, port).
//   2. Listeners learned from earlier handshakes in the same run.
//   3. Multicast or broadcast destination: the sender is the client.
//   4. The configured service ports: the end on a service port is the server.
//   5. The lower port is the server's; equal ports: the lower address is the server.
//
// ICMP and ICMPv6: the sender of a request (echo, timestamp, router/neighbour solicitation,
// …) is the client and server_port is the request's type; a reply or error goes to the
// client and server_port is the type of the request it answers (errors: their own type).
// IP protocols without ports (GRE, ESP, PIM, …): rules 3 and 5 on addresses, server_port 0.
// Non-first fragments of TCP/UDP/SCTP carry no ports: the direction is unknown and tables
// that key on these fields skip the packet.

import { Frame, IPProto, TCPFlag } from '../decode/frame.js';
import { KeyHashTable } from './key-hash-table.js';

/** Learned listeners are forgotten all at once past this many, to bound memory. */
const MAX_LISTENERS = 1 << 17;

export const DEFAULT_SERVICE_PORTS: readonly number[] = [
  20, 21, 22, 23, 25, 49, 53, 67, 69, 80, 88, 110, 111, 119, 123, 135, 137, 138, 139, 143, 161,
  162, 179, 389, 443, 445, 465, 500, 514, 515, 546, 547, 587, 636, 646, 853, 873, 989, 990, 993,
  995, 1194, 1433, 1521, 1723, 1812, 1813, 2049, 3306, 3389, 4500, 4789, 5060, 5061, 5432,
  5900, 6081, 6379, 6443, 8080, 8443, 9200,
];

// ICMP request type → itself, reply type → the request it answers (flow-export convention).
const ICMP4_REQUEST = new Int16Array(256).fill(-1);
const ICMP4_REPLY_OF = new Int16Array(256).fill(-1);
const ICMP6_REQUEST = new Int16Array(256).fill(-1);
const ICMP6_REPLY_OF = new Int16Array(256).fill(-1);
for (const [req, rep] of [[8, 0], [13, 14], [15, 16], [17, 18], [10, 9], [42, 43]] as const) {
  ICMP4_REQUEST[req] = req;
  ICMP4_REPLY_OF[rep] = req;
}
for (const [req, rep] of [[128, 129], [133, 134], [135, 136], [139, 140], [130, 131]] as const) {
  ICMP6_REQUEST[req] = req;
  ICMP6_REPLY_OF[rep] = req;
}
const ICMP4_ERRORS = new Set([3, 4, 5, 11, 12]);
const ICMP6_ERRORS = new Set([1, 2, 3, 4]);

export class DirectionInferrer {
  /** 1 when the packet's source is the client; valid when `known`. */
  clientIsSrc = 1;
  serverPort = 0;
  known = false;

  private readonly servicePorts = new Uint8Array(65536);
  private readonly listeners = new KeyHashTable(6, 0, 4096);
  /** Ports with at least one learned listener: most packets skip the hash lookup. */
  private readonly listenerPorts = new Uint8Array(65536);
  private readonly scratch = new Uint32Array(6);

  constructor(servicePorts: readonly number[] = DEFAULT_SERVICE_PORTS) {
    for (const p of servicePorts) this.servicePorts[p] = 1;
  }

  infer(f: Frame): void {
    this.known = false;
    if (f.ipVersion === 0) return;
    const proto = f.proto;
    if (f.srcPort >= 0) {
      this.known = true;
      this.inferFromPorts(f, proto);
      return;
    }
    if (proto === IPProto.ICMP || proto === IPProto.ICMPV6) {
      if (f.icmpType < 0) return;
      this.known = true;
      this.inferICMP(f.icmpType, proto === IPProto.ICMP);
      return;
    }
    if (proto === IPProto.TCP || proto === IPProto.UDP || proto === IPProto.SCTP) return;
    this.known = true;
    this.serverPort = 0;
    this.clientIsSrc = isGroupDestination(f) || compareHosts(f) > 0 ? 1 : 0;
  }

  private inferFromPorts(f: Frame, proto: number): void {
    const sp = f.srcPort;
    const dp = f.dstPort;
    const flags = f.tcpFlags;
    if (flags >= 0 && (flags & TCPFlag.SYN) !== 0) {
      const synAck = (flags & TCPFlag.ACK) !== 0;
      this.clientIsSrc = synAck ? 0 : 1;
      this.serverPort = synAck ? sp : dp;
      this.learn(f, !synAck, proto);
      return;
    }
    // Rules 3–5 first (no lookup); then rule 2, which outranks them, can only change the
    // answer when the end they call the client is a learned listener and the other end is
    // not — so only that end's port is checked, and most packets need no hash lookup.
    let clientIsSrc: number;
    if (isGroupDestination(f)) clientIsSrc = 1;
    else if (this.servicePorts[dp] !== this.servicePorts[sp]) clientIsSrc = this.servicePorts[dp]!;
    else if (dp !== sp) clientIsSrc = dp < sp ? 1 : 0;
    else clientIsSrc = compareHosts(f) > 0 ? 1 : 0;
    if (clientIsSrc === 1) {
      if (this.isListener(f, false, proto) && !this.isListener(f, true, proto)) clientIsSrc = 0;
    } else if (this.isListener(f, true, proto)) clientIsSrc = 1;
    this.clientIsSrc = clientIsSrc;
    this.serverPort = clientIsSrc === 1 ? dp : sp;
  }

  private inferICMP(type: number, v4: boolean): void {
    const req = v4 ? ICMP4_REQUEST[type]! : ICMP6_REQUEST[type]!;
    if (req >= 0) {
      this.clientIsSrc = 1;
      this.serverPort = req;
      return;
    }
    const answered = v4 ? ICMP4_REPLY_OF[type]! : ICMP6_REPLY_OF[type]!;
    if (answered >= 0) {
      this.clientIsSrc = 0;
      this.serverPort = answered;
      return;
    }
    this.clientIsSrc = (v4 ? ICMP4_ERRORS : ICMP6_ERRORS).has(type) ? 0 : 1;
    this.serverPort = type;
  }

  /** Writes (server host, proto, port) of this packet into the scratch key. */
  private listenerKey(f: Frame, serverIsDst: boolean, proto: number): Uint32Array {
    const k = this.scratch;
    if (f.ipVersion === 4) {
      k[0] = 4;
      k[1] = serverIsDst ? f.dst4 : f.src4;
      k[2] = 0;
      k[3] = 0;
      k[4] = 0;
    } else {
      const a = serverIsDst ? f.dst6 : f.src6;
      k[0] = 6;
      for (let i = 0; i < 4; i++) {
        const b = i * 4;
        k[i + 1] = ((a[b]! << 24) | (a[b + 1]! << 16) | (a[b + 2]! << 8) | a[b + 3]!) >>> 0;
      }
    }
    k[5] = (proto << 16) | (serverIsDst ? f.dstPort : f.srcPort);
    return k;
  }

  private learn(f: Frame, serverIsDst: boolean, proto: number): void {
    if (this.listeners.size >= MAX_LISTENERS) {
      this.listeners.clear();
      this.listenerPorts.fill(0);
    }
    this.listeners.findOrInsert(this.listenerKey(f, serverIsDst, proto));
    this.listenerPorts[serverIsDst ? f.dstPort : f.srcPort] = 1;
  }

  private isListener(f: Frame, serverIsDst: boolean, proto: number): boolean {
    if (this.listenerPorts[serverIsDst ? f.dstPort : f.srcPort] === 0) return false;
    return this.listeners.find(this.listenerKey(f, serverIsDst, proto)) >= 0;
  }
}

/** Multicast or limited-broadcast destination. */
function isGroupDestination(f: Frame): boolean {
  if (f.ipVersion === 4) return f.dst4 >>> 28 === 14 || f.dst4 === 0xffffffff;
  return f.dst6[0] === 0xff;
}

/** Sign of (src address − dst address). */
function compareHosts(f: Frame): number {
  if (f.ipVersion === 4) return f.src4 - f.dst4;
  for (let i = 0; i < 16; i++) {
    const d = f.src6[i]! - f.dst6[i]!;
    if (d !== 0) return d;
  }
  return 0;
}
