// Code-generating backend: turns a lowered filter (filter-ir.ts) into one JavaScript
// function with `new Function`, compiled once per (filter, link type). The generated code
// reads frame.buf with bounds checks against caplen and allocates nothing; a load past the
// captured bytes sets `ab` and the packet is rejected, as BPF does.

import type { Frame } from '../decode/frame.js';
import type { Cond, Num } from './filter-ir.js';

export type Predicate = (f: Frame) => boolean;

const JS_OPS: Record<string, string> = { '&': '&', '|': '|', '^': '^', '<<': '<<', '>>': '>>>', '+': '+', '-': '-' };

/** Emits JS for the arithmetic; `temps` counts the division temporaries it declares. */
function num(n: Num, temps: { n: number }): string {
  switch (n.t) {
    case 'k': return String(n.v);
    case 'len': return 'f.wirelen';
    case 'ld': {
      // `t` is assigned and used with nothing evaluated in between, so nesting is safe.
      const at = n.at.t === 'k' ? String(n.at.v) : `(t = ${num(n.at, temps)})`;
      const i = n.at.t === 'k' ? `o + ${n.at.v}` : 'o + t';
      const read = n.size === 1 ? `b[${i}]`
        : n.size === 2 ? `(b[${i}] << 8 | b[${i} + 1])`
          : `(b[${i}] * 16777216 + (b[${i} + 1] << 16 | b[${i} + 2] << 8 | b[${i} + 3]))`;
      return `(${at} + ${n.size} <= e ? ${read} : (ab = 1, 0))`;
    }
    case 'bin': {
      const a = num(n.a, temps);
      const b = num(n.b, temps);
      if (n.op === '*') return `(Math.imul(${a}, ${b}) >>> 0)`;
      if (n.op === '/' || n.op === '%') {
        // Each division has its own temporaries, so nested ones cannot clobber each other.
        const x = `x${temps.n}`;
        const d = `d${temps.n++}`;
        return `(${x} = ${a}, (${d} = ${b}) === 0 ? (ab = 1, 0) : ${n.op === '/' ? `Math.floor(${x} / ${d})` : `(${x} % ${d})`})`;
      }
      return `((${a} ${JS_OPS[n.op]} ${b}) >>> 0)`;
    }
  }
}

function cond(c: Cond, temps: { n: number }): string {
  switch (c.t) {
    case 'const': return c.v ? 'true' : 'false';
    case 'and': return `(${cond(c.a, temps)} && ${cond(c.b, temps)})`;
    case 'or': return `(${cond(c.a, temps)} || ${cond(c.b, temps)})`;
    case 'not': return `!${cond(c.a, temps)}`;
    case 'cmp': return `(${num(c.a, temps)} ${c.op === '==' ? '===' : c.op === '!=' ? '!==' : c.op} ${num(c.b, temps)})`;
  }
}

/** JavaScript source of the predicate body (kept for `source` and debugging). */
export function generateSource(c: Cond): string {
  if (c.t === 'const') return `return ${c.v};`;
  const temps = { n: 0 };
  const body = cond(c, temps);
  const decl = Array.from({ length: temps.n }, (_, i) => `, x${i} = 0, d${i} = 0`).join('');
  return [
    'const b = f.buf, o = f.off, e = f.caplen;',
    `let ab = 0, t = 0${decl};`,
    `return ${body} && ab === 0;`,
  ].join('\n');
}

export function compileCodegen(c: Cond): Predicate {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('f', generateSource(c)) as Predicate;
}
