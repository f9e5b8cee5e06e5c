/**
 * mulberry32: a small, fast, deterministic PRNG, so synthetic data and failures reproduce. The
 * one seeded generator of the project and its tests: a value in [0, 1).
 */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** prng as integers: below(n) is in [0, n). */
export function prngBelow(seed: number): (n: number) => number {
  const rnd = prng(seed);
  return (n) => Math.floor(rnd() * n);
}

/** n bytes drawn from rnd: incompressible filler and noise for tests. */
export function randomBytes(rnd: () => number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rnd() * 256);
  return out;
}
