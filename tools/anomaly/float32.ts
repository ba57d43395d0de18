/**
 * Float32 helpers: the forest's thresholds and leaf values are float32 so that ONNX Runtime, which
 * reads them as float32, and the TypeScript reference compare exactly the same numbers.
 */

const bits = new Int32Array(1);
const float = new Float32Array(bits.buffer);

/** The smallest float32 strictly greater than the float32 `v` (finite `v` below the float32 maximum). */
export function nextFloat32Up(v: number): number {
  if (v === 0) return 2 ** -149; // from either zero: the smallest positive subnormal
  float[0] = v;
  bits[0] = v > 0 ? bits[0]! + 1 : bits[0]! - 1;
  return float[0]!;
}

/** The smallest float32 that is at least `v` (rounding up rather than to nearest). */
export function float32AtLeast(v: number): number {
  const rounded = Math.fround(v);
  return rounded < v ? nextFloat32Up(rounded) : rounded;
}
