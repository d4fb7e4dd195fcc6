// The flow engine of the benchmark capture generator: a pool of concurrent conversations
// (TCP sessions with handshake, request/response data, delayed ACKs and FIN; DNS lookups;
// NTP polls; ICMP echo; ARP; QUIC-like UDP), each stepped one packet at a time in an order
// drawn from the seeded Rng, so packets of many flows interleave as on a real link.
//
// `next(nowUs)` writes exactly one Ethernet frame into `frame` and returns its length.
// Which hosts and services exist is gen-hosts.ts / gen-services.ts; header layouts are
// gen-packets.ts.

import type { Host, Network } from './gen-hosts.js';
import * as P from './gen-packets.js';
import { Rng } from './gen-rng.js';
import * as S from './gen-services.js';

const POOL = 200; // concurrent flows
const MAX_FRAME = 1600;
const BROADCAST = 0xffffffffffff;
const F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10;

class Flow {
  kind = 0;
  v6 = false;
  hbh = false;
  client!: Host;
  server!: Host;
  cmac = 0; // MAC each side has on the mirror port (the gateway's for outside hosts)
  smac = 0;
  vlan = 0;
  outerVlan = 0;
  cport = 0;
  sport = 0;
  phase = 0;
  // TCP
  profile!: S.Profile;
  mss = 1448;
  cSeq = 0;
  sSeq = 0;
  round = 0;
  rounds = 0;
  fromClient = true; // sender of the current message
  remaining = 0;
  segs = 0;
  ackOwed = false;
  ending = 0; // 0 FIN, 1 RST, 2 unanswered SYN
  // UDP / ICMP / ARP
  count = 0;
  id = 0;
  name = 0;
  fill = 0;
  flowLabel = 0;
}

export class Traffic {
  readonly frame = Buffer.alloc(MAX_FRAME);
  private readonly pool: Flow[] = [];
  private ipId = 0;
  private pseudo = 0;
  private nowUs = 0;

  constructor(
    private readonly rng: Rng,
    private readonly net: Network,
  ) {
    for (let i = 0; i < POOL; i++) this.pool.push(this.newFlow());
  }

  /** Write the next frame of the capture into `frame`; returns its length. */
  next(nowUs: number): number {
    this.nowUs = nowUs;
    const slot = this.rng.int(0, POOL - 1);
    let f = this.pool[slot]!;
    let len = this.step(f);
    while (len === 0) {
      // The flow had nothing left to send: replace it and let the new one speak.
      f = this.newFlow();
      this.pool[slot] = f;
      len = this.step(f);
    }
    return len;
  }

  private newFlow(): Flow {
    const r = this.rng, n = this.net, f = new Flow();
    f.kind = r.weighted(S.KIND_CUMULATIVE);
    f.v6 = f.kind !== S.KIND_ARP && r.chance(S.IPV6_SHARE);
    f.hbh = f.v6 && r.chance(S.HOP_BY_HOP_SHARE);
    f.cport = r.int(S.EPHEMERAL_LO, S.EPHEMERAL_HI);
    f.fill = r.int(0x20, 0x7e);
    f.flowLabel = r.u32() & 0xfffff;
    f.id = r.u32() & 0xffff;
    const anyClient = (): Host => n.clients[r.int(0, n.clients.length - 1)]!;
    switch (f.kind) {
      case S.KIND_TCP: {
        const svc = S.SERVICES[r.weighted(S.SERVICE_CUMULATIVE)]!;
        f.client = svc.client(r, n);
        f.server = svc.server(r, n);
        f.sport = svc.port;
        f.profile = svc.profile;
        f.mss = 1448 - (f.v6 ? 20 : 0) - (f.hbh ? 8 : 0);
        f.cSeq = r.u32();
        f.sSeq = r.u32();
        f.rounds = r.int(svc.profile.rounds[0], svc.profile.rounds[1]);
        const e = r.next();
        f.ending = e < 0.03 ? 1 : e < 0.05 && !f.server.inside ? 2 : 0;
        break;
      }
      case S.KIND_DNS:
        f.client = anyClient();
        f.server = r.chance(0.9) ? n.dns[r.int(0, 1)]! : n.outsideResolver;
        f.sport = 53;
        f.name = r.int(0, S.DNS_NAMES.length - 1);
        f.count = r.chance(0.03) ? 1 : 2; // a few lookups go unanswered
        break;
      case S.KIND_NTP:
        if (r.chance(0.7)) {
          f.client = anyClient();
          f.server = n.ntp;
        } else {
          f.client = n.ntp; // the inside NTP server polls its upstreams from port 123
          f.server = n.outsideNTP[r.int(0, n.outsideNTP.length - 1)]!;
          f.cport = 123;
        }
        f.sport = 123;
        f.count = 2;
        break;
      case S.KIND_ICMP:
        f.client = anyClient();
        f.server = r.chance(0.7) ? n.outside[r.skewed(n.outside.length)]! : anyClient();
        f.count = 2 * r.int(1, 4) - (r.chance(0.05) ? 1 : 0);
        break;
      case S.KIND_ARP:
        f.client = anyClient();
        f.server = r.chance(0.7) ? n.gateway : anyClient();
        f.count = r.chance(0.2) ? 1 : 2;
        break;
      default: // QUIC-like UDP/443
        f.client = anyClient();
        f.server = n.outside[r.skewed(n.outside.length)]!;
        f.sport = 443;
        f.count = r.int(6, 60);
        break;
    }
    f.cmac = f.client.inside ? f.client.mac : n.gateway.mac;
    f.smac = f.server.inside ? f.server.mac : n.gateway.mac;
    const tagged = f.client.inside ? f.client : f.server;
    f.vlan = tagged.vlan;
    f.outerVlan = tagged.outerVlan;
    return f;
  }

  /** Emit the flow's next packet; 0 when the flow is finished. */
  private step(f: Flow): number {
    switch (f.kind) {
      case S.KIND_TCP:
        return this.stepTCP(f);
      case S.KIND_DNS: {
        if (f.phase >= f.count) return 0;
        const query = f.phase++ === 0;
        return this.udp(f, query, query ? 1 : 2);
      }
      case S.KIND_NTP:
        if (f.phase >= f.count) return 0;
        return this.udp(f, f.phase++ === 0, 3);
      case S.KIND_ICMP:
        if (f.phase >= f.count) return 0;
        return this.echo(f, (f.phase++ & 1) === 0);
      case S.KIND_ARP:
        if (f.phase >= f.count) return 0;
        return this.arp(f, f.phase++ === 0);
      default: {
        if (f.phase >= f.count) return 0;
        const first = f.phase++ === 0;
        const fromClient = first || this.rng.chance(0.25);
        return this.udp(f, fromClient, first || !fromClient ? 4 : 5);
      }
    }
  }

  private stepTCP(f: Flow): number {
    switch (f.phase) {
      case 0:
        f.phase = f.ending === 2 ? 10 : 1;
        return this.tcp(f, true, F_SYN, 0);
      case 10: // unanswered SYN: one retransmission, then give up
        f.phase = 7;
        f.cSeq = (f.cSeq - 1) >>> 0;
        return this.tcp(f, true, F_SYN, 0);
      case 1:
        f.phase = 2;
        return this.tcp(f, false, F_SYN | F_ACK, 0);
      case 2:
        f.phase = 3;
        f.fromClient = true;
        f.remaining = this.bytes(f.profile.request);
        return this.tcp(f, true, F_ACK, 0);
      case 3:
        return this.data(f);
      case 4:
        f.phase = 5;
        if (f.ending === 1) {
          f.phase = 7;
          return this.tcp(f, true, F_RST | F_ACK, 0);
        }
        return this.tcp(f, true, F_FIN | F_ACK, 0);
      case 5:
        f.phase = 6;
        return this.tcp(f, false, F_FIN | F_ACK, 0);
      case 6:
        f.phase = 7;
        return this.tcp(f, true, F_ACK, 0);
      default:
        return 0;
    }
  }

  /** Request/response rounds: full segments, an ACK from the receiver every two. */
  private data(f: Flow): number {
    for (;;) {
      if (f.ackOwed) {
        f.ackOwed = false;
        return this.tcp(f, !f.fromClient, F_ACK, 0);
      }
      if (f.remaining > 0) {
        const n = f.remaining < f.mss ? f.remaining : f.mss;
        f.remaining -= n;
        if (++f.segs >= 2 && f.remaining > 0) {
          f.segs = 0;
          f.ackOwed = true;
        }
        return this.tcp(f, f.fromClient, f.remaining === 0 ? F_PSH | F_ACK : F_ACK, n);
      }
      f.segs = 0;
      if (f.fromClient) {
        f.fromClient = false;
        f.remaining = this.bytes(f.profile.response);
      } else if (++f.round >= f.rounds) {
        f.phase = 4;
        return this.stepTCP(f);
      } else {
        f.fromClient = true;
        f.remaining = this.bytes(f.profile.request);
      }
    }
  }

  private bytes(range: readonly [number, number]): number {
    return this.rng.logUniform(range[0], range[1]);
  }

  /** Ethernet + IP headers for a packet of `f`; sets `pseudo`; returns the L4 offset. */
  private ip(f: Flow, fromClient: boolean, proto: number, l4Len: number): number {
    const buf = this.frame;
    const src = fromClient ? f.client : f.server;
    const dst = fromClient ? f.server : f.client;
    const off = P.writeEthernet(
      buf, fromClient ? f.smac : f.cmac, fromClient ? f.cmac : f.smac, f.outerVlan, f.vlan,
      f.v6 ? P.ETHERTYPE_IPV6 : P.ETHERTYPE_IPV4,
    );
    if (f.v6) {
      this.pseudo = P.pseudoIPv6(src.v6, dst.v6, proto, l4Len);
      return P.writeIPv6(buf, off, proto, src.v6, dst.v6, src.ttl, l4Len, f.hbh, f.flowLabel);
    }
    this.pseudo = P.pseudoIPv4(src.v4, dst.v4, proto, l4Len);
    this.ipId = (this.ipId + 1) & 0xffff;
    return P.writeIPv4(buf, off, proto, src.v4, dst.v4, src.ttl, this.ipId, l4Len, proto === P.PROTO_TCP);
  }

  private tcp(f: Flow, fromClient: boolean, flags: number, payload: number): number {
    const buf = this.frame;
    const hlen = P.tcpHeaderLen((flags & F_SYN) !== 0);
    const l4 = this.ip(f, fromClient, P.PROTO_TCP, hlen + payload);
    const ms = Math.floor(this.nowUs / 1000);
    const seq = fromClient ? f.cSeq : f.sSeq;
    const ack = fromClient ? f.sSeq : f.cSeq;
    P.writeTCP(
      buf, l4, fromClient ? f.cport : f.sport, fromClient ? f.sport : f.cport, seq, ack, flags,
      fromClient ? 502 : 4096, ms + (fromClient ? f.client.v4 : f.server.v4), flags === F_SYN ? 0 : ms, f.mss,
    );
    buf.fill(f.fill, l4 + hlen, l4 + hlen + payload);
    const sum = this.pseudo + P.sumRange(buf, l4, l4 + hlen) + P.sumFill(f.fill, payload);
    buf.writeUInt16BE(P.finish(sum), l4 + 16);
    const advance = payload + ((flags & (F_SYN | F_FIN)) !== 0 ? 1 : 0);
    if (fromClient) f.cSeq = (f.cSeq + advance) >>> 0;
    else f.sSeq = (f.sSeq + advance) >>> 0;
    return P.padFrame(buf, l4 + hlen + payload);
  }

  /** UDP payload kinds: 1 DNS query, 2 DNS answer, 3 NTP, 4 QUIC full, 5 QUIC short. */
  private udp(f: Flow, fromClient: boolean, what: number): number {
    const buf = this.frame;
    const name = S.DNS_NAMES[f.name]!;
    const qtype = f.v6 ? 28 : 1;
    const query = 12 + name.length + 4;
    const payload =
      what === 1 ? query : what === 2 ? query + 12 + (f.v6 ? 16 : 4) : what === 3 ? 48
      : what === 4 ? 1252 : 40 + (f.fill & 31);
    const l4 = this.ip(f, fromClient, P.PROTO_UDP, 8 + payload);
    const p = P.writeUDP(buf, l4, fromClient ? f.cport : f.sport, fromClient ? f.sport : f.cport, 8 + payload);
    let sum = this.pseudo;
    if (what === 1 || what === 2) {
      buf.writeUInt16BE(f.id, p);
      buf.writeUInt16BE(what === 1 ? 0x0100 : 0x8180, p + 2); // RD / QR RD RA
      buf.writeUInt32BE(what === 1 ? 0x00010000 : 0x00010001, p + 4); // QD=1, AN=0/1
      buf.writeUInt32BE(0, p + 8);
      name.copy(buf, p + 12);
      let o = p + 12 + name.length;
      buf.writeUInt32BE((qtype << 16) | 1, o); // type, class IN
      o += 4;
      if (what === 2) {
        buf.writeUInt32BE(((0xc00c << 16) | qtype) >>> 0, o); // name: pointer to the question
        buf.writeUInt32BE((1 << 16) | 0, o + 4); // class IN, TTL high half
        buf.writeUInt32BE((300 << 16) | (f.v6 ? 16 : 4), o + 8); // TTL low half, rdlength
        const answer = this.net.outside[f.name * 37]!;
        if (f.v6) answer.v6.copy(buf, o + 12);
        else buf.writeUInt32BE(answer.v4, o + 12);
      }
      sum += P.sumRange(buf, l4, l4 + 8 + payload);
    } else if (what === 3) {
      buf.fill(0, p, p + 48);
      buf[p] = fromClient ? 0x23 : 0x24; // version 4, mode client / server
      buf[p + 1] = fromClient ? 0 : 2; // stratum
      buf.writeUInt32BE(Math.floor(this.nowUs / 1e6) + 2208988800, p + 40); // transmit time
      buf.writeUInt32BE(this.nowUs % 1e6 * 4294, p + 44);
      sum += P.sumRange(buf, l4, l4 + 8 + payload);
    } else {
      buf.fill(f.fill, p, p + payload);
      sum += P.sumRange(buf, l4, l4 + 8) + P.sumFill(f.fill, payload);
    }
    buf.writeUInt16BE(P.finish(sum) || 0xffff, l4 + 6);
    return P.padFrame(buf, p + payload);
  }

  private echo(f: Flow, request: boolean): number {
    const buf = this.frame;
    const proto = f.v6 ? P.PROTO_ICMPV6 : P.PROTO_ICMP;
    const type = f.v6 ? (request ? 128 : 129) : request ? 8 : 0;
    const l4 = this.ip(f, request, proto, 8 + 56);
    P.writeEcho(buf, l4, type, f.id, (f.phase + 1) >> 1);
    buf.fill(f.fill, l4 + 8, l4 + 64);
    const sum = (f.v6 ? this.pseudo : 0) + P.sumRange(buf, l4, l4 + 8) + P.sumFill(f.fill, 56);
    buf.writeUInt16BE(P.finish(sum), l4 + 2);
    return P.padFrame(buf, l4 + 64);
  }

  private arp(f: Flow, request: boolean): number {
    const buf = this.frame;
    const a = f.client, b = f.server;
    const off = P.writeEthernet(
      buf, request ? BROADCAST : a.mac, request ? a.mac : b.mac, f.outerVlan, f.vlan, P.ETHERTYPE_ARP,
    );
    const end = request
      ? P.writeARP(buf, off, 1, a.mac, a.v4, 0, b.v4)
      : P.writeARP(buf, off, 2, b.mac, b.v4, a.mac, a.v4);
    return P.padFrame(buf, end);
  }
}
