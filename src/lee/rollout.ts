/**
 * Fast rollouts with the linear softmax policy, AlphaGo-style: every empty point keeps, for each colour,
 * the weight exp(w·φ_static) of its position-only features, and a move refreshes only the points whose
 * features it can have changed (the 3x3 neighbourhoods of the new stone, of captured stones, and of the
 * chains whose liberty bucket or tactical status changed). Features tied to the previous move (distance,
 * response pattern, nakade) touch at most 25 points and are applied just for the draw, then undone.
 * Drawing a move scans per-row sums, then one row: O(size) per step, no allocation.
 *
 * Correctness never depends on the weights: only candidates (legal, not suicide, not filling the mover's
 * own single-point eye, not the simple-ko point) get a non-zero weight, so rollouts play legal moves and
 * end (two passes once no candidate is left; a move cap guards against endless ko fights).
 */
import { BLACK, EMPTY, PASS, WHITE, opponent, type Move, type StoneColor } from '../../engine/color.js';
import type { Board } from '../../engine/board.js';
import { geometry, type Geometry } from '../../engine/geometry.js';
import type { Rng } from '../../engine/rng.js';
import { NEAR_COUNT, RESPONSE_SLOT_SHIFT } from './patterns.js';
import { FEATURE, RolloutFeatures, nakadeVitalPoint } from './rollout-features.js';
import type { RolloutPolicy } from './rollout-policy.js';

/** Scores are clamped before exp so a badly trained weight cannot overflow the sums. */
const MAX_SCORE = 30;
/** Row sums are kept by deltas; recomputing them every this many moves bounds rounding drift. */
const RESUM_INTERVAL = 64;
/** Positions remembered to detect ko cycles (double ko repeats every 6 moves, triple ko every 6 or 12). */
const REPEAT_WINDOW = 16;

export type RolloutEnd = 'passes' | 'repetition' | 'cap';

export class Rollout {
  readonly size: number;
  readonly area: number;
  readonly features: RolloutFeatures;
  private board: Board | null = null;
  private readonly geo: Geometry;
  private readonly ring8: Int32Array;
  private readonly near: Int32Array;
  private readonly nearSlot: Int8Array;
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
  private capturedCount = 0;
  private readonly walkedHeads = new Int32Array(64);
  private walkedCount = 0;
  /** Undo stack of the temporary (response / ko) weight changes of one draw. */
  private readonly tempPoints = new Int32Array(NEAR_COUNT + 2);
  private readonly tempWeights = new Float64Array(NEAR_COUNT + 2);
  private tempCount = 0;
  private movesSinceResum = 0;
  /** Vital point of the space the previous move's capture left, or -1. */
  nakadeVital = -1;
  /** How the last playout ended. */
  lastEnd: RolloutEnd = 'cap';
  private readonly recentHashes = new Float64Array(REPEAT_WINDOW);
  /** exp of each weight, so a point's weight is a product of table entries (no exp per update). */
  private expScalar: Float64Array = new Float64Array(0);
  private expPattern3: Float64Array = new Float64Array(0);
  private expResponse: Float64Array = new Float64Array(0);
  /** exp(weight of distance class) per near slot, and whether the slot has a response pattern. */
  private readonly expNear = new Float64Array(NEAR_COUNT);

  constructor(
    readonly policy: RolloutPolicy,
    size: number,
  ) {
    this.size = size;
    this.area = size * size;
    this.features = new RolloutFeatures(size);
    this.geo = geometry(size);
    this.ring8 = this.features.geometry.ring8;
    this.near = this.features.geometry.near;
    this.nearSlot = this.features.geometry.nearSlot;
    this.rowOf = new Int32Array(this.area);
    for (let p = 0; p < this.area; p++) this.rowOf[p] = Math.floor(p / size);
    this.weights = new Float64Array(2 * this.area);
    this.rowSums = new Float64Array(2 * size);
    this.dirty = new Uint8Array(this.area);
    this.dirtyList = new Int32Array(this.area);
    this.captured = new Int32Array(this.area);
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
    for (let i = 0; i < NEAR_COUNT; i++) {
      let mask = this.features.nearClassMask(i);
      let f = 1;
      for (let bit = 0; mask !== 0; mask >>>= 1, bit++) if (mask & 1) f *= this.expScalar[bit]!;
      this.expNear[i] = f;
    }
  }

  /**
   * Binds the rollout to `board` (which it will play on) and computes every weight. `nakadeVital` is the
   * vital point left by the last move's capture, when the caller knows it (-1: none).
   */
  start(board: Board, nakadeVital = -1): void {
    if (board.size !== this.size) throw new RangeError(`rollout for ${this.size}x${this.size} given a ${board.size}x${board.size} board`);
    this.board = board;
    this.nakadeVital = nakadeVital;
    this.dirty.fill(0);
    this.dirtyCount = 0;
    for (let p = 0; p < this.area; p++) this.refresh(p);
    this.resum();
  }

  /**
   * Plays the bound board to the end and returns the number of moves played. It ends after two passes;
   * when a position (with the player to move) repeats one of the last REPEAT_WINDOW positions — a double or
   * triple ko that simple-ko rules let cycle forever, common in rollouts — or after `maxMoves`.
   * `lastEnd` says which.
   */
  playout(rng: Rng, maxMoves: number = this.area * 3): number {
    const board = this.bound();
    const recent = this.recentHashes;
    recent.fill(-1);
    let moves = 0;
    this.lastEnd = 'cap';
    while (moves < maxMoves) {
      if (board.passes >= 2) {
        this.lastEnd = 'passes';
        break;
      }
      this.play(this.selectMove(rng));
      moves++;
      if (board.passes >= 2) continue;
      const h = board.hash;
      let repeated = false;
      for (let i = 0; i < REPEAT_WINDOW; i++) {
        if (recent[i] === h) {
          repeated = true;
          break;
        }
      }
      if (repeated) {
        this.lastEnd = 'repetition';
        break;
      }
      recent[moves % REPEAT_WINDOW] = h;
    }
    if (moves >= maxMoves && board.passes >= 2) this.lastEnd = 'passes';
    return moves;
  }

  /** Draws a move for the player to move from the policy (PASS when there is no candidate). */
  selectMove(rng: Rng): Move {
    const board = this.bound();
    const color = board.toPlay;
    this.flush();
    this.tempCount = 0;
    this.applyResponse(board, color);
    if (board.koPoint >= 0 && board.koColor === color) this.setTemp(board.koPoint, color, 0);
    const move = this.sample(color, rng);
    // Undo in reverse order so each point returns to its static weight.
    for (let i = this.tempCount - 1; i >= 0; i--) this.setWeight(this.tempPoints[i]!, color, this.tempWeights[i]!);
    this.tempCount = 0;
    return move;
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
    const stones = board.stones;
    const enemy = opponent(color);
    const { neighbors, neighborStart } = this.geo;
    // Before the move: which enemy chains it captures (their stones are gone afterwards), and whether an
    // own chain it joins had few liberties. Features only tell 1, 2 and >= 3 liberties apart (pattern
    // buckets; atari, capture, self-atari), so a chain needs its neighbourhood refreshed only when it has
    // at most 2 liberties before or after the move.
    this.capturedCount = 0;
    let ownLow = false;
    for (let k = neighborStart[move]!; k < neighborStart[move + 1]!; k++) {
      const q = neighbors[k]!;
      const s = stones[q]!;
      if (s === enemy) {
        if (board.liberties(q) === 1 && !this.isCaptured(q)) board.forEachChainStone(q, this.collectCaptured);
      } else if (s === color && board.liberties(q) <= 2) {
        ownLow = true;
      }
    }
    board.playLegal(move, color);

    this.walkedCount = 0;
    this.setWeight(move, BLACK, 0);
    this.setWeight(move, WHITE, 0);
    this.markAround(move);
    if (ownLow || board.liberties(move) <= 2) this.walkChain(move);
    for (let k = neighborStart[move]!; k < neighborStart[move + 1]!; k++) {
      const q = neighbors[k]!;
      if (stones[q] === enemy && board.liberties(q) <= 2) this.walkChain(q);
    }
    const capturedCount = this.capturedCount;
    for (let i = 0; i < capturedCount; i++) {
      const s = this.captured[i]!;
      this.markDirty(s);
      this.markAround(s);
      for (let k = neighborStart[s]!; k < neighborStart[s + 1]!; k++) {
        const q = neighbors[k]!;
        if (stones[q] === color) this.walkChain(q);
      }
    }
    this.nakadeVital = capturedCount >= 3 ? nakadeVitalPoint(this.captured, capturedCount, this.size) : -1;
    if (++this.movesSinceResum >= RESUM_INTERVAL) this.resum();
  }

  /** The current weight of p for `color` (0 for non-candidates), after refreshing stale points. For tests. */
  weightOf(p: number, color: StoneColor): number {
    this.flush();
    return this.weights[(color - 1) * this.area + p]!;
  }

  /** exp(static score) of p for `color`, or 0 when p is not a candidate. Computed from scratch. */
  staticWeight(p: number, color: StoneColor): number {
    const board = this.bound();
    if (board.stones[p] !== EMPTY) return 0;
    const mask = this.features.staticMask(board, p, color);
    return this.weightFromFeatures(mask, this.features.pattern3);
  }

  // ------------------------------------------------------------------ internals

  private bound(): Board {
    if (this.board === null) throw new Error('Rollout.start(board) must be called first');
    return this.board;
  }

  private setWeight(p: number, color: StoneColor, w: number): void {
    const i = (color - 1) * this.area + p;
    this.rowSums[(color - 1) * this.size + this.rowOf[p]!]! += w - this.weights[i]!;
    this.weights[i] = w;
  }

  private setTemp(p: number, color: StoneColor, w: number): void {
    this.tempPoints[this.tempCount] = p;
    this.tempWeights[this.tempCount++] = this.weights[(color - 1) * this.area + p]!;
    this.setWeight(p, color, w);
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

  private flush(): void {
    const n = this.dirtyCount;
    for (let i = 0; i < n; i++) {
      const p = this.dirtyList[i]!;
      this.dirty[p] = 0;
      this.refresh(p);
    }
    this.dirtyCount = 0;
  }

  /** Recomputes p's weights for both colours. */
  private refresh(p: number): void {
    const board = this.board!;
    if (board.stones[p] !== EMPTY) {
      this.setWeight(p, BLACK, 0);
      this.setWeight(p, WHITE, 0);
      return;
    }
    const features = this.features;
    features.staticMasks(board, p);
    this.setWeight(p, BLACK, this.weightFromFeatures(features.maskOf[BLACK]!, features.pattern3Of[BLACK]!));
    this.setWeight(p, WHITE, this.weightFromFeatures(features.maskOf[WHITE]!, features.pattern3Of[WHITE]!));
  }

  /** exp(score) from a static mask (-1: not a candidate, weight 0) and a 3x3 code. */
  private weightFromFeatures(mask: number, pattern3: number): number {
    if (mask < 0) return 0;
    const id = this.policy.pattern3Index.get(pattern3);
    let w = id >= 0 ? this.expPattern3[id]! : 1;
    for (let bit = 0; mask !== 0; mask >>>= 1, bit++) if (mask & 1) w *= this.expScalar[bit]!;
    return w;
  }

  /** Marks the empty points of p's 3x3 neighbourhood stale. */
  private markAround(p: number): void {
    const stones = this.board!.stones;
    const base = p * 8;
    for (let i = 0; i < 8; i++) {
      const q = this.ring8[base + i]!;
      if (q >= 0 && stones[q] === EMPTY) this.markDirty(q);
    }
  }

  private readonly markAroundStone = (s: number): void => this.markAround(s);

  /** Marks the neighbourhood of every stone of the chain at q (once per chain per move). */
  private walkChain(q: number): void {
    const head = this.board!.chainId(q);
    for (let i = 0; i < this.walkedCount; i++) if (this.walkedHeads[i] === head) return;
    if (this.walkedCount < this.walkedHeads.length) this.walkedHeads[this.walkedCount++] = head;
    this.board!.forEachChainStone(q, this.markAroundStone);
  }

  private readonly collectCaptured = (s: number): void => {
    this.captured[this.capturedCount++] = s;
  };

  private isCaptured(q: number): boolean {
    for (let i = 0; i < this.capturedCount; i++) if (this.captured[i] === q) return true;
    return false;
  }

  /** Multiplies the weights near the previous move by exp(response score), recording them for undo. */
  private applyResponse(board: Board, color: StoneColor): void {
    const prev = board.lastMove;
    const vital = this.nakadeVital;
    let vitalDone = vital < 0;
    const offset = (color - 1) * this.area;
    const expNakade = this.expScalar[FEATURE.nakade]!;
    if (prev !== null && prev >= 0) {
      const base = this.features.responseBase(board, prev, color);
      const index = this.policy.responseIndex;
      const nearBase = prev * NEAR_COUNT;
      for (let i = 0; i < NEAR_COUNT; i++) {
        const q = this.near[nearBase + i]!;
        if (q < 0) continue;
        const w = this.weights[offset + q]!;
        if (w === 0) continue;
        let f = this.expNear[i]!;
        if (q === vital) {
          f *= expNakade;
          vitalDone = true;
        }
        const slot = this.nearSlot[i]!;
        if (slot >= 0) {
          const id = index.get((base | (slot << RESPONSE_SLOT_SHIFT)) >>> 0);
          if (id >= 0) f *= this.expResponse[id]!;
        }
        if (f !== 1) this.setTemp(q, color, w * f);
      }
    }
    if (!vitalDone) {
      const w = this.weights[offset + vital]!;
      if (w !== 0 && expNakade !== 1) this.setTemp(vital, color, w * expNakade);
    }
  }

  private sample(color: StoneColor, rng: Rng): Move {
    const { size } = this;
    const rowBase = (color - 1) * size;
    let total = 0;
    for (let r = 0; r < size; r++) total += this.rowSums[rowBase + r]!;
    if (!(total > 1e-12)) return this.lastCandidate(color, size - 1);
    let u = rng.next() * total;
    const weights = this.weights;
    const offset = (color - 1) * this.area;
    for (let r = 0; r < size; r++) {
      const s = this.rowSums[rowBase + r]!;
      if (u >= s) {
        u -= s;
        continue;
      }
      const start = offset + r * size;
      for (let i = 0; i < size; i++) {
        const w = weights[start + i]!;
        u -= w;
        if (u < 0 && w > 0) return r * size + i;
      }
      // Rounding left u just past the row's last weight: take the row's last candidate.
      return this.lastCandidate(color, r);
    }
    return this.lastCandidate(color, size - 1);
  }

  /** The last candidate in rows 0..row (searching backwards), PASS when there is none. */
  private lastCandidate(color: StoneColor, row: number): Move {
    const offset = (color - 1) * this.area;
    for (let p = (row + 1) * this.size - 1; p >= 0; p--) if (this.weights[offset + p]! > 0) return p;
    return PASS;
  }
}
