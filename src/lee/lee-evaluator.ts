/**
 * AlphaGo Lee's two networks behind the one Evaluator the search knows: both read the same 48 Lee
 * planes, the policy net (SL by default) gives the priors and the value net the value. Opened with
 * `ownThreads` each net runs on its own thread (net-thread.ts), so the two run at once on the same batch and
 * the search thread keeps playing rollouts meanwhile; in the caller's thread onnxruntime's forward passes
 * block it and run one after the other.
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
export async function openLeeEvaluator(files: LeeModelSetFiles, options: LeeNetOptions & { useValue?: boolean; ownThreads?: boolean } = {}): Promise<LeeEvaluator> {
  const useValue = (options.useValue ?? true) && files.valueDir !== null;
  const total = options.threads ?? availableParallelism();
  // On their own threads the nets leave one core to the search thread (its rollouts).
  const netCores = options.ownThreads === true ? Math.max(1, total - 1) : total;
  const threads = useValue ? Math.max(1, Math.floor(netCores / 2)) : netCores;
  // Loaded lazily: tfjs and onnxruntime take a while to load, and `tengen gtp` reads this module's callers at start-up.
  const { createEvaluator } = await import('../nn/create-evaluator.js');
  const { NetThreadEvaluator } = await import('../nn/net-thread.js');
  const open = async (dir: string, what: string): Promise<BackendEvaluator> => {
    const netOptions = { modelDir: dir, backend: options.backend ?? 'auto', threads };
    try {
      return await (options.ownThreads === true ? NetThreadEvaluator.open(netOptions) : createEvaluator(netOptions));
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
