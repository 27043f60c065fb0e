/**
 * Evaluates each position under one of the 8 board symmetries and maps the policy back, so the search
 * sees the net's answer for the position as given. With `symmetry: 'random'` (the AlphaGo Zero practice)
 * each position gets a random symmetry, which averages out the net's orientation biases across a search.
 */
import { checkEvaluateArgs, planesPerPosition, policySize, type EvalOutput, type Evaluator, type NetInfo } from './evaluator.js';
import { inverseSymmetry, SYMMETRY_COUNT, transformPlanes, transformPolicy } from './symmetry.js';

export interface SymmetricEvaluatorOptions {
  /** A fixed symmetry 0..7, or 'random' per position. */
  symmetry: number | 'random';
  /** Uniform [0, 1) source for 'random' (default Math.random); pass a seeded one for reproducible runs. */
  random: () => number;
}

export class SymmetricEvaluator implements Evaluator {
  readonly info: NetInfo;
  private readonly options: SymmetricEvaluatorOptions;

  constructor(
    private readonly inner: Evaluator,
    options: Partial<SymmetricEvaluatorOptions> = {},
  ) {
    this.options = { symmetry: 'random', random: Math.random, ...options };
    const s = this.options.symmetry;
    if (s !== 'random' && !(Number.isInteger(s) && s >= 0 && s < SYMMETRY_COUNT)) throw new RangeError(`symmetry must be 0..7 or 'random', got ${s}`);
    this.info = inner.info;
  }

  async evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    checkEvaluateArgs(this.info, planes, count);
    const fp = planesPerPosition(this.info);
    const actions = policySize(this.info);
    const size = this.info.boardSize;
    const symmetries = new Uint8Array(count);
    const transformed = new Float32Array(count * fp);
    for (let i = 0; i < count; i++) {
      const s = this.options.symmetry === 'random' ? Math.min(SYMMETRY_COUNT - 1, Math.floor(this.options.random() * SYMMETRY_COUNT)) : this.options.symmetry;
      symmetries[i] = s;
      transformPlanes(planes, i * fp, transformed, i * fp, this.info.inputPlanes, size, s);
    }
    const out = await this.inner.evaluate(transformed, count);
    const policy = new Float32Array(count * actions);
    for (let i = 0; i < count; i++) transformPolicy(out.policy, i * actions, policy, i * actions, size, inverseSymmetry(symmetries[i]!));
    return { policy, value: out.value };
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}
