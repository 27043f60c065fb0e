/**
 * Small, seedable pseudo-random generator (Marsaglia's xorshift128: shifts and xors only, so it stays cheap
 * in the playout hot loop, where a multiply-based generator cost a third of the time). Engine code never
 * calls Math.random, so playouts, searches and self-play are reproducible from a seed.
 */
export class Rng {
  // `declare`d: no `x = undefined` field definitions are emitted, so V8 keeps the state words as
  // untagged small integers (a field that first held undefined is stored boxed, with checks on each use).
  private declare x: number;
  private declare y: number;
  private declare z: number;
  private declare w: number;

  constructor(seed: number = (Math.random() * 0x100000000) >>> 0) {
    // splitmix32 expands one 32-bit seed into the four state words (all-zero state is invalid).
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.x = next();
    this.y = next();
    this.z = next();
    this.w = next() | 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const t = this.x ^ (this.x << 11);
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w = this.w ^ (this.w >>> 19) ^ t ^ (t >>> 8);
    return this.w >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n): floor(u * n / 2^32) for a uniform 32-bit u. */
  int(n: number): number {
    const u = this.nextU32();
    if ((n & 0xffff) === n) {
      // The same value in 32-bit integer arithmetic (u split into 16-bit halves; every partial product fits),
      // which is shorter on the playouts' critical path than int -> double -> floor -> int.
      return ((Math.imul(u >>> 16, n) + (Math.imul(u & 0xffff, n) >>> 16)) | 0) >>> 16;
    }
    return Math.floor((u * n) / 4294967296);
  }

  /** Standard normal sample (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Gamma(shape, 1) sample (Marsaglia–Tsang; boosted for shape < 1). Used for Dirichlet noise. */
  gamma(shape: number): number {
    if (shape < 1) {
      const u = this.next();
      return this.gamma(shape + 1) * Math.pow(u === 0 ? Number.MIN_VALUE : u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }
}
