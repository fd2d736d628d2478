/**
 * A small seeded pseudo-random generator (mulberry32) so every generated image, and with it every
 * modelled figure of the benchmark, is the same on every run and machine.
 */

/** A generator of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32 seeded with `seed`: fast, 32-bit state, good enough for test data. */
export function seededRandom(seed: number): Random {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `sizeBytes` incompressible bytes from `seed`. */
export function randomBytes(sizeBytes: number, seed: number): Uint8Array {
  const rnd = seededRandom(seed);
  const out = new Uint8Array(sizeBytes);
  const view = new DataView(out.buffer);
  let i = 0;
  for (; i + 4 <= sizeBytes; i += 4) view.setUint32(i, Math.floor(rnd() * 2 ** 32), true);
  for (; i < sizeBytes; i++) out[i] = Math.floor(rnd() * 256);
  return out;
}

/**
 * `sizeBytes` of machine-code-like bytes: 32-bit words drawn (skewed) from a 1024-word vocabulary,
 * some with a random operand byte or wholly random. Deflate level 9 packs it to about 65 % of its
 * size, like the real ESP32 firmware under `../shared/firmware` (64 %).
 */
export function codeLikeBytes(sizeBytes: number, seed: number): Uint8Array {
  const rnd = seededRandom(seed);
  const vocabulary = Array.from({ length: 1024 }, () => Math.floor(rnd() * 2 ** 32) >>> 0);
  const out = new Uint8Array(sizeBytes);
  const view = new DataView(out.buffer);
  for (let i = 0; i + 4 <= sizeBytes; i += 4) {
    let word = vocabulary[Math.floor(rnd() ** 2 * vocabulary.length)] as number;
    const x = rnd();
    if (x < 0.28) word = (word & 0xffff00ff) | (Math.floor(rnd() * 256) << 8);
    if (x < 0.07) word = word ^ Math.floor(rnd() * 2 ** 32);
    view.setUint32(i, word >>> 0, true);
  }
  return out;
}
