/**
 * AlphaGo Lee's two networks behind the one Evaluator the search knows: both read the same 48 Lee
 * planes, the policy net (SL by default) gives the priors and the value net the value. The two run at
 * once on the same batch (each backend call is asynchronous), so one evaluate() costs about one net's time
 * on an idle core pair rather than two in sequence.
 *
 * Without a value network the value is 0 everywhere; the search must then score leaves by rollouts alone
 * (λ = 1), which lee-search.ts arranges.
 */
import { availableParallelism } from 'node:os';
import type { BackendEvaluator } from '../nn/create-evaluator.js';
import { checkEvaluateArgs, type EvalOutput, type Evaluator, type NetInfo } from '../nn/evaluator.js';
import type { LeeModelSetFiles, LeeNetOptions } from './model-set.js';
import { LeeModelSetError } from './model-set.js';

export class LeeEvaluator implements Evaluator {
  readonly info: NetInfo;
  /** Positions evaluated (for rates). */
  positions = 0;

  constructor(
    readonly policyNet: Evaluator,
    readonly valueNet: Evaluator | null,
  ) {
    const p = policyNet.info;
    if (p.featureSet !== 'lee') throw new RangeError(`LeeEvaluator: the policy network uses feature set '${p.featureSet}', not 'lee'`);
    const v = valueNet?.info;
    if (v !== undefined && (v.featureSet !== p.featureSet || v.boardSize !== p.boardSize || v.inputPlanes !== p.inputPlanes)) {
      throw new RangeError(`LeeEvaluator: value network (${v.boardSize}x${v.boardSize}, ${v.featureSet}/${v.inputPlanes}) does not read the policy network's input (${p.boardSize}x${p.boardSize}, ${p.featureSet}/${p.inputPlanes})`);
    }
    this.info = { ...p };
  }

  get backend(): string {
    return (this.policyNet as Partial<BackendEvaluator>).backend ?? 'custom';
  }

  async evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    checkEvaluateArgs(this.info, planes, count);
    this.positions += count;
    if (this.valueNet === null) {
      const { policy } = await this.policyNet.evaluate(planes, count);
      return { policy, value: new Float32Array(count) };
    }
    const [p, v] = await Promise.all([this.policyNet.evaluate(planes, count), this.valueNet.evaluate(planes, count)]);
    return { policy: p.policy, value: v.value };
  }

  async dispose(): Promise<void> {
    await Promise.all([this.policyNet.dispose(), this.valueNet?.dispose()]);
  }
}

/**
 * Opens the set's policy net and (when `useValue` and the set has one) its value net. Each backend session
 * gets half the threads when both nets run at once (they run concurrently on the same batch).
 */
export async function openLeeEvaluator(files: LeeModelSetFiles, options: LeeNetOptions & { useValue?: boolean } = {}): Promise<LeeEvaluator> {
  const useValue = (options.useValue ?? true) && files.valueDir !== null;
  const total = options.threads ?? availableParallelism();
  const threads = useValue ? Math.max(1, Math.floor(total / 2)) : total;
  // Loaded lazily: tfjs and onnxruntime take a while to load, and `tengen gtp` reads this module's callers at start-up.
  const { createEvaluator } = await import('../nn/create-evaluator.js');
  const open = async (dir: string, what: string): Promise<BackendEvaluator> => {
    try {
      return await createEvaluator({ modelDir: dir, backend: options.backend ?? 'auto', threads });
    } catch (e) {
      throw new LeeModelSetError(`Lee model set: cannot open the ${what} network in ${dir}: ${(e as Error).message}`);
    }
  };
  const policy = await open(files.policyDir, `${files.policyName.toUpperCase()} policy`);
  let value: BackendEvaluator | null = null;
  try {
    if (useValue) value = await open(files.valueDir!, 'value');
    return new LeeEvaluator(policy, value);
  } catch (e) {
    await policy.dispose();
    await value?.dispose();
    throw e;
  }
}
