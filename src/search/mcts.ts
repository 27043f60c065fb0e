/**
 * PUCT Monte Carlo tree search (AlphaGo Zero): select by Q + c·P·√ΣN/(1+N), expand a leaf with the
 * net's priors over its legal moves, back its value up with the sign flipped each ply; positions after
 * two passes are scored exactly by the rules engine.
 *
 * Throughput: one search runs `lanes` asynchronous loops on its thread. Each loop descends `batchSize`
 * times under virtual loss, encodes every new leaf straight into its batch of input planes, sends the
 * batch to the evaluator in one call, then expands and backs up. Descents replay moves on a scratch board
 * copied from the root (`copyFrom`, no allocation) and keep the last positions' stones in a ring of eight
 * buffers for the history planes, so a visit allocates nothing but the node it creates.
 *
 * Which thread owns the net is the caller's choice (see pool.ts): the evaluator given here may run the
 * net in this thread or be a RemoteEvaluator batching leaves with other searches in a net-owner thread.
 */
import { Board } from '../../engine/board.js';
import { BLACK, EMPTY, PASS, actionToMove, opponent, type Move, type StoneColor } from '../../engine/color.js';
import type { Game, MoveRecord } from '../../engine/game.js';
import { geometry } from '../../engine/geometry.js';
import { Rng } from '../../engine/rng.js';
import { score } from '../../engine/score.js';
import type { Evaluator } from '../nn/evaluator.js';
import { ZERO_HISTORY, encodeBoardFeatures, featureSize } from '../nn/features.js';
import { edgeLcb, principalVariation, valueToWinrate, type Analysis, type CandidateAnalysis } from './analysis.js';
import { NodeState, SearchNode } from './node.js';
import { defaultScoreScale, outcomeValue } from './outcome.js';
import { applyAreaPassPolicy, holdBackFirstPass } from './pass-policy.js';
import { resolveSearchParams, type SearchParams } from './params.js';

export interface SearchLimits {
  /** Stop when the root has this many visits (a reused subtree's visits count). */
  visits?: number;
  /** Stop after this many new visits in this run. */
  playouts?: number;
  /** Stop after this many milliseconds. */
  timeMs?: number;
  /**
   * Stop as soon as the most visited move cannot be overtaken in the visits left (default: params.earlyStop).
   * Worth it when the time saved is kept (a game clock) or wall time matters (a visit limit); with a fixed
   * time per move the rest of the move's time would be lost, so it is better spent searching (the subtree
   * of the move played is reused on the next move).
   */
  earlyStop?: boolean;
}

export interface RunOptions {
  /** Called every `analysisIntervalMs` while the search runs, and once at the end. */
  onAnalysis?: (analysis: Analysis) => void;
  analysisIntervalMs?: number;
  /** Aborting stops the search after the batches in flight come back; run() then resolves normally. */
  signal?: AbortSignal;
  /** Parameter overrides for this run only (e.g. no noise on a playout-capped fast search). */
  params?: Partial<SearchParams>;
}

export interface SearchStats {
  /** Visits added by this run. */
  playouts: number;
  /** Root visits already there from the reused tree when the run started. */
  reusedVisits: number;
  elapsedMs: number;
  /** Evaluator calls and the positions they carried. */
  batches: number;
  evaluated: number;
  /** Descents abandoned because they reached a leaf already waiting for the net. */
  collisions: number;
}

export interface SearchResult {
  move: Move | 'resign';
  analysis: Analysis;
  /** Root visit distribution over actions (area + 1, pass last): the self-play policy target π. */
  visitDistribution: Float32Array;
  stats: SearchStats;
}

/**
 * Extra leaf evaluation mixed with the net's value, for AlphaGo Lee's rollouts: the leaf value becomes
 * (1 − weight)·v_net + weight·v_extra. Mixing at the leaf equals Lee's separate Wv/Wr backups
 * (Q = (1−λ)Wv/N + λWr/N) because every leaf gets both evaluations.
 */
export interface LeafValueSource {
  readonly weight: number;
  /**
   * Starts evaluating the leaf position on `board` (the player to move is board.toPlay). The board is
   * reused once this returns, so copy what is needed. Resolves to a value in [-1, 1] for board.toPlay.
   */
  start(board: Board): Promise<number> | number;
}

export interface SearchPlugins {
  leafValue?: LeafValueSource;
}

/** Per-lane scratch state: a board to descend on, history buffers and one batch of planes. */
interface Lane {
  board: Board;
  /** Stones after the move at depth d live in ring[d & 7] (depth 0 = root, which uses rootHistory). */
  ring: Uint8Array[];
  previous: Uint8Array[];
  planes: Float32Array;
  leaves: SearchNode[];
  extra: (Promise<number> | number)[];
  count: number;
  /** Expanded nodes below expandThreshold visits, re-evaluated by the leaf-value plug-in only. */
  revisits: SearchNode[];
  revisitExtra: (Promise<number> | number)[];
  revisitCount: number;
}

type DescentOutcome = 0 | 1 | 2; // leaf queued | visited a terminal node | collision
const LEAF: DescentOutcome = 0;
const TERMINAL: DescentOutcome = 1;
const COLLISION: DescentOutcome = 2;
const EMPTY_OUTPUT = new Float32Array(0);

export class MctsSearch {
  private readonly baseParams: SearchParams;
  /** The parameters in force (the base ones, or a run's overrides while it runs). */
  params: SearchParams;
  private readonly rng: Rng;
  private root: SearchNode | null = null;
  /** The root position, and what it was reached by (to decide whether a later game can reuse the tree). */
  private rootBoard: Board | null = null;
  private rootHistory: Uint8Array[] = [];
  private treeGame: Game | null = null;
  private treeMoves: MoveRecord[] = [];
  private treeKomi = 0;
  /** Noise-free priors of the root while noise is mixed into root.prior. */
  private noisyRoot: SearchNode | null = null;
  private cleanRootPrior: Float32Array | null = null;
  /** Raw net policy (area + 1) of the root when the root itself was evaluated. */
  private rootPolicy: Float32Array | null = null;
  private lanes: Lane[] = [];
  private running = false;
  private legalBuffer = new Int32Array(0);
  private komi = 0;

  constructor(
    readonly evaluator: Evaluator,
    params: Partial<SearchParams> = {},
    private readonly plugins: SearchPlugins = {},
  ) {
    this.baseParams = resolveSearchParams(params);
    this.params = this.baseParams;
    this.rng = new Rng(this.params.seed ?? undefined);
  }

  /** The current root (for tests and diagnostics). */
  get rootNode(): SearchNode | null {
    return this.root;
  }

  /** Forgets the tree. */
  reset(): void {
    this.root = null;
    this.rootBoard = null;
    this.treeGame = null;
    this.treeMoves = [];
    this.noisyRoot = null;
    this.cleanRootPrior = null;
    this.rootPolicy = null;
  }

  /**
   * Moves the root to the child reached by `move` (tree reuse), or forgets the tree when that child was
   * never visited. run() also does this by itself when the game it is given continues the tree's game.
   */
  advance(move: Move): void {
    if (this.running) throw new Error('MctsSearch.advance: a search is running');
    this.advanceRoot(move);
  }

  private advanceRoot(move: Move): void {
    const root = this.root;
    const board = this.rootBoard;
    if (root === null || board === null) return;
    const color = board.toPlay;
    if (!board.tryPlay(move, color)) {
      this.reset();
      return;
    }
    this.treeMoves.push({ color, move });
    this.restoreRootPrior();
    const slot = root.state === NodeState.Expanded ? root.slotOf(move === PASS ? board.area : move) : -1;
    const child = slot >= 0 ? root.children[slot] : undefined;
    if (child === undefined || child.state !== NodeState.Expanded) {
      // Nothing to reuse: a fresh root at the new position.
      this.root = new SearchNode(null, 0);
    } else {
      child.parent = null;
      this.root = child;
    }
    this.rootPolicy = null;
    this.shiftRootHistory(board);
  }

  /**
   * Searches the game's current position. The game must not change until the promise settles.
   * Limits default to params.visits / params.timeMs; whichever is reached first stops the search.
   */
  async run(game: Game, limits: SearchLimits = {}, options: RunOptions = {}): Promise<SearchResult> {
    if (this.running) throw new Error('MctsSearch.run: this search is already running');
    const info = this.evaluator.info;
    if (info.boardSize !== game.size) {
      throw new RangeError(`MctsSearch: the net plays ${info.boardSize}x${info.boardSize}, the game is ${game.size}x${game.size}`);
    }
    checkLimit(limits.visits, 'visits');
    checkLimit(limits.playouts, 'playouts');
    if (limits.timeMs !== undefined && !(limits.timeMs >= 0)) throw new RangeError(`search limit timeMs must be ≥ 0, got ${limits.timeMs}`);
    this.params = options.params === undefined ? this.baseParams : resolveSearchParams({ ...this.baseParams, ...options.params });
    this.running = true;
    try {
      return await this.search(game, limits, options);
    } finally {
      this.running = false;
      this.params = this.baseParams;
    }
  }

  private async search(game: Game, limits: SearchLimits, options: RunOptions): Promise<SearchResult> {
    const p = this.params;
    this.komi = game.effectiveKomi;
    this.syncRoot(game);
    const root = this.root!;
    const start = performance.now();
    const noLimit = limits.visits === undefined && limits.playouts === undefined && limits.timeMs === undefined;
    const reusedVisits = root.visits;
    let targetVisits = limits.visits ?? (noLimit ? p.visits : Infinity);
    if (limits.playouts !== undefined) targetVisits = Math.min(targetVisits, reusedVisits + limits.playouts);
    const timeMs = limits.timeMs ?? (noLimit && p.timeMs > 0 ? p.timeMs : Infinity);
    const deadline = start + timeMs;
    // With a time limit alone, at least the root is evaluated so there is a move to return.
    if (!Number.isFinite(targetVisits) && !Number.isFinite(deadline)) targetVisits = p.visits;

    const stats: SearchStats = { playouts: 0, reusedVisits, elapsedMs: 0, batches: 0, evaluated: 0, collisions: 0 };
    if (p.rootNoise && root.state === NodeState.Expanded) this.applyRootNoise();
    this.prepareLanes(game);

    const earlyStop = limits.earlyStop ?? p.earlyStop;
    let lastAnalysis = start;
    const interval = options.analysisIntervalMs ?? 100;
    let stop = false;
    const shouldStop = (): boolean => {
      if (stop) return true;
      if (root.visits >= targetVisits) return true;
      // Time and aborts count only once the root has a value, so a move can always be chosen.
      if (root.visits === 0) return false;
      if (options.signal?.aborted) return true;
      if (performance.now() >= deadline) return true;
      if (earlyStop && this.decided(root, this.remainingVisits(root, targetVisits, deadline, start, reusedVisits))) return true;
      return false;
    };

    const runLane = async (lane: Lane): Promise<void> => {
      while (!shouldStop()) {
        const terminalVisits = this.gather(lane, root, targetVisits, stats);
        if (lane.count > 0 || lane.revisitCount > 0) {
          await this.evaluateLane(lane, stats);
        } else if (terminalVisits === 0) {
          // Every descent collided with leaves other lanes are waiting for: let them finish.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        if (options.onAnalysis !== undefined && root.visits > 0) {
          const now = performance.now();
          if (now - lastAnalysis >= interval) {
            lastAnalysis = now;
            options.onAnalysis(this.analysis());
          }
        }
      }
    };
    const outcomes = await Promise.allSettled(
      this.lanes.map(async (lane) => {
        try {
          await runLane(lane);
        } catch (e) {
          stop = true;
          throw e;
        }
      }),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed !== undefined) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));

    stats.playouts = root.visits - reusedVisits;
    stats.elapsedMs = performance.now() - start;
    const analysis = this.analysis();
    options.onAnalysis?.(analysis);
    const move = this.chooseMove(game, analysis);
    return { move, analysis, visitDistribution: this.visitDistribution(), stats };
  }

  // ------------------------------------------------------------------ tree maintenance

  /** Makes the root the game's current position, reusing the tree when the game continues it. */
  private syncRoot(game: Game): void {
    const reusable =
      this.params.treeReuse &&
      this.root !== null &&
      this.treeGame === game &&
      this.treeKomi === game.effectiveKomi &&
      game.moves.length >= this.treeMoves.length &&
      this.treeMoves.every((m, i) => game.moves[i]!.move === m.move && game.moves[i]!.color === m.color);
    if (reusable) {
      for (let i = this.treeMoves.length; i < game.moves.length && this.root !== null; i++) {
        const m = game.moves[i]!;
        if (this.rootBoard!.toPlay !== m.color) {
          this.root = null;
          break;
        }
        this.advanceRoot(m.move);
      }
    }
    const b = this.rootBoard;
    const same =
      reusable &&
      this.root !== null &&
      b !== null &&
      b.hash === game.board.hash &&
      b.toPlay === game.board.toPlay &&
      b.koPoint === game.board.koPoint &&
      b.passes === game.board.passes;
    if (!same) {
      this.reset();
      this.root = new SearchNode(null, 0);
    }
    this.restoreRootPrior();
    // Always take the board and history from the game (rules, superko history, captures may differ).
    const board = this.rootBoard?.size === game.size ? this.rootBoard : new Board(game.size, game.board.rules);
    board.copyFrom(game.board);
    this.rootBoard = board;
    this.rootHistory = game.stonesHistory(ZERO_HISTORY).map((s) => Uint8Array.from(s));
    this.treeGame = game;
    this.treeMoves = game.moves.map((m) => ({ color: m.color, move: m.move }));
    this.treeKomi = game.effectiveKomi;
    if (this.legalBuffer.length !== board.area + 1) this.legalBuffer = new Int32Array(board.area + 1);
  }

  private shiftRootHistory(board: Board): void {
    this.rootHistory.unshift(Uint8Array.from(board.stones));
    if (this.rootHistory.length > ZERO_HISTORY) this.rootHistory.length = ZERO_HISTORY;
  }

  private prepareLanes(game: Game): void {
    const p = this.params;
    const floats = featureSize(this.evaluator.info.featureSet, game.size);
    const area = game.size * game.size;
    const fits = this.lanes.length === p.lanes && this.lanes[0]?.board.size === game.size && this.lanes[0].planes.length === floats * p.batchSize;
    if (!fits) {
      this.lanes = [];
      for (let i = 0; i < p.lanes; i++) {
        this.lanes.push({
          board: new Board(game.size, game.board.rules),
          ring: Array.from({ length: 8 }, () => new Uint8Array(area)),
          previous: [],
          planes: new Float32Array(floats * p.batchSize),
          leaves: new Array<SearchNode>(p.batchSize),
          extra: new Array<Promise<number> | number>(p.batchSize),
          count: 0,
          revisits: new Array<SearchNode>(p.batchSize),
          revisitExtra: new Array<Promise<number> | number>(p.batchSize),
          revisitCount: 0,
        });
      }
    }
  }

  // ------------------------------------------------------------------ descents

  /** Runs descents until the lane's batch is full; returns how many terminal visits were backed up. */
  private gather(lane: Lane, root: SearchNode, targetVisits: number, stats: SearchStats): number {
    const batch = this.params.batchSize;
    lane.count = 0;
    lane.revisitCount = 0;
    let terminals = 0;
    let collisions = 0;
    for (let attempt = 0; attempt < 2 * batch && lane.count + lane.revisitCount < batch; attempt++) {
      if (root.visits + root.inFlight + (root.state === NodeState.Expanded ? 0 : lane.count) >= targetVisits) break;
      const outcome = this.descend(lane, root);
      if (outcome === TERMINAL) terminals++;
      else if (outcome === COLLISION) {
        stats.collisions++;
        // The tree is narrow here (or the root itself is waiting): evaluate what we have.
        if (++collisions > batch / 4 || root.state !== NodeState.Expanded) break;
      }
    }
    return terminals;
  }

  private descend(lane: Lane, root: SearchNode): DescentOutcome {
    const board = lane.board;
    const area = board.area;
    board.copyFrom(this.rootBoard!);
    let node = root;
    let depth = 0;
    for (;;) {
      const state = node.state;
      if (state === NodeState.Expanded) {
        if (node.visits < this.params.expandThreshold && node !== root) {
          // Below n_thr: evaluate this node again instead of growing the tree under it.
          const leafValue = this.plugins.leafValue;
          if (leafValue === undefined) {
            this.backup(node, node.value);
            return TERMINAL;
          }
          const j = lane.revisitCount++;
          lane.revisits[j] = node;
          lane.revisitExtra[j] = leafValue.start(board);
          return LEAF;
        }
        const slot = this.select(node, node === root);
        node.childInFlight[slot]!++;
        node.inFlight++;
        let child = node.children[slot];
        if (child === undefined) {
          child = new SearchNode(node, slot);
          node.children[slot] = child;
        }
        const action = node.actions[slot]!;
        board.playLegal(action === area ? PASS : action, board.toPlay);
        depth++;
        lane.ring[depth & 7]!.set(board.stones);
        node = child;
        continue;
      }
      if (state === NodeState.Terminal) {
        this.backup(node, node.value);
        return TERMINAL;
      }
      if (state === NodeState.Pending) {
        this.undoVirtualLoss(node);
        return COLLISION;
      }
      // Fresh: a game that ended below the root is scored exactly; anything else goes to the net.
      if (depth > 0 && board.passes >= 2) {
        node.state = NodeState.Terminal;
        node.value = this.terminalValue(board);
        this.backup(node, node.value);
        return TERMINAL;
      }
      node.setActions(this.legalBuffer, this.legalActions(board));
      const i = lane.count++;
      lane.leaves[i] = node;
      this.encodeLeaf(lane, i, depth);
      const leafValue = this.plugins.leafValue;
      if (leafValue !== undefined) lane.extra[i] = leafValue.start(board);
      return LEAF;
    }
  }

  /** PUCT child choice at an expanded node, with virtual loss and first-play urgency. */
  private select(node: SearchNode, isRoot: boolean): number {
    const p = this.params;
    const n = node.actions.length;
    const visits = node.childVisits;
    const inFlight = node.childInFlight;
    const prior = node.prior;
    const sums = node.childValueSum;
    let visitedPrior = 0;
    for (let s = 0; s < n; s++) if (visits[s]! > 0 || inFlight[s]! > 0) visitedPrior += prior[s]!;
    const parentQ = node.visits > 0 ? node.valueSum / node.visits : node.value;
    const fpu = parentQ - (isRoot ? p.rootFpuReduction : p.fpuReduction) * Math.sqrt(visitedPrior);
    const explore = p.cPuct * Math.sqrt(Math.max(1, node.visits + node.inFlight));
    const vl = p.virtualLoss;
    let best = 0;
    let bestScore = -Infinity;
    for (let s = 0; s < n; s++) {
      const nv = visits[s]!;
      const lost = inFlight[s]! * vl;
      // A virtual loss counts as `vl` visits that lost; an unvisited edge's FPU counts as one visit.
      const q = nv > 0 ? (sums[s]! - lost) / (nv + lost) : (fpu - lost) / (1 + lost);
      const score = q + (explore * prior[s]!) / (1 + nv + lost);
      if (score > bestScore) {
        bestScore = score;
        best = s;
      }
    }
    return best;
  }

  /**
   * Legal actions at the board's position into legalBuffer (pass last, always legal); returns the count.
   * With avoidOwnEyes the mover's own true eyes are left out, so the engine passes instead of filling them.
   */
  private legalActions(board: Board): number {
    const out = this.legalBuffer;
    const color = board.toPlay;
    const avoidEyes = this.params.avoidOwnEyes;
    let n = 0;
    for (let p = 0; p < board.area; p++) {
      if (board.stones[p] !== EMPTY) continue;
      if (avoidEyes && isTrueEye(board, p, color)) continue;
      if (board.isLegal(p, color)) out[n++] = p;
    }
    out[n++] = board.area;
    return n;
  }

  private encodeLeaf(lane: Lane, index: number, depth: number): void {
    // Positions before the leaf, newest first: path positions from the ring, then the root's history.
    const previous = lane.previous;
    previous.length = 0;
    for (let t = 0; t < ZERO_HISTORY - 1; t++) {
      const d = depth - 1 - t;
      if (d >= 1) previous.push(lane.ring[d & 7]!);
      else if (-d < this.rootHistory.length) previous.push(this.rootHistory[-d]!);
      else break;
    }
    const floats = lane.planes.length / this.params.batchSize;
    encodeBoardFeatures(this.evaluator.info.featureSet, lane.planes, index * floats, lane.board, previous);
  }

  /** Area score of a finished position (komi included) as a value for the player to move there (outcome.ts). */
  private terminalValue(board: Board): number {
    const margin = score(board, { komi: this.komi, scoring: 'area' }).margin;
    const p = this.params;
    return outcomeValue(margin, board.toPlay, { weight: p.scoreUtility, scale: p.scoreUtilityScale > 0 ? p.scoreUtilityScale : defaultScoreScale(board.size) });
  }

  private async evaluateLane(lane: Lane, stats: SearchStats): Promise<void> {
    const count = lane.count;
    const revisits = lane.revisitCount;
    let policy: Float32Array = EMPTY_OUTPUT;
    let value: Float32Array = EMPTY_OUTPUT;
    let extra: number[] | null = null;
    let revisitValues: number[] = [];
    const area = lane.board.area;
    try {
      if (count > 0) {
        ({ policy, value } = await this.evaluator.evaluate(lane.planes, count));
        if (this.plugins.leafValue !== undefined) extra = await Promise.all(lane.extra.slice(0, count));
        if (policy.length < count * (area + 1) || value.length < count) {
          throw new Error(`evaluator returned ${policy.length} policy / ${value.length} value entries for ${count} positions of ${area + 1} actions`);
        }
        for (let i = 0; i < count; i++) {
          if (!Number.isFinite(value[i]!)) throw new Error(`evaluator returned a non-finite value (${value[i]})`);
        }
      }
      if (revisits > 0) revisitValues = await Promise.all(lane.revisitExtra.slice(0, revisits));
    } catch (e) {
      // Leave the tree as if these descents never happened.
      for (let i = 0; i < count; i++) {
        const leaf = lane.leaves[i]!;
        this.undoVirtualLoss(leaf);
        leaf.state = NodeState.Fresh;
      }
      for (let j = 0; j < revisits; j++) this.undoVirtualLoss(lane.revisits[j]!);
      lane.count = 0;
      lane.revisitCount = 0;
      throw e;
    }
    const w = this.plugins.leafValue?.weight ?? 0;
    if (count > 0) {
      stats.batches++;
      stats.evaluated += count;
    }
    for (let i = 0; i < count; i++) {
      const leaf = lane.leaves[i]!;
      let v = Math.max(-1, Math.min(1, value[i]!));
      this.expand(leaf, policy, i * (area + 1), area);
      leaf.value = v;
      if (extra !== null) v = (1 - w) * v + w * Math.max(-1, Math.min(1, extra[i]!));
      this.backup(leaf, v);
    }
    for (let j = 0; j < revisits; j++) {
      const node = lane.revisits[j]!;
      this.backup(node, (1 - w) * node.value + w * Math.max(-1, Math.min(1, revisitValues[j]!)));
    }
    lane.count = 0;
    lane.revisitCount = 0;
  }

  /** Priors = the net's policy over the legal actions, renormalised (uniform when the net gives them nothing). */
  private expand(node: SearchNode, policy: Float32Array, offset: number, area: number): void {
    const actions = node.actions;
    const prior = node.prior;
    const temperature = this.params.policyTemperature;
    let sum = 0;
    for (let s = 0; s < actions.length; s++) {
      let x = policy[offset + actions[s]!]!;
      if (!(x > 0)) x = 0;
      else if (temperature !== 1) x = Math.pow(x, 1 / temperature);
      prior[s] = x;
      sum += x;
    }
    if (sum > 0 && Number.isFinite(sum)) for (let s = 0; s < actions.length; s++) prior[s]! /= sum;
    else prior.fill(1 / actions.length);
    node.state = NodeState.Expanded;
    if (node === this.root) {
      this.rootPolicy = Float32Array.from(policy.subarray(offset, offset + area + 1));
      if (this.params.rootNoise) this.applyRootNoise();
    }
  }

  private backup(leaf: SearchNode, leafValue: number): void {
    let node = leaf;
    let v = leafValue;
    for (;;) {
      node.visits++;
      node.valueSum += v;
      const parent = node.parent;
      if (parent === null) return;
      const s = node.slot;
      // The parent's player sees the negation.
      parent.childVisits[s]!++;
      parent.childValueSum[s]! -= v;
      parent.childValueSquares[s]! += v * v;
      parent.childInFlight[s]!--;
      parent.inFlight--;
      v = -v;
      node = parent;
    }
  }

  private undoVirtualLoss(leaf: SearchNode): void {
    for (let node = leaf; node.parent !== null; node = node.parent) {
      node.parent.childInFlight[node.slot]!--;
      node.parent.inFlight--;
    }
  }

  // ------------------------------------------------------------------ root noise

  private applyRootNoise(): void {
    const root = this.root!;
    if (this.noisyRoot === root) return;
    const n = root.actions.length;
    this.cleanRootPrior = root.prior.slice();
    this.noisyRoot = root;
    const alpha = this.params.dirichletTotalAlpha / n;
    const eps = this.params.dirichletWeight;
    let total = 0;
    const noise = new Float64Array(n);
    for (let s = 0; s < n; s++) total += noise[s] = this.rng.gamma(alpha);
    if (!(total > 0)) return;
    for (let s = 0; s < n; s++) root.prior[s] = (1 - eps) * root.prior[s]! + (eps * noise[s]!) / total;
  }

  /** Puts the root's noise-free priors back (before reuse or a new run mixes fresh noise). */
  private restoreRootPrior(): void {
    if (this.noisyRoot !== null && this.cleanRootPrior !== null) this.noisyRoot.prior.set(this.cleanRootPrior);
    this.noisyRoot = null;
    this.cleanRootPrior = null;
  }

  // ------------------------------------------------------------------ results

  /** Visits still to come: by the visit limit, and by the time left at the rate so far. */
  private remainingVisits(root: SearchNode, targetVisits: number, deadline: number, start: number, reusedVisits: number): number {
    let remaining = targetVisits - root.visits;
    if (Number.isFinite(deadline)) {
      const now = performance.now();
      const elapsed = now - start;
      // Too early for a rate estimate: nothing is decided yet.
      if (elapsed < 20 || root.visits - reusedVisits < 16) return Infinity;
      remaining = Math.min(remaining, ((root.visits - reusedVisits) / elapsed) * (deadline - now));
    }
    return remaining;
  }

  /** True when the most visited root move cannot be overtaken within `remaining` more visits. */
  private decided(root: SearchNode, remaining: number): boolean {
    if (root.state !== NodeState.Expanded || root.actions.length < 2) return root.state === NodeState.Expanded;
    let first = 0;
    let second = 0;
    for (let s = 0; s < root.actions.length; s++) {
      const v = root.childVisits[s]! + root.childInFlight[s]!;
      if (v > first) {
        second = first;
        first = v;
      } else if (v > second) second = v;
    }
    return first - second > remaining;
  }

  /** The analysis of the current root. */
  analysis(): Analysis {
    const root = this.root;
    const board = this.rootBoard;
    if (root === null || board === null) throw new Error('MctsSearch.analysis: no search has run');
    const area = board.area;
    const prior = this.noisyRoot === root && this.cleanRootPrior !== null ? this.cleanRootPrior : root.prior;
    const candidates: CandidateAnalysis[] = [];
    if (root.state === NodeState.Expanded) {
      const order: number[] = [];
      for (let s = 0; s < root.actions.length; s++) if (root.childVisits[s]! > 0) order.push(s);
      order.sort((a, b) => root.childVisits[b]! - root.childVisits[a]! || prior[b]! - prior[a]!);
      for (const s of order) {
        const move = actionToMove(root.actions[s]!, area);
        candidates.push({
          move,
          visits: root.childVisits[s]!,
          winrate: valueToWinrate(root.childValueSum[s]! / root.childVisits[s]!),
          prior: prior[s]!,
          lcb: edgeLcb(root, s, this.params.lcbZ),
          pv: principalVariation(root.children[s], area, this.params.pvLength, [move]),
        });
      }
    }
    let policy = this.rootPolicy;
    if (policy === null && root.state === NodeState.Expanded) {
      policy = new Float32Array(area + 1);
      for (let s = 0; s < root.actions.length; s++) policy[root.actions[s]!] = prior[s]!;
    }
    return {
      color: board.toPlay,
      visits: root.visits,
      winrate: valueToWinrate(root.q),
      candidates,
      ...(policy !== null ? { policy } : {}),
    };
  }

  /** Root visits per action (area + 1), normalised; all zero before any child visit. */
  visitDistribution(): Float32Array {
    const root = this.root;
    const area = this.rootBoard?.area ?? 0;
    const out = new Float32Array(area + 1);
    if (root === null || root.state !== NodeState.Expanded) return out;
    let total = 0;
    for (let s = 0; s < root.actions.length; s++) total += root.childVisits[s]!;
    if (total === 0) return out;
    for (let s = 0; s < root.actions.length; s++) out[root.actions[s]!] = root.childVisits[s]! / total;
    return out;
  }

  private chooseMove(game: Game, analysis: Analysis): Move | 'resign' {
    const p = this.params;
    const root = this.root!;
    const board = this.rootBoard!;
    const area = board.area;
    if (root.state !== NodeState.Expanded) return PASS;
    const candidates = analysis.candidates;
    let move: Move;
    if (candidates.length === 0) {
      // No child visit (a one-visit search): the highest prior.
      let best = 0;
      for (let s = 1; s < root.actions.length; s++) if (root.prior[s]! > root.prior[best]!) best = s;
      move = actionToMove(root.actions[best]!, area);
    } else if (p.temperature > 0 && game.moves.length < p.temperatureMoves) {
      move = this.sampleMove(candidates, p.temperature);
    } else if (p.moveSelection === 'lcb') {
      const minVisits = candidates[0]!.visits * p.lcbMinVisitFraction;
      let best = candidates[0]!;
      for (const c of candidates) if (c.visits >= minVisits && c.lcb > best.lcb) best = c;
      move = best.move;
    } else {
      move = candidates[0]!.move;
    }

    if (p.areaPassPolicy && game.rules.scoring === 'area') {
      move = applyAreaPassPolicy(move, candidates, board, this.komi, () => this.bestNonPassByPrior());
      move = holdBackFirstPass(move, candidates, board, p.firstPassMinPrior, () => this.bestNonPassByPrior());
    }

    if (p.resignThreshold > 0 && game.moves.length >= p.resignMinMove && analysis.visits > 1) {
      const bestWinrate = candidates.length > 0 ? Math.max(...candidates.map((c) => c.winrate)) : analysis.winrate;
      if (analysis.winrate < p.resignThreshold && bestWinrate < p.resignThreshold) return 'resign';
    }
    return move;
  }

  /** The most likely legal non-pass root move by prior (own eyes are not among the root's actions), or PASS. */
  private bestNonPassByPrior(): Move {
    const root = this.root!;
    const area = this.rootBoard!.area;
    let best = -1;
    for (let s = 0; s < root.actions.length; s++) {
      if (root.actions[s] === area) continue;
      if (best < 0 || root.prior[s]! > root.prior[best]!) best = s;
    }
    return best < 0 ? PASS : root.actions[best]!;
  }

  /** Samples a candidate with probability ∝ visits^(1/τ). */
  private sampleMove(candidates: CandidateAnalysis[], temperature: number): Move {
    const maxVisits = candidates[0]!.visits;
    const weights = candidates.map((c) => Math.pow(c.visits / maxVisits, 1 / temperature));
    let r = this.rng.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < candidates.length; i++) {
      r -= weights[i]!;
      if (r < 0) return candidates[i]!.move;
    }
    return candidates[candidates.length - 1]!.move;
  }
}

/**
 * A true single-point eye of `color`: all orthogonal neighbours are `color`, and the diagonals do not
 * make it false (at most one enemy diagonal in the centre, none on the edge or in the corner).
 */
export function isTrueEye(board: Board, p: number, color: StoneColor): boolean {
  if (!board.isEyeLike(p, color)) return false;
  const { diagonals, diagonalStart } = geometry(board.size);
  const enemy = opponent(color);
  const start = diagonalStart[p]!;
  const end = diagonalStart[p + 1]!;
  let enemyDiagonals = 0;
  for (let k = start; k < end; k++) if (board.stones[diagonals[k]!] === enemy) enemyDiagonals++;
  return end - start < 4 ? enemyDiagonals === 0 : enemyDiagonals < 2;
}

function checkLimit(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new RangeError(`search limit ${name} must be an integer ≥ 1, got ${value}`);
  }
}
