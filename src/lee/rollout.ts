/**
 * Fast rollouts with the linear softmax policy, AlphaGo-style: every empty point keeps, for each colour,
 * the weight exp(w·φ_static) of its position-only features, and a move refreshes only the points whose
 * features it can have changed (the 3x3 neighbourhoods of the new stone, of captured stones, and of the
 * chains whose liberty bucket or tactical status changed). Features tied to the previous move (distance,
 * response pattern, nakade) touch at most 25 points: each draw lists those points with their weights for
 * this draw, and draws either from that list or from the static weights (per-row sums, then one row),
 * redrawing when the static draw lands on a listed point: O(size) per step, no allocation.
 *
 * Correctness never depends on the weights: only candidates (legal, not suicide, not filling the mover's
 * own single-point eye, not the simple-ko point) get a non-zero weight, so rollouts play legal moves. They
 * end by two passes once no candidate is left: a capture that would recreate a position that one of the
 * rollout's ko captures reached is refused (positional superko over those positions, Board.recreatesPosition),
 * which ends the double, triple and many-ko fights that simple ko lets cycle forever. (A bounded window of
 * the last 32 such positions, as random playouts use, still left 11% of 19x19 rollouts at the move cap: with
 * four or more kos on the board the fight wanders through more positions than the window holds.) The move
 * cap is only a guard.
 *
 * Speed: the hot loops read the board's chain tables (Board.chains) and this object's typed arrays through
 * locals, write weights and row sums inline, and pass no floating-point values to calls that V8 may not
 * inline (each would box a number). Pattern weights are looked up once per refreshed point and colour; the
 * response patterns around the previous move in one lookup of their shared part (RolloutPolicy.responseRows).
 */
import { PASS, type Move, type StoneColor } from '../../engine/color.js';
import type { Board, ChainTables } from '../../engine/board.js';
import { geometry } from '../../engine/geometry.js';
import { PositionSet } from '../../engine/position-set.js';
import { nextGeneration } from '../../engine/stamps.js';
import type { Rng } from '../../engine/rng.js';
import { NEAR_COUNT, RESPONSE_LIBS_SHIFT, RESPONSE_SLOT_COUNT } from './patterns.js';
import {
  FEATURE,
  RolloutFeatures,
  STATIC_FEATURE_COUNT,
  nakadeVitalPoint,
  openPointMasks,
  pointState,
  swapColours,
} from './rollout-features.js';
import type { RolloutPolicy } from './rollout-policy.js';

/** Scores are clamped before exp so a badly trained weight cannot overflow the sums. */
const MAX_SCORE = 30;
/** Row sums are kept by deltas; recomputing them every this many moves bounds rounding drift. */
const RESUM_INTERVAL = 64;
/** How a playout ended: by two passes, or at the move cap (a guard; see the module comment). */
export type RolloutEnd = 'passes' | 'cap';

/**
 * The response patterns' literal state (patterns.ts DSTATE_*: 0 empty, 1 off the board, 2 the mover's stone,
 * 3 the opponent's) of each point state (pointState), for a Black mover (entries 0-7) and a White one (8-15).
 */
const DIAMOND_STATE = new Uint8Array([0, 1, 2, 2, 2, 3, 3, 3, 0, 1, 3, 3, 3, 2, 2, 2]);

const NO_CHAINS: ChainTables = { head: new Int32Array(0), liberties: new Int32Array(0), size: new Int32Array(0), next: new Int32Array(0) };

export class Rollout {
  readonly size: number;
  readonly area: number;
  readonly features: RolloutFeatures;
  private board: Board | null = null;
  /** The bound board's stones and chain tables (views that the board updates in place). */
  private stones: Uint8Array = new Uint8Array(0);
  private chains: ChainTables = NO_CHAINS;
  private readonly neighbors: Int32Array;
  private readonly neighborStart: Int32Array;
  private readonly ring8: Int32Array;
  /** ring8 with off-board neighbours given as `area`, where `states` holds the off-board state. */
  private readonly ringOrBorder: Int32Array;
  /**
   * The 3x3 state of every point with Black as the mover (pointState: 0 empty, 2-4 black, 5-7 white by
   * liberties), and 1 at index `area` (off the board). Kept up to date by play() for the stones whose state
   * can change (the new stone, captured stones, the chains it walks), so a refresh reads a point's code from
   * eight entries instead of asking the board about each neighbour's chain.
   */
  private readonly states: Uint8Array;
  /**
   * The points near each point where the previous move's features apply, diamond first: `nearOrdered[p * 24 +
   * k]` is the diamond's slot k for k < 12 (its response pattern slot), then the 12 points at distance 3.
   */
  private readonly nearOrdered: Int32Array;
  /** The 12 diamond points of each point (patterns.ts order), off-board ones as `area` (see states). */
  private readonly diamondOrBorder: Int32Array;
  private readonly rowOf: Int32Array;
  /** weights[(color - 1) * area + p]. */
  private readonly weights: Float64Array;
  /** rowSums[(color - 1) * size + row]. */
  private readonly rowSums: Float64Array;
  /** Points whose weights are stale (both colours are refreshed together: one pass over the neighbours). */
  private readonly dirty: Uint8Array;
  private readonly dirtyList: Int32Array;
  private dirtyCount = 0;
  private readonly captured: Int32Array;
  private readonly walkedHeads = new Int32Array(64);
  private walkedCount = 0;
  /**
   * This draw's local weights (response / distance / nakade factors, the ko point, refused superko
   * captures): the points whose weight differs from the static one, their draw weights, and the sums of
   * both. `weights` and `rowSums` are never touched for them: sample() draws from the local list or from
   * the static weights with the local points rejected, which is the same distribution without writing
   * (and undoing) two dozen weights and row sums per draw.
   */
  private readonly localPoints: Int32Array;
  private readonly localWeights: Float64Array;
  private localCount = 0;
  private localSum = 0;
  private localStaticSum = 0;
  /** localStamp[p] === localGeneration while p is in this draw's local list. */
  private readonly localStamp: Uint32Array;
  private localGeneration = 0;
  private movesSinceResum = 0;
  /** Vital point of the space the previous move's capture left, or -1. */
  nakadeVital = -1;
  /** How the last playout ended. */
  lastEnd: RolloutEnd = 'cap';
  /** The rollout's start position and every position its ko captures reached (superko; see above). */
  private readonly koPositions: PositionSet;
  /** exp of each weight, so a point's weight is a product of table entries (no exp per update). */
  private expScalar: Float64Array = new Float64Array(0);
  private expPattern3: Float64Array = new Float64Array(0);
  private expResponse: Float64Array = new Float64Array(0);
  /** exp(weight sum) of every static mask (the static features are the low STATIC_FEATURE_COUNT bits). */
  private readonly expStatic = new Float64Array(1 << STATIC_FEATURE_COUNT);
  /** exp(weight of the distance class) of each entry of nearOrdered. */
  private readonly expNear = new Float64Array(NEAR_COUNT);
  /**
   * expNear times exp(response pattern weight) for the 12 diamond slots of every response row of the policy
   * (RolloutPolicy.responseRows): the factor a draw applies to a diamond point is one read.
   */
  private responseFactors: Float64Array = new Float64Array(0);

  constructor(
    readonly policy: RolloutPolicy,
    size: number,
  ) {
    this.size = size;
    this.area = size * size;
    this.features = new RolloutFeatures(size);
    const geo = geometry(size);
    this.neighbors = geo.neighbors;
    this.neighborStart = geo.neighborStart;
    this.ring8 = this.features.geometry.ring8;
    this.ringOrBorder = this.ring8.map((q) => (q < 0 ? this.area : q));
    this.states = new Uint8Array(this.area + 1);
    this.states[this.area] = 1;
    const { near, nearSlot, diamond } = this.features.geometry;
    this.nearOrdered = new Int32Array(this.area * NEAR_COUNT);
    for (let p = 0; p < this.area; p++) {
      for (let k = 0; k < RESPONSE_SLOT_COUNT; k++) this.nearOrdered[p * NEAR_COUNT + k] = diamond[p * RESPONSE_SLOT_COUNT + k]!;
      let k = RESPONSE_SLOT_COUNT;
      for (let i = 0; i < NEAR_COUNT; i++) if (nearSlot[i]! < 0) this.nearOrdered[p * NEAR_COUNT + k++] = near[p * NEAR_COUNT + i]!;
    }
    this.diamondOrBorder = diamond.map((q) => (q < 0 ? this.area : q));
    this.rowOf = new Int32Array(this.area);
    for (let p = 0; p < this.area; p++) this.rowOf[p] = Math.floor(p / size);
    this.weights = new Float64Array(2 * this.area);
    this.rowSums = new Float64Array(2 * size);
    this.dirty = new Uint8Array(this.area);
    this.dirtyList = new Int32Array(this.area);
    this.captured = new Int32Array(this.area);
    this.koPositions = new PositionSet(this.area);
    // Response and ko changes touch at most NEAR_COUNT + 2 points; refused superko captures add one each.
    this.localPoints = new Int32Array(NEAR_COUNT + 2 + this.area);
    this.localWeights = new Float64Array(NEAR_COUNT + 2 + this.area);
    this.localStamp = new Uint32Array(this.area);
    this.refreshWeights();
  }

  /** Re-reads the policy's weights (the rollout keeps their exponentials; call after changing them). */
  refreshWeights(): void {
    const policy = this.policy;
    const expOf = (w: ArrayLike<number>, n: number): Float64Array => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.exp(Math.max(-MAX_SCORE, Math.min(MAX_SCORE, w[i]!)));
      return out;
    };
    this.expScalar = expOf(policy.scalarWeights, policy.scalarWeights.length);
    this.expPattern3 = expOf(policy.pattern3Weights, policy.pattern3Count);
    this.expResponse = expOf(policy.responseWeights, policy.responseCount);
    const product = (mask: number): number => {
      let f = 1;
      for (let bit = 0; mask !== 0; mask >>>= 1, bit++) if (mask & 1) f *= this.expScalar[bit]!;
      return f;
    };
    for (let mask = 0; mask < this.expStatic.length; mask++) this.expStatic[mask] = product(mask);
    // nearOrdered's entry k is near entry i with nearSlot[i] = k (k < 12), then the distance-3 entries in order.
    const { nearSlot } = this.features.geometry;
    let k = RESPONSE_SLOT_COUNT;
    for (let i = 0; i < NEAR_COUNT; i++) {
      const f = product(this.features.nearClassMask(i));
      if (nearSlot[i]! >= 0) this.expNear[nearSlot[i]!] = f;
      else this.expNear[k++] = f;
    }
    const rows = policy.responseRowCount;
    const ids = policy.responseRows;
    this.responseFactors = new Float64Array(rows * RESPONSE_SLOT_COUNT);
    for (let r = 0; r < rows; r++) {
      for (let slot = 0; slot < RESPONSE_SLOT_COUNT; slot++) {
        const id = ids[r * RESPONSE_SLOT_COUNT + slot]!;
        this.responseFactors[r * RESPONSE_SLOT_COUNT + slot] = this.expNear[slot]! * (id >= 0 ? this.expResponse[id]! : 1);
      }
    }
  }

  /**
   * Binds the rollout to `board` (which it will play on) and computes every weight. `nakadeVital` is the
   * vital point left by the last move's capture, when the caller knows it (-1: none).
   */
  start(board: Board, nakadeVital = -1): void {
    if (board.size !== this.size) throw new RangeError(`rollout for ${this.size}x${this.size} given a ${board.size}x${board.size} board`);
    this.board = board;
    this.stones = board.stones;
    this.chains = board.chains;
    this.nakadeVital = nakadeVital;
    this.koPositions.clear();
    this.koPositions.add(board.positionKey());
    const { head, liberties } = board.chains;
    for (let p = 0; p < this.area; p++) this.states[p] = pointState(p, board.stones, head, liberties);
    const dirty = this.dirty;
    const list = this.dirtyList;
    for (let p = 0; p < this.area; p++) {
      dirty[p] = 1;
      list[p] = p;
    }
    this.dirtyCount = this.area;
    this.flush();
    this.resum();
  }

  /**
   * Plays the bound board to the end and returns the number of moves played: until two passes, or
   * `maxMoves` (a guard: superko ends ko fights). `lastEnd` says which.
   */
  playout(rng: Rng, maxMoves: number = this.area * 3): number {
    const board = this.bound();
    let moves = 0;
    while (moves < maxMoves && board.passes < 2) {
      this.play(this.selectMove(rng));
      moves++;
    }
    this.lastEnd = board.passes >= 2 ? 'passes' : 'cap';
    return moves;
  }

  /** Draws a move for the player to move from the policy (PASS when there is no candidate). */
  selectMove(rng: Rng): Move {
    const board = this.bound();
    const color = board.toPlay;
    this.flush();
    this.applyTemporary(board, color);
    let move = this.sample(color, rng);
    // A capture that recreates a ko position is refused: drawn again without it, which is drawing from the
    // policy restricted to the other candidates.
    while (move !== PASS && this.capturesAt(move, color) && board.recreatesPosition(move, color, this.koPositions)) {
      this.setLocal(move, color, 0);
      move = this.sample(color, rng);
    }
    return move;
  }

  /**
   * The probability selectMove gives each point for the player to move, into `out` (length area; PASS has
   * the rest, 1 when no point has any). For tests and analysis: computed the way selectMove draws.
   */
  moveProbabilities(out: Float64Array): void {
    const board = this.bound();
    const color = board.toPlay;
    this.flush();
    this.applyTemporary(board, color);
    for (let p = 0; p < this.area; p++) {
      if (this.drawWeight(p, color) > 0 && this.capturesAt(p, color) && board.recreatesPosition(p, color, this.koPositions)) {
        this.setLocal(p, color, 0);
      }
    }
    let total = 0;
    for (let p = 0; p < this.area; p++) total += this.drawWeight(p, color);
    for (let p = 0; p < this.area; p++) out[p] = total > 1e-12 ? this.drawWeight(p, color) / total : 0;
  }

  /**
   * Plays `move` for the player to move on the bound board and refreshes what it changed. The move must be
   * a candidate or PASS (selectMove's moves are); a move from elsewhere must be legal under simple ko.
   */
  play(move: Move): void {
    const board = this.bound();
    const color = board.toPlay;
    if (move === PASS) {
      board.playLegal(PASS, color);
      this.nakadeVital = -1;
      return;
    }
    const stones = this.stones;
    const { head, liberties, next } = this.chains;
    const enemy = 3 - color;
    const neighbors = this.neighbors;
    const from = this.neighborStart[move]!;
    const to = this.neighborStart[move + 1]!;
    const captured = this.captured;
    // Before the move: which enemy chains it captures (their stones are gone afterwards), and whether an
    // own chain it joins had few liberties. Features only tell 1, 2 and >= 3 liberties apart (pattern
    // buckets; atari, capture, self-atari), so a chain needs its neighbourhood refreshed only when it has
    // at most 2 liberties before or after the move.
    let capturedCount = 0;
    let capturedHeads = 0;
    let head0 = -1;
    let head1 = -1;
    let head2 = -1;
    let ownLow = false;
    for (let k = from; k < to; k++) {
      const q = neighbors[k]!;
      const s = stones[q]!;
      if (s === enemy) {
        const h = head[q]!;
        if (liberties[h] !== 1 || h === head0 || h === head1 || h === head2) continue;
        if (capturedHeads === 0) head0 = h;
        else if (capturedHeads === 1) head1 = h;
        else if (capturedHeads === 2) head2 = h;
        capturedHeads++;
        let c = h;
        do {
          captured[capturedCount++] = c;
          c = next[c]!;
        } while (c !== h);
      } else if (s === color && liberties[head[q]!]! <= 2) {
        ownLow = true;
      }
    }
    board.playLegal(move, color);

    // The new stone: no longer a candidate for either colour.
    const weights = this.weights;
    const rowSums = this.rowSums;
    const area = this.area;
    const size = this.size;
    const row = this.rowOf[move]!;
    rowSums[row]! -= weights[move]!;
    rowSums[size + row]! -= weights[area + move]!;
    weights[move] = 0;
    weights[area + move] = 0;
    this.walkedCount = 0;
    this.markAround(move);
    const states = this.states;
    const moveLiberties = liberties[head[move]!]!;
    // The new stone's state; the stones of every chain whose liberty bucket may have changed are walked.
    states[move] = (color === 1 ? 2 : 5) + (moveLiberties >= 3 ? 2 : moveLiberties - 1);
    if (ownLow || moveLiberties <= 2) this.walkChain(move);
    for (let k = from; k < to; k++) {
      const q = neighbors[k]!;
      if (stones[q] === enemy && liberties[head[q]!]! <= 2) this.walkChain(q);
    }
    for (let i = 0; i < capturedCount; i++) states[captured[i]!] = 0;
    for (let i = 0; i < capturedCount; i++) {
      const s = captured[i]!;
      this.markDirty(s);
      this.markAround(s);
      for (let k = this.neighborStart[s]!; k < this.neighborStart[s + 1]!; k++) {
        const q = neighbors[k]!;
        if (stones[q] === color) this.walkChain(q);
      }
    }
    this.nakadeVital = capturedCount >= 3 ? nakadeVitalPoint(captured, capturedCount, size) : -1;
    if (++this.movesSinceResum >= RESUM_INTERVAL) this.resum();
    // Positions reached by ko captures are what a multi-ko cycle repeats (every move of one is a ko capture).
    if (board.koPoint >= 0) this.koPositions.add(board.positionKey());
  }

  /** The current weight of p for `color` (0 for non-candidates), after refreshing stale points. For tests. */
  weightOf(p: number, color: StoneColor): number {
    this.flush();
    return this.weights[(color - 1) * this.area + p]!;
  }

  /** exp(static score) of p for `color`, or 0 when p is not a candidate. Computed from scratch. */
  staticWeight(p: number, color: StoneColor): number {
    const board = this.bound();
    if (board.stones[p] !== 0) return 0;
    const mask = this.features.staticMask(board, p, color);
    if (mask < 0) return 0;
    const id = this.policy.pattern3Index.get(this.features.pattern3);
    return (id >= 0 ? this.expPattern3[id]! : 1) * this.expStatic[mask]!;
  }

  // ------------------------------------------------------------------ internals

  private bound(): Board {
    if (this.board === null) throw new Error('Rollout.start(board) must be called first');
    return this.board;
  }

  /**
   * RolloutFeatures.responseBase from the kept point states: the diamond's literal states and the previous
   * move's liberty bucket (its state, as the previous move is a stone), without asking the board.
   */
  private responseBase(prev: number, color: StoneColor): number {
    const states = this.states;
    const d = this.diamondOrBorder;
    const b = prev * 12;
    const t = color === 1 ? 0 : 8;
    const code =
      DIAMOND_STATE[t + states[d[b]!]!]! |
      (DIAMOND_STATE[t + states[d[b + 1]!]!]! << 2) |
      (DIAMOND_STATE[t + states[d[b + 2]!]!]! << 4) |
      (DIAMOND_STATE[t + states[d[b + 3]!]!]! << 6) |
      (DIAMOND_STATE[t + states[d[b + 4]!]!]! << 8) |
      (DIAMOND_STATE[t + states[d[b + 5]!]!]! << 10) |
      (DIAMOND_STATE[t + states[d[b + 6]!]!]! << 12) |
      (DIAMOND_STATE[t + states[d[b + 7]!]!]! << 14) |
      (DIAMOND_STATE[t + states[d[b + 8]!]!]! << 16) |
      (DIAMOND_STATE[t + states[d[b + 9]!]!]! << 18) |
      (DIAMOND_STATE[t + states[d[b + 10]!]!]! << 20) |
      (DIAMOND_STATE[t + states[d[b + 11]!]!]! << 22);
    const prevState = states[prev]!;
    // States 2-4 and 5-7 are 1, 2, >= 3 liberties.
    const libs = prevState === 0 ? 0 : ((prevState - 2) % 3) + 1;
    return (code | (libs << RESPONSE_LIBS_SHIFT)) >>> 0;
  }

  /** p's weight for `color` in this draw: its local weight when it has one, else its static weight. */
  private drawWeight(p: number, color: StoneColor): number {
    if (this.localStamp[p] === this.localGeneration) {
      for (let i = 0; i < this.localCount; i++) if (this.localPoints[i] === p) return this.localWeights[i]!;
    }
    return this.weights[(color - 1) * this.area + p]!;
  }

  /** Gives p the weight w for this draw only (a point already in the local list keeps its place). */
  private setLocal(p: number, color: StoneColor, w: number): void {
    const points = this.localPoints;
    if (this.localStamp[p] === this.localGeneration) {
      for (let i = 0; i < this.localCount; i++) {
        if (points[i] === p) {
          this.localSum += w - this.localWeights[i]!;
          this.localWeights[i] = w;
          return;
        }
      }
    }
    this.localStamp[p] = this.localGeneration;
    points[this.localCount] = p;
    this.localWeights[this.localCount++] = w;
    this.localSum += w;
    this.localStaticSum += this.weights[(color - 1) * this.area + p]!;
  }

  private resum(): void {
    this.movesSinceResum = 0;
    const { size, area } = this;
    for (let c = 0; c < 2; c++) {
      for (let r = 0; r < size; r++) {
        let s = 0;
        const base = c * area + r * size;
        for (let i = 0; i < size; i++) s += this.weights[base + i]!;
        this.rowSums[c * size + r] = s;
      }
    }
  }

  private markDirty(p: number): void {
    if (this.dirty[p] !== 0) return;
    this.dirty[p] = 1;
    this.dirtyList[this.dirtyCount++] = p;
  }

  /** Recomputes both colours' weights of every stale point. */
  private flush(): void {
    const n = this.dirtyCount;
    if (n === 0) return;
    const board = this.board!;
    const stones = this.stones;
    const dirty = this.dirty;
    const list = this.dirtyList;
    const weights = this.weights;
    const rowSums = this.rowSums;
    const rowOf = this.rowOf;
    const area = this.area;
    const size = this.size;
    const features = this.features;
    const maskOf = features.maskOf;
    const codeOf = features.pattern3Of;
    const expStatic = this.expStatic;
    const expPattern3 = this.expPattern3;
    const index = this.policy.pattern3Index;
    const states = this.states;
    const ring = this.ringOrBorder;
    for (let i = 0; i < n; i++) {
      const p = list[i]!;
      dirty[p] = 0;
      let black = 0;
      let white = 0;
      if (stones[p] === 0) {
        // The 3x3 code from the neighbours' states, written out (straight-line reads load each array once).
        const b = p * 8;
        const code =
          states[ring[b]!]! |
          (states[ring[b + 1]!]! << 3) |
          (states[ring[b + 2]!]! << 6) |
          (states[ring[b + 3]!]! << 9) |
          (states[ring[b + 4]!]! << 12) |
          (states[ring[b + 5]!]! << 15) |
          (states[ring[b + 6]!]! << 18) |
          (states[ring[b + 7]!]! << 21);
        let maskB: number;
        let maskW: number;
        let codeW: number;
        const open = openPointMasks(code);
        if (open >= 0) {
          maskB = open & 0xff;
          maskW = open >>> 8;
          codeW = swapColours(code);
        } else {
          features.staticMasksFromCode(board, p, code);
          maskB = maskOf[1]!;
          maskW = maskOf[2]!;
          codeW = codeOf[2]!;
        }
        if (maskB >= 0) {
          const id = index.get(code);
          black = (id >= 0 ? expPattern3[id]! : 1) * expStatic[maskB]!;
        }
        if (maskW >= 0) {
          const id = index.get(codeW);
          white = (id >= 0 ? expPattern3[id]! : 1) * expStatic[maskW]!;
        }
      }
      const r = rowOf[p]!;
      rowSums[r]! += black - weights[p]!;
      weights[p] = black;
      rowSums[size + r]! += white - weights[area + p]!;
      weights[area + p] = white;
    }
    this.dirtyCount = 0;
  }

  /** Marks the empty points of p's 3x3 neighbourhood stale. */
  private markAround(p: number): void {
    const stones = this.stones;
    const ring = this.ring8;
    const dirty = this.dirty;
    const list = this.dirtyList;
    let n = this.dirtyCount;
    const base = p * 8;
    for (let i = 0; i < 8; i++) {
      const q = ring[base + i]!;
      if (q >= 0 && stones[q] === 0 && dirty[q] === 0) {
        dirty[q] = 1;
        list[n++] = q;
      }
    }
    this.dirtyCount = n;
  }

  /** Updates the state of every stone of the chain at q and marks its neighbourhood (once per chain per move). */
  private walkChain(q: number): void {
    const { head, liberties, next } = this.chains;
    const h = head[q]!;
    const walked = this.walkedHeads;
    for (let i = 0; i < this.walkedCount; i++) if (walked[i] === h) return;
    if (this.walkedCount < walked.length) walked[this.walkedCount++] = h;
    const libs = liberties[h]!;
    const state = (this.stones[h] === 1 ? 2 : 5) + (libs >= 3 ? 2 : libs - 1);
    const states = this.states;
    let s = h;
    do {
      states[s] = state;
      this.markAround(s);
      s = next[s]!;
    } while (s !== h);
  }

  /** True when `color` playing at the empty point p captures (an orthogonal enemy chain in atari). */
  private capturesAt(p: number, color: StoneColor): boolean {
    const stones = this.stones;
    const { head, liberties } = this.chains;
    const neighbors = this.neighbors;
    const enemy = 3 - color;
    for (let k = this.neighborStart[p]!; k < this.neighborStart[p + 1]!; k++) {
      const q = neighbors[k]!;
      if (stones[q] === enemy && liberties[head[q]!] === 1) return true;
    }
    return false;
  }

  /**
   * This draw's changes on top of the static weights: the previous move's features (distance class,
   * response pattern, nakade) multiply the weights near it, and the simple-ko point gets 0. They go into the
   * local list (see localPoints); the static weights stay as they are.
   */
  private applyTemporary(board: Board, color: StoneColor): void {
    const stamp = this.localStamp;
    const generation = (this.localGeneration = nextGeneration(stamp, this.localGeneration));
    const prev = board.lastMove;
    const vital = this.nakadeVital;
    let vitalDone = vital < 0;
    const offset = (color - 1) * this.area;
    const weights = this.weights;
    const points = this.localPoints;
    const local = this.localWeights;
    let count = 0;
    let localSum = 0;
    let staticSum = 0;
    const expNakade = this.expScalar[FEATURE.nakade]!;
    // Imported constants as locals: V8 re-checks an imported binding at every use in a loop.
    const nearCount = NEAR_COUNT;
    const slotCount = RESPONSE_SLOT_COUNT;
    if (prev !== null && prev >= 0) {
      // The response patterns around prev share its diamond and liberties: one lookup gives the row of
      // pattern ids for the 12 slots.
      const rowIndex = this.policy.responseRowIndex.get(this.responseBase(prev, color));
      // A diamond point's factor (distance class and response pattern) from the row; the distance class
      // alone where no known pattern has this base, and always at distance 3.
      const expNear = this.expNear;
      const factors = rowIndex >= 0 ? this.responseFactors : expNear;
      const factorStart = rowIndex >= 0 ? rowIndex * slotCount : 0;
      const near = this.nearOrdered;
      const nearBase = prev * nearCount;
      for (let i = 0; i < nearCount; i++) {
        const q = near[nearBase + i]!;
        if (q < 0) continue;
        const w = weights[offset + q]!;
        if (w === 0) continue;
        let f = i < slotCount ? factors[factorStart + i]! : expNear[i]!;
        if (q === vital) {
          f *= expNakade;
          vitalDone = true;
        }
        if (f !== 1) {
          const nw = w * f;
          stamp[q] = generation;
          points[count] = q;
          local[count++] = nw;
          localSum += nw;
          staticSum += w;
        }
      }
    }
    if (!vitalDone) {
      const w = weights[offset + vital]!;
      if (w !== 0 && expNakade !== 1) {
        stamp[vital] = generation;
        points[count] = vital;
        local[count++] = w * expNakade;
        localSum += w * expNakade;
        staticSum += w;
      }
    }
    this.localCount = count;
    this.localSum = localSum;
    this.localStaticSum = staticSum;
    const ko = board.koPoint;
    if (ko >= 0 && board.koColor === color && weights[offset + ko]! !== 0) this.setLocal(ko, color, 0);
  }

  /**
   * Draws a point with probability proportional to its draw weight (PASS when none has any): from the local
   * list with probability localSum / total, else from the static weights, redrawing while the draw lands on
   * a local point (that is the static distribution restricted to the other points).
   */
  private sample(color: StoneColor, rng: Rng): Move {
    const size = this.size;
    const rowSums = this.rowSums;
    const rowBase = (color - 1) * size;
    let staticTotal = 0;
    for (let r = 0; r < size; r++) staticTotal += rowSums[rowBase + r]!;
    let rest = staticTotal - this.localStaticSum;
    // Row sums and the local sums are kept by deltas: a remainder at rounding level is no weight at all.
    if (!(rest > 1e-9 * staticTotal)) rest = 0;
    const localSum = this.localSum;
    const total = rest + localSum;
    let u = rng.next() * total;
    if (localSum > 0 && (u < localSum || rest === 0)) {
      const points = this.localPoints;
      const local = this.localWeights;
      let last: Move = PASS;
      for (let i = 0; i < this.localCount; i++) {
        const w = local[i]!;
        if (w <= 0) continue;
        last = points[i]!;
        u -= w;
        if (u < 0) return last;
      }
      // Rounding left u just past the last local weight.
      if (last !== PASS) return last;
    }
    const stamp = this.localStamp;
    const generation = this.localGeneration;
    const weights = this.weights;
    const offset = (color - 1) * this.area;
    // Each draw lands on a local point with probability localStaticSum / staticTotal (about the local
    // points' share of the board's weight); past a few dozen redraws the scan below is cheaper.
    for (let attempt = 0; attempt < 32 && rest > 0; attempt++) {
      let v = rng.next() * staticTotal;
      let drawn: Move = PASS;
      for (let r = 0; r < size; r++) {
        const s = rowSums[rowBase + r]!;
        if (v >= s && r < size - 1) {
          v -= s;
          continue;
        }
        const start = offset + r * size;
        for (let i = 0; i < size; i++) {
          const w = weights[start + i]!;
          if (w <= 0) continue;
          drawn = r * size + i;
          v -= w;
          if (v < 0) break;
        }
        break;
      }
      if (drawn !== PASS && stamp[drawn] !== generation) return drawn;
    }
    // Many redraws (almost all static weight is local), or weights at rounding level: draw exactly from the
    // points outside the list; PASS when none has any weight.
    let v = rng.next() * rest;
    let last: Move = PASS;
    for (let p = 0; p < this.area; p++) {
      const w = weights[offset + p]!;
      if (w <= 0 || stamp[p] === generation) continue;
      last = p;
      v -= w;
      if (v < 0) return p;
    }
    return last;
  }
}
