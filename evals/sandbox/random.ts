/**
 * Deterministic randomness. The sandbox never calls Math.random: every draw comes from a PRNG
 * seeded by the scenario, or from a hash of the thing being drawn for (a series and a minute, a
 * frame row), so the same scenario always produces the same numbers.
 */

/** A 32-bit FNV-1a hash of the parts, joined by a separator that cannot occur in them by accident. */
export function hash32(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  const text = parts.join("\u241f");
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h >>> 0);
}

/** A uniform number in [0, 1) determined by the parts. */
export function unitHash(...parts: (string | number)[]): number {
  return hash32(...parts) / 0x1_0000_0000;
}

/** A standard normal number determined by the parts (Box-Muller over two hashes). */
export function gaussianHash(...parts: (string | number)[]): number {
  const u1 = Math.max(unitHash(...parts, "u1"), 1e-12);
  const u2 = unitHash(...parts, "u2");
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A seeded stream of random numbers. */
export interface Random {
  /** A uniform number in [0, 1). */
  next(): number;
  /** `length` lowercase hex characters. */
  hex(length: number): string;
}

/** Creates a mulberry32 stream from a numeric or string seed. */
export function createRandom(seed: number | string): Random {
  let state = typeof seed === "number" ? seed >>> 0 : hash32(seed);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
  return {
    next,
    hex(length) {
      let out = "";
      while (out.length < length) out += Math.floor(next() * 0x1_0000_0000).toString(16).padStart(8, "0");
      return out.slice(0, length);
    },
  };
}

// A final avalanche so that neighbouring inputs (minute 1, minute 2) give unrelated outputs.
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
