// A table's key extraction compiled into one function with `new Function`, once per table:
// straight-line code for its own fields that writes the key words and hashes them as it
// goes, instead of a switch per field per packet (extractPart in key-part.ts, which stays
// as the reference: the fallback where code generation is refused, and what the generated
// code is tested against, field by field, over every real capture:
// test/count-key-code.test.ts).
//
// The generated source embeds only numbers taken from the parsed key parts (offsets, masks,
// prefix lengths); port lists are passed in as arguments, never printed into the code.

import { ABSENT, type Frame } from '../decode/frame.js';
import { FieldKind } from './fields.js';
import { finishHash, HASH_SEED, hashWords, mixWord } from './key-hash-table.js';
import { extractPart, OTHER_PORT, type KeyContext, type KeyPart } from './key-part.js';

/** Writes the key into `key` and returns its hash (≥ 0), or -1 when the packet lacks a field. */
export type KeyExtractor = (f: Frame, ctx: KeyContext, key: Uint32Array) => number;

const NUMBER_FIELDS: Readonly<Record<number, string>> = {
  [FieldKind.PROTO]: 'proto',
  [FieldKind.VLAN]: 'vlan',
  [FieldKind.ETHER_TYPE]: 'etherType',
  [FieldKind.ICMP_TYPE]: 'icmpType',
  [FieldKind.ICMP_CODE]: 'icmpCode',
  [FieldKind.TTL]: 'ttl',
  [FieldKind.TCP_FLAGS]: 'tcpFlags',
  [FieldKind.ARP_OP]: 'arpOp',
};

/** The generated extractor; the reference one where `new Function` is refused. */
export function compileKeyExtractor(parts: readonly KeyPart[]): KeyExtractor {
  const lists = parts.map((p) => p.portList);
  const source = generateKeySource(parts);
  let make: (...args: unknown[]) => KeyExtractor;
  try {
    make = new Function('mix', 'finish', 'lists', 'OTHER', 'ABSENT', source) as typeof make;
  } catch {
    return referenceKeyExtractor(parts);
  }
  return make(mixWord, finishHash, lists, OTHER_PORT, ABSENT);
}

/** The same extraction part by part through extractPart (key-part.ts), then hashWords. */
export function referenceKeyExtractor(parts: readonly KeyPart[]): KeyExtractor {
  return (f, ctx, key) => {
    let off = 0;
    for (const p of parts) {
      if (!extractPart(p, f, ctx, key, off)) return -1;
      off += p.words;
    }
    return hashWords(key, off);
  };
}

/** The body of the factory: `return function (f, ctx, key) { … }`. Exported for the tests. */
export function generateKeySource(parts: readonly KeyPart[]): string {
  const body: string[] = [`let h = ${HASH_SEED};`, 'let v = 0;', 'let x = 0;'];
  const usesDirection = parts.some((p) => p.kind === FieldKind.CLIENT_HOST || p.kind === FieldKind.SERVER_HOST || p.kind === FieldKind.SERVER_PORT);
  if (usesDirection) body.push('const dir = ctx.dir;', 'if (!dir.known) return -1;');
  let o = 0;
  parts.forEach((p, j) => {
    body.push(...partCode(p, j, o));
    o += p.words;
  });
  body.push('return finish(h);');
  return `return function extractKey(f, ctx, key) {\n  ${body.join('\n  ')}\n};`;
}

function partCode(p: KeyPart, j: number, o: number): string[] {
  const one = (value: string, guard: string): string[] => [`v = ${value};`, `if (${guard}) return -1;`, `key[${o}] = v;`, 'h = mix(h, v);'];
  const two = (): string[] => [`key[${o}] = v;`, `key[${o + 1}] = x;`, 'h = mix(mix(h, v), x);'];
  const mask = int(p.mask4);
  const host = (src4: string, src6: string): string[] => [
    `if (f.ipVersion === 4) { v = 4; x = (${src4} & ${mask}) >>> 0; }`,
    `else if (f.ipVersion === 6) { v = 6; x = ctx.interner.intern(${src6}, ${int(p.prefix6)}); }`,
    'else return -1;',
    ...two(),
  ];
  const port = (value: string): string[] => [
    `v = ${value};`,
    'if (v < 0) return -1;',
    ...(p.portList === null ? [] : [`if (lists[${j}][v] !== 1) v = OTHER;`]),
    `key[${o}] = v;`,
    'h = mix(h, v);',
  ];
  switch (p.kind) {
    case FieldKind.SRC_HOST:
      return host('f.src4', 'f.src6');
    case FieldKind.DST_HOST:
      return host('f.dst4', 'f.dst6');
    case FieldKind.CLIENT_HOST:
      return host('(dir.clientIsSrc === 1 ? f.src4 : f.dst4)', '(dir.clientIsSrc === 1 ? f.src6 : f.dst6)');
    case FieldKind.SERVER_HOST:
      return host('(dir.clientIsSrc === 0 ? f.src4 : f.dst4)', '(dir.clientIsSrc === 0 ? f.src6 : f.dst6)');
    case FieldKind.ARP_SENDER_HOST:
    case FieldKind.ARP_TARGET_HOST: {
      const field = p.kind === FieldKind.ARP_SENDER_HOST ? 'f.arpSender4' : 'f.arpTarget4';
      return [`x = ${field};`, 'if (x === ABSENT) return -1;', 'v = 4;', `x = (x & ${mask}) >>> 0;`, ...two()];
    }
    case FieldKind.SRC_PORT:
      return port('f.srcPort');
    case FieldKind.DST_PORT:
      return port('f.dstPort');
    case FieldKind.SERVER_PORT:
      return port('dir.serverPort');
    case FieldKind.SRC_MAC:
    case FieldKind.DST_MAC: {
      const field = p.kind === FieldKind.SRC_MAC ? 'f.srcMac' : 'f.dstMac';
      // Division for the high half: a MAC has 48 bits, past what bit operators keep.
      return [`x = ${field};`, 'if (x < 0) return -1;', 'v = Math.floor(x / 4294967296);', 'x = x >>> 0;', ...two()];
    }
    case FieldKind.SENSOR:
      return one('0', 'false');
    case FieldKind.DIRECTION:
      return ['if (f.ipVersion === 0) return -1;', ...one('ctx.home.direction(f)', 'v < 0')];
    default: {
      const field = NUMBER_FIELDS[p.kind];
      if (field === undefined) throw new Error(`key field kind ${p.kind} has no extraction`);
      return one(`f.${field}`, 'v < 0');
    }
  }
}

/** A 32-bit integer as source text (masks are built with >>> 0, so never NaN or fractional). */
function int(n: number): string {
  if (!Number.isInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
}
