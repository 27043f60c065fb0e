/**
 * A net-free Evaluator: uniform priors over every action and, optionally, a value from the area count of
 * the position (stones plus surrounded empty regions, komi included). It lets the search run with no
 * trained network (tests, benchmarks of the tree alone, a fallback player) and reads the same input
 * planes a net would, so it exercises the real feature path.
 */
import { Board } from '../../engine/board.js';
import { BLACK, WHITE, type StoneColor } from '../../engine/color.js';
import { score } from '../../engine/score.js';
import type { EvalOutput, Evaluator, NetInfo } from '../nn/evaluator.js';
import { ZERO_PLANE, ZERO_PLANES } from '../nn/features.js';

export interface SimpleEvaluatorOptions {
  /** 'zero': every value 0 (only terminal positions carry information); 'area': tanh(area margin / scale). */
  value?: 'zero' | 'area';
  /** Komi used by the area value. */
  komi?: number;
  /** Margin (points) that maps to tanh(1) ≈ 0.76; default boardSize. */
  scale?: number;
}

export class SimpleEvaluator implements Evaluator {
  readonly info: NetInfo;
  private readonly valueKind: 'zero' | 'area';
  private readonly komi: number;
  private readonly scale: number;

  constructor(boardSize: number, options: SimpleEvaluatorOptions = {}) {
    this.info = { boardSize, featureSet: 'zero', inputPlanes: ZERO_PLANES };
    this.valueKind = options.value ?? 'area';
    this.komi = options.komi ?? 7.5;
    this.scale = options.scale ?? boardSize;
  }

  async evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    const area = this.info.boardSize ** 2;
    const policy = new Float32Array(count * (area + 1)).fill(1 / (area + 1));
    const value = new Float32Array(count);
    if (this.valueKind === 'area') for (let i = 0; i < count; i++) value[i] = this.areaValue(planes, i * ZERO_PLANES * area);
    return { policy, value };
  }

  /** tanh of the area margin for the player to move, from the current-position planes. */
  areaValue(planes: Float32Array, offset: number): number {
    const area = this.info.boardSize ** 2;
    const toPlay: StoneColor = planes[offset + ZERO_PLANE.blackToMove * area]! > 0.5 ? BLACK : WHITE;
    const other: StoneColor = toPlay === BLACK ? WHITE : BLACK;
    const board = new Board(this.info.boardSize);
    for (let p = 0; p < area; p++) {
      if (planes[offset + ZERO_PLANE.ownStones * area + p]! > 0.5) board.placeSetupStone(p, toPlay);
      else if (planes[offset + (ZERO_PLANE.opponentStones + 0) * area + p]! > 0.5) board.placeSetupStone(p, other);
    }
    const margin = score(board, { komi: this.komi, scoring: 'area' }).margin;
    return Math.tanh((toPlay === BLACK ? margin : -margin) / this.scale);
  }

  async dispose(): Promise<void> {}
}
