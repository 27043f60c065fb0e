import { describe, expect, it } from 'vitest';
import { BLACK } from '../engine/index.js';
import type { EvalOutput, Evaluator, NetInfo } from '../src/nn/evaluator.js';
import { encodeZeroFeatures, ZERO_PLANE, ZERO_PLANES } from '../src/nn/features.js';
import { SymmetricEvaluator } from '../src/nn/symmetric-evaluator.js';

const size = 5;
const area = size * size;
const fp = ZERO_PLANES * area;

/** Equivariant stand-in for a net: policy = own stones (+ tiny row/col-independent pass), value = stone balance. */
class EquivariantEvaluator implements Evaluator {
  readonly info: NetInfo = { boardSize: size, featureSet: 'zero', inputPlanes: ZERO_PLANES };
  seen: Float32Array[] = [];
  async evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    const policy = new Float32Array(count * (area + 1));
    const value = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      this.seen.push(planes.slice(i * fp, (i + 1) * fp));
      let balance = 0;
      for (let p = 0; p < area; p++) {
        const own = planes[i * fp + ZERO_PLANE.ownStones * area + p]!;
        policy[i * (area + 1) + p] = own;
        balance += own - planes[i * fp + ZERO_PLANE.opponentStones * area + p]!;
      }
      policy[i * (area + 1) + area] = 0.5;
      value[i] = balance / area;
    }
    return { policy, value };
  }
  async dispose(): Promise<void> {}
}

function positions(count: number): Float32Array {
  const planes = new Float32Array(count * fp);
  let seed = 12345;
  for (let i = 0; i < count; i++) {
    const stones = Uint8Array.from({ length: area }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % 3);
    encodeZeroFeatures(planes, i * fp, size, [stones], BLACK);
  }
  return planes;
}

describe('SymmetricEvaluator', () => {
  it('every fixed symmetry gives the untransformed answer for an equivariant net', async () => {
    const planes = positions(3);
    const direct = await new EquivariantEvaluator().evaluate(planes, 3);
    for (let s = 0; s < 8; s++) {
      const inner = new EquivariantEvaluator();
      const out = await new SymmetricEvaluator(inner, { symmetry: s }).evaluate(planes, 3);
      expect(out.policy).toEqual(direct.policy);
      expect(out.value).toEqual(direct.value);
      // The net really saw transformed input (except under the identity).
      if (s !== 0) expect(inner.seen.some((p, i) => p.some((x, j) => x !== planes[i * fp + j]))).toBe(true);
    }
  });

  it('random mode picks varied symmetries per position and still maps answers back', async () => {
    let state = 1;
    const random = (): number => ((state = (state * 48271) % 2147483647) / 2147483647);
    const planes = positions(16);
    const direct = await new EquivariantEvaluator().evaluate(planes, 16);
    const inner = new EquivariantEvaluator();
    const out = await new SymmetricEvaluator(inner, { symmetry: 'random', random }).evaluate(planes, 16);
    expect(out.policy).toEqual(direct.policy);
    const unchanged = inner.seen.filter((p, i) => p.every((x, j) => x === planes[i * fp + j])).length;
    expect(unchanged).toBeLessThan(16);
    expect(() => new SymmetricEvaluator(inner, { symmetry: 9 })).toThrow(/0..7 or 'random'/);
  });
});
