// Types for `cap` 0.2.1 (libpcap binding; ships none). Only what live-capture.ts uses:
// nothing else may import `cap` (DESIGN rule 8).

declare module 'cap' {
  import { EventEmitter } from 'node:events';

  export interface CapAddress {
    addr: string;
    netmask?: string;
    broadaddr?: string;
    dstaddr?: string;
  }

  export interface CapDevice {
    name: string;
    description?: string;
    addresses: CapAddress[];
    /** e.g. 'PCAP_IF_LOOPBACK'; absent when no flag is set. */
    flags?: string;
  }

  export class Cap extends EventEmitter {
    constructor();
    /**
     * Opens `device` (libpcap snaplen 65535, promiscuous, immediate mode, non-blocking) with a
     * BPF `filter` ('' for none) and a kernel buffer of `bufSize` bytes. Each packet is copied
     * into `buffer` (truncated to its length) before 'packet' is emitted with
     * (bytes copied, truncated). Returns the link type: 'ETHERNET', 'LINKTYPE_LINUX_SLL',
     * 'NULL', 'RAW', 'IEEE802_11_RADIO' or 'Unknown linktype N'. Throws libpcap's message.
     */
    open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
    close(): void;
    send(buffer: Buffer, length?: number): void;
    on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): this;
    static findDevice(ip?: string): string | undefined;
    static deviceList(): CapDevice[];
  }

  // CommonJS with a native addon: Node's ESM loader sees only a default export.
  const cap: { Cap: typeof Cap };
  export default cap;
}
