/**
 * AlphaGo Lee's search, built from the pieces the Zero search already has: src/search's PUCT MctsSearch
 * with priors from the SL policy net (LeeEvaluator), leaves scored (1 − λ)·v_value + λ·z_rollout through the
 * RolloutLeafEvaluator plug-in, expansion after n_thr visits (params.expandThreshold) and virtual loss.
 *
 * Three players share this factory (the `--mode` of gtp, selfplay and match):
 *   lee      SL priors + value net + rollouts (λ = 0.5 by default);
 *            without a value net in the set: SL priors + rollouts alone (λ = 1), with a note on stderr.
 *   rollout  no networks: uniform priors + rollouts alone (λ = 1) — the classic rollout-only MCTS baseline.
 *   zero     (not built here) the AlphaGo Zero search: one net, no rollouts.
 *
 * Where the rollouts run: by default in the search's thread, with the nets on threads of their own
 * (src/nn/net-thread.ts). onnxruntime-node's forward pass is synchronous: run in the search's thread it
 * would stop the rollouts for its whole length. The search keeps three lanes of leaf batches (lanes = 3):
 * while one or two lanes' batches are in the nets, another lane descends and plays its leaves' rollouts.
 * Measured on 9x9 (the shipped Zero net + rollouts, λ = 1, 2 cores): 2,250 visits/s with the net in the
 * search thread, 2,800 on its own thread with 2 lanes, 2,750–3,050 with 3–4 lanes. With
 * `rolloutThreads` > 0 (gtp/selfplay --rollout-threads N) each leaf's rollout goes to a worker thread
 * instead (rollout-workers.ts) and the search awaits it after its net batch — AlphaGo Lee's layout, for
 * machines with cores to spare. It is not the search pool (src/search/pool.ts): that runs whole searches
 * or games per task, and a task per rollout would cost more than the rollout. On this 2-core machine
 * in-thread rollouts were faster (1 s searches: 1,900 visits in-thread, 1,060 with 1 rollout thread).
 *
 * n_thr on 9x9: AlphaGo Lee used 40 on 19x19 to keep its GPU queue matched to its rollout threads. Here a
 * node's first visit costs a net evaluation (Lee features with ladder reading, two nets) and later visits
 * below n_thr only a rollout; LEE_SEARCH_DEFAULTS.expandThreshold = 4 was chosen by measurement
 * (bench `lee-search`: visits/s and strength at equal time), see the README's AlphaGo-Lee section.
 */
import { Board } from '../../engine/board.js';
import type { Evaluator } from '../nn/evaluator.js';
import { MctsSearch } from '../search/mcts.js';
import { defaultScoreScale, type ScoreUtility } from '../search/outcome.js';
import { resolveSearchParams, type SearchParams } from '../search/params.js';
import { SimpleEvaluator } from '../search/simple-evaluator.js';
import { DEFAULT_LAMBDA, RolloutLeafEvaluator } from './leaf.js';
import { openLeeEvaluator } from './lee-evaluator.js';
import { loadRolloutPolicy, packageRolloutPolicyPath, readLeeModelSet, type LeeModelSetFiles, type LeeNetOptions, type PriorPolicy } from './model-set.js';
import type { RolloutPolicy } from './rollout-policy.js';
import { RolloutWorkerPool, type RolloutLeaf } from './rollout-workers.js';

export type PlayMode = 'zero' | 'lee' | 'rollout';
export const PLAY_MODES: readonly PlayMode[] = ['zero', 'lee', 'rollout'];

/** The Lee-specific knobs, with their defaults in one place. */
export interface LeeSearchConfig {
  /** λ: weight of the rollout outcome in a leaf's value. */
  lambda: number;
  /** n_thr: visits a node gets (re-evaluated by rollouts) before the search descends through it. */
  expandThreshold: number;
  /** Rollouts per leaf evaluation. */
  rolloutsPerLeaf: number;
  /** Batches in flight: 2 lets one lane's rollouts run while the other lane's batch is in the nets. */
  lanes: number;
  /** Leaves per net call. */
  batchSize: number;
  /** AlphaGo Lee's n_vl = 3: a pending descent counts as three lost visits, spreading the lanes apart. */
  virtualLoss: number;
  /** Which policy net gives the priors. */
  policy: PriorPolicy;
  /** Worker threads for the rollouts; 0 = in the search's thread (see the note at the top). */
  rolloutThreads: number;
}

export const LEE_SEARCH_DEFAULTS: Readonly<LeeSearchConfig> = Object.freeze({
  lambda: DEFAULT_LAMBDA,
  expandThreshold: 4,
  rolloutsPerLeaf: 1,
  lanes: 3,
  batchSize: 8,
  virtualLoss: 3,
  policy: 'sl',
  rolloutThreads: 0,
});

export interface LeeSearchOptions extends LeeNetOptions {
  config?: Partial<LeeSearchConfig>;
  /** Search parameters over the caller's preset (match or self-play) and the Lee defaults. */
  params?: Partial<SearchParams>;
  /** Rollout policy file overriding the set's / the package's. */
  rolloutPolicy?: string;
  /** Seed of the rollouts. */
  seed?: number;
  /** Where notes go (e.g. "no value net: λ = 1"). */
  log?: (message: string) => void;
}

/**
 * The rollout leaf for the game being searched: rollouts are scored with the game's komi, which a GTP
 * controller may change between searches, so one RolloutLeafEvaluator is kept per komi.
 */
export class KomiRolloutLeaf implements RolloutLeaf {
  readonly weight: number;
  private readonly byKomi = new Map<number, RolloutLeafEvaluator>();
  private current: RolloutLeafEvaluator;

  constructor(
    private readonly policy: RolloutPolicy,
    private readonly size: number,
    komi: number,
    private readonly options: { lambda: number; rolloutsPerLeaf: number; seed?: number; scoreUtility?: ScoreUtility },
  ) {
    this.weight = options.lambda;
    this.current = this.leafFor(komi);
  }

  private leafFor(komi: number): RolloutLeafEvaluator {
    let leaf = this.byKomi.get(komi);
    if (leaf === undefined) {
      leaf = new RolloutLeafEvaluator({ policy: this.policy, size: this.size, komi, lambda: this.weight, rolloutsPerLeaf: this.options.rolloutsPerLeaf, seed: this.options.seed, scoreUtility: this.options.scoreUtility });
      this.byKomi.set(komi, leaf);
    }
    return leaf;
  }

  /** Scores the following rollouts with this komi (the game's effective komi). */
  setKomi(komi: number): void {
    if (komi !== this.current.komi) this.current = this.leafFor(komi);
  }

  start(board: Board): number {
    return this.current.start(board);
  }

  /** Rollouts played and their moves, over every komi. */
  get rollouts(): number {
    let n = 0;
    for (const leaf of this.byKomi.values()) n += leaf.rollouts;
    return n;
  }

  get rolloutMoves(): number {
    let n = 0;
    for (const leaf of this.byKomi.values()) n += leaf.rolloutMoves;
    return n;
  }

  async close(): Promise<void> {}
}

/** The rollout leaf a config asks for: in this thread, or on `rolloutThreads` workers; rollouts valued as the search values finished games. */
function rolloutLeaf(policyPath: string, size: number, komi: number, c: LeeSearchConfig, lambda: number, seed: number | undefined, params: SearchParams): RolloutLeaf {
  const scoreUtility = { weight: params.scoreUtility, scale: params.scoreUtilityScale > 0 ? params.scoreUtilityScale : defaultScoreScale(size) };
  if (c.rolloutThreads > 0) {
    return new RolloutWorkerPool({ workers: c.rolloutThreads, policyPath, size, komi, lambda, rolloutsPerLeaf: c.rolloutsPerLeaf, seed, scoreUtility });
  }
  return new KomiRolloutLeaf(loadRolloutPolicy(policyPath), size, komi, { lambda, rolloutsPerLeaf: c.rolloutsPerLeaf, seed, scoreUtility });
}

/** A ready search: the MctsSearch with its evaluator and rollout leaf, and what it is in words. */
export interface LeePlayer {
  /** zero: the Zero net mixed with rollouts (zeroRolloutSearch). */
  mode: PlayMode;
  search: MctsSearch;
  /** A LeeEvaluator (mode lee) or the uniform-prior SimpleEvaluator (mode rollout). */
  evaluator: Evaluator;
  leaf: RolloutLeaf;
  /** λ in force (1 when there is no value net). */
  lambda: number;
  params: SearchParams;
  description: string;
  dispose(): Promise<void>;
}

/** The search over an evaluator and a rollout leaf, as a player that disposes of both. */
function assemblePlayer(mode: PlayMode, evaluator: Evaluator, leaf: RolloutLeaf, lambda: number, params: SearchParams, description: string): LeePlayer {
  const search = new MctsSearch(evaluator, params, { leafValue: leaf });
  return {
    mode,
    search,
    evaluator,
    leaf,
    lambda,
    params,
    description,
    dispose: async () => {
      await leaf.close();
      await evaluator.dispose();
    },
  };
}

function where(c: LeeSearchConfig): string {
  return c.rolloutThreads > 0 ? `on ${c.rolloutThreads} worker thread${c.rolloutThreads > 1 ? 's' : ''}` : 'in the search thread';
}

function resolveConfig(config: Partial<LeeSearchConfig> = {}): LeeSearchConfig {
  const c: LeeSearchConfig = { ...LEE_SEARCH_DEFAULTS };
  for (const [k, v] of Object.entries(config)) if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
  if (!(c.lambda >= 0 && c.lambda <= 1)) throw new RangeError(`λ (--lambda) must be in [0, 1], got ${c.lambda}`);
  if (!Number.isInteger(c.rolloutsPerLeaf) || c.rolloutsPerLeaf < 1) throw new RangeError(`rollouts per leaf must be an integer ≥ 1, got ${c.rolloutsPerLeaf}`);
  if (c.policy !== 'sl' && c.policy !== 'rl') throw new RangeError(`--policy must be sl or rl, got '${String(c.policy)}'`);
  if (!Number.isInteger(c.rolloutThreads) || c.rolloutThreads < 0) throw new RangeError(`rollout threads must be an integer ≥ 0, got ${c.rolloutThreads}`);
  return c;
}

function searchParams(c: LeeSearchConfig, params: Partial<SearchParams> | undefined): SearchParams {
  return resolveSearchParams({
    expandThreshold: c.expandThreshold,
    lanes: c.lanes,
    batchSize: c.batchSize,
    virtualLoss: c.virtualLoss,
    ...params,
  });
}

/**
 * The Lee search over a model set: `dir` (checked with readLeeModelSet) or files already checked.
 * `komi` is the komi the rollouts start with (KomiRolloutLeaf follows later changes).
 */
export async function leeSearch(set: string | LeeModelSetFiles, komi: number, options: LeeSearchOptions = {}): Promise<LeePlayer> {
  const config = resolveConfig(options.config);
  const files = typeof set === 'string' ? await readLeeModelSet(set, { policy: config.policy, rolloutPolicy: options.rolloutPolicy }) : set;
  // Read here so a bad file is a clear error before any thread starts.
  loadRolloutPolicy(files.rolloutPolicyPath);
  let lambda = config.lambda;
  if (files.valueDir === null && lambda < 1) {
    options.log?.(`tengen: the Lee model set ${files.dir} has no value network (value/): leaves are scored by rollouts alone (λ = 1 instead of ${lambda})`);
    lambda = 1;
  }
  // λ = 1 ignores the value net: do not spend time (or threads) running it.
  // Rollouts in this thread: the nets go to their own threads, or their forward passes would stall the rollouts.
  const evaluator = await openLeeEvaluator(files, { backend: options.backend, threads: options.threads, useValue: lambda < 1, ownThreads: config.rolloutThreads === 0 });
  const params = searchParams(config, options.params);
  const leaf = rolloutLeaf(files.rolloutPolicyPath, files.boardSize, komi, config, lambda, options.seed, params);
  const nets = evaluator.valueNet === null ? `${files.policyName.toUpperCase()} policy` : `${files.policyName.toUpperCase()} policy + value`;
  return assemblePlayer('lee', evaluator, leaf, lambda, params, `AlphaGo-Lee MCTS (${nets} nets of ${files.dir} on ${evaluator.backend}, rollouts ${where(config)}, λ = ${lambda}, n_thr = ${params.expandThreshold})`);
}

/** Rollout-only MCTS: no networks, uniform priors, every leaf scored by rollouts (λ = 1). */
export function rolloutSearch(size: number, komi: number, options: Omit<LeeSearchOptions, 'backend' | 'threads'> = {}): LeePlayer {
  const config = resolveConfig({ ...options.config, lambda: 1 });
  const policyPath = options.rolloutPolicy ?? packageRolloutPolicyPath();
  loadRolloutPolicy(policyPath);
  // SimpleEvaluator 'zero': uniform priors over every action and value 0 (ignored at λ = 1).
  const evaluator = new SimpleEvaluator(size, { value: 'zero', komi });
  // No network to overlap with: one lane.
  const params = searchParams({ ...config, lanes: 1 }, options.params);
  const leaf = rolloutLeaf(policyPath, size, komi, config, 1, options.seed, params);
  return assemblePlayer('rollout', evaluator, leaf, 1, params, `rollout-only MCTS (uniform priors, rollout policy leaves ${where(config)}, n_thr = ${params.expandThreshold}, no networks)`);
}

/**
 * The Zero network with AlphaGo Lee's leaf mixing: one policy-value net gives the priors and v, and every
 * leaf also gets a rollout, scored (1 − λ)·v + λ·rollout (`tengen gtp --mode zero --lambda X`). A young
 * Zero net's value head is its weakest part (trained on few games it is noisy from one ply to the next);
 * rollouts ground it in the position's actual outcome, as they did for AlphaGo Lee's value net.
 */
export function zeroRolloutSearch(evaluator: Evaluator, komi: number, options: Omit<LeeSearchOptions, 'backend' | 'threads'> & { netName?: string } = {}): LeePlayer {
  const config = resolveConfig(options.config);
  if (!(config.lambda > 0)) throw new RangeError('zeroRolloutSearch: λ must be > 0 (λ = 0 is the plain Zero search)');
  const size = evaluator.info.boardSize;
  const policyPath = options.rolloutPolicy ?? packageRolloutPolicyPath();
  loadRolloutPolicy(policyPath);
  const params = searchParams(config, options.params);
  const leaf = rolloutLeaf(policyPath, size, komi, config, config.lambda, options.seed, params);
  return assemblePlayer('zero', evaluator, leaf, config.lambda, params, `MCTS with network ${options.netName ?? ''} and rollouts ${where(config)} (λ = ${config.lambda}, n_thr = ${params.expandThreshold})`);
}
