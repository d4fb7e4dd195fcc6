// The lowered form of a filter for one link type: loads at byte offsets from the start of
// the packet, unsigned 32-bit arithmetic and comparisons - the same model as BPF, so that a
// filter selects what tcpdump's compiled BPF selects. Both backends (closure tree, generated
// code) run this form. The builders fold constants so impossible branches disappear.

export type Num =
  | { t: 'k'; v: number }
  | { t: 'len' }
  /** Big-endian load of `size` bytes at packet offset `at`; past caplen the packet is rejected. */
  | { t: 'ld'; at: Num; size: 1 | 2 | 4 }
  | { t: 'bin'; op: string; a: Num; b: Num };

export type Cond =
  | { t: 'and' | 'or'; a: Cond; b: Cond }
  | { t: 'not'; a: Cond }
  | { t: 'const'; v: boolean }
  | { t: 'cmp'; op: string; a: Num; b: Num };

export const TRUE: Cond = { t: 'const', v: true };
export const FALSE: Cond = { t: 'const', v: false };

export const k = (v: number): Num => ({ t: 'k', v: v >>> 0 });
export const ld = (at: Num | number, size: 1 | 2 | 4): Num => ({ t: 'ld', at: typeof at === 'number' ? k(at) : at, size });

/** Unsigned 32-bit result of a binary operator, as BPF's ALU computes it (null: undefined). */
export function applyOp(op: string, a: number, b: number): number | null {
  switch (op) {
    case '+': return (a + b) >>> 0;
    case '-': return (a - b) >>> 0;
    case '*': return Math.imul(a, b) >>> 0;
    case '/': return b === 0 ? null : Math.floor(a / b) >>> 0;
    case '%': return b === 0 ? null : (a % b) >>> 0;
    case '&': return (a & b) >>> 0;
    case '|': return (a | b) >>> 0;
    case '^': return (a ^ b) >>> 0;
    case '<<': return (a << (b & 31)) >>> 0;
    case '>>': return a >>> (b & 31);
  }
  throw new Error(`unknown operator ${op}`);
}

export function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
  throw new Error(`unknown comparison ${op}`);
}

export function bin(op: string, a: Num, b: Num): Num {
  if (a.t === 'k' && b.t === 'k') {
    const v = applyOp(op, a.v, b.v);
    if (v !== null) return k(v);
  }
  if (op === '+' && b.t === 'k' && b.v === 0) return a;
  return { t: 'bin', op, a, b };
}

export function cmp(op: string, a: Num, b: Num): Cond {
  if (a.t === 'k' && b.t === 'k') return compare(op, a.v, b.v) ? TRUE : FALSE;
  return { t: 'cmp', op, a, b };
}

export function and(...cs: Cond[]): Cond {
  let out: Cond = TRUE;
  for (const c of cs) {
    if (c.t === 'const') {
      if (!c.v) return FALSE;
      continue;
    }
    out = out.t === 'const' ? c : { t: 'and', a: out, b: c };
  }
  return out;
}

export function or(...cs: Cond[]): Cond {
  let out: Cond = FALSE;
  for (const c of cs) {
    if (c.t === 'const') {
      if (c.v) return TRUE;
      continue;
    }
    out = out.t === 'const' ? c : { t: 'or', a: out, b: c };
  }
  return out;
}

export function not(c: Cond): Cond {
  return c.t === 'const' ? (c.v ? FALSE : TRUE) : { t: 'not', a: c };
}
