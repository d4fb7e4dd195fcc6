// Closure-tree backend: turns a lowered filter (filter-ir.ts) into nested closures, built
// once per (filter, link type). Kept beside the code generator for the benchmark in
// compile-filter.ts and as a fallback where `new Function` is not allowed. Per packet it
// allocates nothing; the abort flag of an out-of-range load lives in one shared cell.

import type { Frame } from '../decode/frame.js';
import { applyOp, type Cond, type Num } from './filter-ir.js';

type NumFn = (f: Frame) => number;
type CondFn = (f: Frame) => boolean;

export function compileClosure(c: Cond): CondFn {
  const st = { ab: 0 };

  const num = (n: Num): NumFn => {
    switch (n.t) {
      case 'k': {
        const v = n.v;
        return () => v;
      }
      case 'len': return (f) => f.wirelen;
      case 'ld': {
        const size = n.size;
        if (n.at.t === 'k') {
          const at = n.at.v;
          const end = at + size;
          if (size === 1) return (f) => (end <= f.caplen ? f.buf[f.off + at]! : ((st.ab = 1), 0));
          if (size === 2) {
            return (f) => {
              if (end > f.caplen) return (st.ab = 1), 0;
              const i = f.off + at;
              return (f.buf[i]! << 8) | f.buf[i + 1]!;
            };
          }
          return (f) => (end <= f.caplen ? f.buf.readUInt32BE(f.off + at) : ((st.ab = 1), 0));
        }
        const atFn = num(n.at);
        return (f) => {
          const at = atFn(f);
          if (at + size > f.caplen) return (st.ab = 1), 0;
          const i = f.off + at;
          const b = f.buf;
          return size === 1 ? b[i]! : size === 2 ? (b[i]! << 8) | b[i + 1]! : b.readUInt32BE(i);
        };
      }
      case 'bin': {
        const a = num(n.a);
        const b = num(n.b);
        const op = n.op;
        switch (op) {
          case '+': return (f) => (a(f) + b(f)) >>> 0;
          case '&': return (f) => (a(f) & b(f)) >>> 0;
          case '*': return (f) => Math.imul(a(f), b(f)) >>> 0;
          default:
            return (f) => {
              const r = applyOp(op, a(f), b(f));
              return r === null ? ((st.ab = 1), 0) : r;
            };
        }
      }
    }
  };

  const cond = (x: Cond): CondFn => {
    switch (x.t) {
      case 'const': {
        const v = x.v;
        return () => v;
      }
      case 'and': {
        const a = cond(x.a);
        const b = cond(x.b);
        return (f) => a(f) && b(f);
      }
      case 'or': {
        const a = cond(x.a);
        const b = cond(x.b);
        return (f) => a(f) || b(f);
      }
      case 'not': {
        const a = cond(x.a);
        return (f) => !a(f);
      }
      case 'cmp': {
        const a = num(x.a);
        if (x.b.t === 'k') {
          const v = x.b.v;
          switch (x.op) {
            case '==': return (f) => a(f) === v;
            case '!=': return (f) => a(f) !== v;
            case '<': return (f) => a(f) < v;
            case '<=': return (f) => a(f) <= v;
            case '>': return (f) => a(f) > v;
            default: return (f) => a(f) >= v;
          }
        }
        const b = num(x.b);
        switch (x.op) {
          case '==': return (f) => a(f) === b(f);
          case '!=': return (f) => a(f) !== b(f);
          case '<': return (f) => a(f) < b(f);
          case '<=': return (f) => a(f) <= b(f);
          case '>': return (f) => a(f) > b(f);
          default: return (f) => a(f) >= b(f);
        }
      }
    }
  };

  const root = cond(c);
  return (f) => {
    st.ab = 0;
    return root(f) && st.ab === 0;
  };
}
