/**
 * How well a network predicts recorded games: the share of positions whose played move is the policy's
 * top choice, the policy's cross-entropy on the played move, and the value head's mean squared error against
 * each game's result. Optionally the same error for rollout values and for the mixes (1 − λ)·v + λ·rollout
 * that `tengen gtp --lambda` plays with, which is how to choose λ for a network from data rather than from
 * matches (see models/9x9/TRAINING.md).
 */
import { readFileSync } from 'node:fs';
import { moveToAction } from '../engine/color.js';
import type { Board } from '../engine/board.js';
import { sgfToGame } from '../engine/sgf.js';
import type { Evaluator } from '../src/nn/evaluator.js';
import { encodeGameFeatures, featureSize } from '../src/nn/features.js';
import { gameWinner } from './bootstrap.js';

export interface RecordEvaluationOptions {
  evaluator: Evaluator;
  files: readonly string[];
  /**
   * The rollout value of a position for its side to move, in [−1, 1], under the record's komi; with it,
   * rollout and mixed errors.
   */
  rolloutValue?: (board: Board, komi: number) => number;
  /** λ values for (1 − λ)·v + λ·rollout (only with rolloutValue). */
  lambdas?: readonly number[];
  onGame?: (done: number, total: number) => void;
}

export interface RecordEvaluation {
  games: number;
  positions: number;
  rejected: { file: string; reason: string }[];
  /** Share of positions whose played move (or pass) has the policy's highest probability. */
  top1: number;
  /** Mean −ln p(played move). */
  policyCrossEntropy: number;
  /** Mean (v − z)², z = +1 when the player to move won the game, −1 when it lost, 0 for a draw. */
  valueMse: number;
  rolloutMse?: number;
  mixedMse?: { lambda: number; mse: number }[];
}

/** The smallest probability a cross-entropy term uses, so a zero-probability move costs ln 1e9, not ∞. */
const PROBABILITY_FLOOR = 1e-9;

export async function evaluateOnRecords(o: RecordEvaluationOptions): Promise<RecordEvaluation> {
  const { info } = o.evaluator;
  const area = info.boardSize * info.boardSize;
  const planesPerPosition = featureSize(info.featureSet, info.boardSize);
  const lambdas = o.rolloutValue === undefined ? [] : [...(o.lambdas ?? [])];
  const result: RecordEvaluation = { games: 0, positions: 0, rejected: [], top1: 0, policyCrossEntropy: 0, valueMse: 0 };
  let top1 = 0;
  let crossEntropy = 0;
  let valueSquares = 0;
  let rolloutSquares = 0;
  const mixedSquares = lambdas.map(() => 0);
  for (const [index, file] of o.files.entries()) {
    let text: string;
    let loaded: ReturnType<typeof sgfToGame>;
    try {
      text = readFileSync(file, 'utf8');
      loaded = sgfToGame(text);
    } catch (e) {
      result.rejected.push({ file, reason: (e as Error).message });
      continue;
    }
    const moves = loaded.game.moves;
    if (loaded.game.size !== info.boardSize) result.rejected.push({ file, reason: `board size ${loaded.game.size}, the network is ${info.boardSize}x${info.boardSize}` });
    else if (moves.length === 0) result.rejected.push({ file, reason: 'no moves' });
    else {
      const winner = gameWinner(loaded);
      const replay = sgfToGame(text, { moveLimit: 0 }).game;
      const planes = new Float32Array(moves.length * planesPerPosition);
      const rollouts = new Float32Array(moves.length);
      moves.forEach((m, i) => {
        encodeGameFeatures(info.featureSet, planes, i * planesPerPosition, replay);
        if (o.rolloutValue !== undefined) rollouts[i] = o.rolloutValue(replay.board, loaded.game.rules.komi);
        replay.play(m.move, m.color);
      });
      const out = await o.evaluator.evaluate(planes, moves.length);
      moves.forEach((m, i) => {
        const policy = out.policy.subarray(i * (area + 1), (i + 1) * (area + 1));
        const played = moveToAction(m.move, area);
        let best = 0;
        for (let a = 1; a <= area; a++) if (policy[a]! > policy[best]!) best = a;
        if (best === played) top1++;
        crossEntropy -= Math.log(Math.max(policy[played]!, PROBABILITY_FLOOR));
        const z = winner === null ? 0 : winner === m.color ? 1 : -1;
        const v = out.value[i]!;
        valueSquares += (v - z) ** 2;
        if (o.rolloutValue !== undefined) {
          const r = rollouts[i]!;
          rolloutSquares += (r - z) ** 2;
          lambdas.forEach((lambda, j) => (mixedSquares[j]! += ((1 - lambda) * v + lambda * r - z) ** 2));
        }
      });
      result.games++;
      result.positions += moves.length;
    }
    o.onGame?.(index + 1, o.files.length);
  }
  const n = Math.max(1, result.positions);
  result.top1 = top1 / n;
  result.policyCrossEntropy = crossEntropy / n;
  result.valueMse = valueSquares / n;
  if (o.rolloutValue !== undefined) {
    result.rolloutMse = rolloutSquares / n;
    result.mixedMse = lambdas.map((lambda, j) => ({ lambda, mse: mixedSquares[j]! / n }));
  }
  return result;
}
