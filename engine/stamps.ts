/**
 * Generation stamps: a typed array of marks is "cleared" by moving to the next generation instead of
 * being zeroed, so marking the points or keys seen in one pass costs nothing to reset. Only when the
 * 32-bit generation wraps are the marks really zeroed.
 */

/** The generation after `generation` for `marks`: zeroes the marks (and starts again at 1) when it wraps. */
export function nextGeneration(marks: Uint32Array, generation: number): number {
  const next = (generation + 1) >>> 0;
  if (next !== 0) return next;
  marks.fill(0);
  return 1;
}
