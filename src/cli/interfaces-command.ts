// `spanwatch interfaces`: what libpcap can capture on here, with addresses, so the user can
// pick the name for `run -i`. Listing needs no privileges; capturing does.

import fs from 'node:fs';
import type { Command } from 'commander';
import { listCaptureDevices } from '../source/live-capture.js';

interface InterfacesOptions {
  json?: boolean;
}

export interface InterfaceInfo {
  name: string;
  default: boolean;
  loopback: boolean;
  /** Kernel operstate (up, down, unknown…), null for pseudo-devices. */
  state: string | null;
  /** Addresses as address/prefix length. */
  addresses: string[];
  description: string | null;
}

export function registerInterfacesCommand(program: Command): void {
  program
    .command('interfaces')
    .description('list the interfaces spanwatch can capture on (for run -i), with addresses')
    .option('--json', 'one JSON array instead of a table')
    .addHelpText('after', '\n`any` captures all interfaces at once (Linux cooked capture).')
    .action((opts: InterfacesOptions) => {
      const list = captureInterfaces();
      if (opts.json) process.stdout.write(JSON.stringify(list) + '\n');
      else process.stdout.write(formatInterfaces(list));
    });
}

export function captureInterfaces(): InterfaceInfo[] {
  const { devices, defaultDevice } = listCaptureDevices();
  return devices.map((d) => ({
    name: d.name,
    default: d.name === defaultDevice,
    loopback: (d.flags ?? '').includes('LOOPBACK'),
    state: operState(d.name),
    addresses: d.addresses.map((a) => (a.netmask ? `${a.addr}/${prefixLength(a.netmask)}` : a.addr)),
    description: d.description ?? null,
  }));
}

function formatInterfaces(list: readonly InterfaceInfo[]): string {
  const names = list.map((i) => i.name + (i.default ? ' (default)' : ''));
  const w = Math.max(9, ...names.map((n) => n.length)) + 2;
  const lines = [`${'INTERFACE'.padEnd(w)}${'STATE'.padEnd(9)}ADDRESSES`];
  list.forEach((i, k) => {
    const what = i.addresses.length > 0 ? i.addresses.join(' ') : (i.description ?? '');
    lines.push(`${names[k]!.padEnd(w)}${(i.state ?? '-').padEnd(9)}${i.loopback ? 'loopback ' : ''}${what}`.trimEnd());
  });
  return lines.join('\n') + '\n';
}

function operState(name: string): string | null {
  if (name.includes('/')) return null;
  try {
    return fs.readFileSync(`/sys/class/net/${name}/operstate`, 'latin1').trim();
  } catch {
    return null;
  }
}

/** Netmask (dotted quad or IPv6 text) to its prefix length: leading one bits. */
export function prefixLength(mask: string): number {
  let bits = 0;
  if (mask.includes('.')) {
    for (const octet of mask.split('.')) bits += ones(Number(octet), 8);
    return bits;
  }
  const [head = '', tail] = mask.split('::');
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined) {
    const rest = tail === '' ? [] : tail.split(':');
    while (groups.length + rest.length < 8) groups.push('0');
    groups.push(...rest);
  }
  for (const g of groups) bits += ones(parseInt(g, 16) || 0, 16);
  return bits;
}

/** Leading one bits of an n-bit value (stops at the first zero). */
function ones(v: number, width: number): number {
  let n = 0;
  for (let b = width - 1; b >= 0 && (v >> b) & 1; b--) n++;
  return n;
}
