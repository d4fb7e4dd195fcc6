// Seeded pseudo-random numbers for the benchmark capture generator.
//
// sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 32-bit integer arithmetic
// only, so the sequence is identical on every machine and Node version, which is what makes
// the generated capture byte-identical across runs. Math.random must never be used in the
// generator: it is unseeded.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Mix the seed through the state before the first number is used.
    for (let i = 0; i < 16; i++) this.u32();
  }

  /** Uniform unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Log-uniform integer in [lo, hi]: many small values, a long tail of big ones. */
  logUniform(lo: number, hi: number): number {
    return Math.floor(Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo))));
  }

  /** Index into an array of length n, skewed towards 0 (a few popular items, a long tail). */
  skewed(n: number): number {
    const u = this.next();
    return Math.floor(n * u * u);
  }

  /** Index drawn from a table of cumulative weights (last entry = total). */
  weighted(cumulative: readonly number[]): number {
    const total = cumulative[cumulative.length - 1] ?? 0;
    const x = this.next() * total;
    for (let i = 0; i < cumulative.length; i++) {
      if (x < (cumulative[i] ?? 0)) return i;
    }
    return cumulative.length - 1;
  }
}

/** Turn a list of weights into the cumulative table `Rng.weighted` expects. */
export function cumulate(weights: readonly number[]): number[] {
  const out: number[] = [];
  let sum = 0;
  for (const w of weights) {
    sum += w;
    out.push(sum);
  }
  return out;
}
