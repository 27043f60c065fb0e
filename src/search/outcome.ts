/**
 * The value of a finished game (a rollout's end, or two passes in the tree) for the player to move:
 * win/loss, plus an optional score term (KataGo's score utility).
 *
 *   value = (1 − w)·sign(margin) + w·tanh(margin / scale)
 *
 * w = 0 is the plain ±1 outcome. With w > 0 a win by more is worth more, and a loss by less costs less.
 * That matters for a search whose leaves are rollouts. A win/loss-only search is indifferent between winning by
 * 0.5 and by 20 points, so when its rollouts judge a group wrongly (dead when it lives) it plays slack,
 * even passes, with nothing in hand. The score term keeps it taking points. Margins are counted for the player to
 * move, komi included.
 */
import { BLACK, type StoneColor } from '../../engine/color.js';

/** Weight w of the score term, and the margin (points) at which it reaches tanh(1) ≈ 0.76 of w. */
export interface ScoreUtility {
  weight: number;
  scale: number;
}

/** The default scale for a board: size + 1 points (10 on 9x9, 20 on 19x19). */
export function defaultScoreScale(size: number): number {
  return size + 1;
}

/** Value in [-1, 1] for `toPlay` of a game that ended with Black ahead by `blackMargin` (komi included). */
export function outcomeValue(blackMargin: number, toPlay: StoneColor, utility: ScoreUtility): number {
  const margin = toPlay === BLACK ? blackMargin : -blackMargin;
  const outcome = margin > 0 ? 1 : margin < 0 ? -1 : 0;
  if (utility.weight === 0) return outcome;
  return (1 - utility.weight) * outcome + utility.weight * Math.tanh(margin / utility.scale);
}

export function checkScoreUtility(u: ScoreUtility): void {
  if (!(u.weight >= 0 && u.weight <= 1)) throw new RangeError(`score utility weight must be in [0, 1], got ${u.weight}`);
  if (!(u.scale > 0 && Number.isFinite(u.scale))) throw new RangeError(`score utility scale must be a positive number of points, got ${u.scale}`);
}
