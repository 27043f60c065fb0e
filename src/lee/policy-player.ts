/**
 * Fast policy-only games for AlphaGo-Lee training (RL self-play, value-net data, SL/RL match): many games
 * at once, each move sampled from a policy network's output (no search), the positions of every game that
 * waits on the same network evaluated in one batch.
 *
 * Who plays each move is the caller's choice (`source`): a network by index, or a uniformly random legal
 * move (the value net's decorrelating move U+1). A network samples among "sensible" points only (legal and
 * not filling its own single-point eye, Lee plane 46) and passes only when it has none, so a game runs
 * until the board is settled and Chinese area scoring (engine/score.ts, no dead-stone guesses) gives the
 * true result, as with random playouts. A game that reaches `maxMoves` is scored as it stands.
 */
import { BLACK, PASS, WHITE, type StoneColor } from '../../engine/color.js';
import { Game } from '../../engine/game.js';
import { Rng } from '../../engine/rng.js';
import type { Evaluator } from '../nn/evaluator.js';
import { encodeLeeGameFeatures, LEE_FEATURE_PLANES, LEE_PLANE } from '../nn/features-lee.js';

/** A network by its index in `evaluators`, or a uniformly random legal move. */
export type MoveSource = number | 'uniform';

export interface PolicyMove {
  game: number;
  /** 0 for the game's first move. */
  moveNumber: number;
  color: StoneColor;
  source: MoveSource;
  /** Action index (area = pass). */
  action: number;
  /** A network's move: the position's Lee planes, valid during the callback only (copy to keep). */
  planes?: Float32Array;
  /** A network's move: its policy output for the position (area + 1 entries), valid during the callback only. */
  policy?: Float32Array;
}

export interface PolicyGamesOptions {
  size: number;
  komi: number;
  games: number;
  evaluators: readonly Evaluator[];
  /** Who plays move `moveNumber` (colour `color`) of game `game`. */
  source: (game: number, moveNumber: number, color: StoneColor) => MoveSource;
  rng: Rng;
  /** Moves after which a game is scored as it stands (default 3 × area). */
  maxMoves?: number;
  /** Softmax temperature of the sampling (1 = the policy as it is). */
  temperature?: number;
  /** Every move, in order within a game. */
  onMove?: (move: PolicyMove) => void;
  /** Called as games finish. */
  onGameEnd?: (result: PolicyGameResult) => void;
  /** Stop a game early (e.g. its data is complete): it is then not scored (winner null, margin NaN). */
  stopAfter?: (game: number, moveNumber: number) => boolean;
}

export interface PolicyGameResult {
  game: number;
  /** Null for a draw or a stopped game. */
  winner: StoneColor | null;
  /** Black minus White, komi included; NaN when stopped. */
  margin: number;
  moves: number;
  stopped: boolean;
}

/**
 * Plays `games` games to the end and returns their results (index = game). Positions waiting on the same
 * network are evaluated in one batch per round.
 */
export async function playPolicyGames(o: PolicyGamesOptions): Promise<PolicyGameResult[]> {
  const area = o.size * o.size;
  const fp = LEE_FEATURE_PLANES * area;
  const maxMoves = o.maxMoves ?? 3 * area;
  const temperature = o.temperature ?? 1;
  if (!(temperature > 0)) throw new RangeError(`policy games: temperature must be > 0, got ${temperature}`);
  for (const e of o.evaluators) {
    if (e.info.featureSet !== 'lee' || e.info.boardSize !== o.size) {
      throw new Error(`policy games: networks must be ${o.size}x${o.size} with feature set 'lee', got ${e.info.boardSize}x${e.info.boardSize} '${e.info.featureSet}'`);
    }
  }
  const games = Array.from({ length: o.games }, () => new Game(o.size, { komi: o.komi }));
  const results: (PolicyGameResult | null)[] = new Array<PolicyGameResult | null>(o.games).fill(null);
  const buffers = o.evaluators.map(() => new Float32Array(o.games * fp));
  const weights = new Float64Array(area);
  let live = o.games;

  const finish = (g: number, stopped: boolean): void => {
    const game = games[g]!;
    let winner: StoneColor | null = null;
    let margin = Number.NaN;
    if (!stopped) {
      margin = game.score().margin;
      winner = margin > 0 ? BLACK : margin < 0 ? WHITE : null;
    }
    const r: PolicyGameResult = { game: g, winner, margin, moves: game.moves.length, stopped };
    results[g] = r;
    live--;
    o.onGameEnd?.(r);
  };

  const play = (g: number, action: number, source: MoveSource, planes?: Float32Array, policy?: Float32Array): void => {
    const game = games[g]!;
    const moveNumber = game.moves.length;
    const color = game.toPlay;
    game.play(action === area ? PASS : action, color);
    o.onMove?.({ game: g, moveNumber, color, source, action, planes, policy });
    if (game.board.passes >= 2 || game.moves.length >= maxMoves) finish(g, false);
    else if (o.stopAfter?.(g, game.moves.length) === true) finish(g, true);
  };

  while (live > 0) {
    // Uniform moves first (they need no network), then one batch per network.
    const waiting: number[][] = o.evaluators.map(() => []);
    for (let g = 0; g < o.games; g++) {
      if (results[g] !== null) continue;
      const game = games[g]!;
      const source = o.source(g, game.moves.length, game.toPlay);
      if (source === 'uniform') {
        const legal = game.board.legalMoves();
        play(g, legal.length === 0 ? area : legal[o.rng.int(legal.length)]!, source);
      } else {
        if (!Number.isInteger(source) || source < 0 || source >= o.evaluators.length) throw new RangeError(`policy games: no network #${String(source)}`);
        waiting[source]!.push(g);
      }
    }
    for (let n = 0; n < o.evaluators.length; n++) {
      const batch = waiting[n]!;
      if (batch.length === 0) continue;
      const planes = buffers[n]!;
      batch.forEach((g, i) => encodeLeeGameFeatures(planes, i * fp, games[g]!));
      const out = await o.evaluators[n]!.evaluate(planes, batch.length);
      batch.forEach((g, i) => {
        const offset = i * fp;
        const action = samplePolicyAction(out.policy, i * (area + 1), planes, offset, area, temperature, o.rng, weights);
        play(g, action, n, planes.subarray(offset, offset + fp), out.policy.subarray(i * (area + 1), (i + 1) * (area + 1)));
      });
    }
  }
  return results as PolicyGameResult[];
}

/**
 * The sampling weights of a position, into `weights[0..area)`: the policy at `temperature` on its sensible
 * points (Lee plane 46), 0 elsewhere. Returns their sum, or -1 when no point is sensible.
 */
function sensibleWeights(
  weights: Float32Array | Float64Array,
  policy: ArrayLike<number>,
  policyOffset: number,
  planes: Float32Array,
  planesOffset: number,
  area: number,
  temperature: number,
): number {
  const sensible = planesOffset + LEE_PLANE.sensible * area;
  let total = 0;
  let count = 0;
  for (let p = 0; p < area; p++) {
    if (planes[sensible + p] !== 1) {
      weights[p] = 0;
      continue;
    }
    count++;
    const q = policy[policyOffset + p]!;
    const w = temperature === 1 ? q : Math.pow(q, 1 / temperature);
    weights[p] = w;
    total += w;
  }
  return count === 0 ? -1 : total;
}

/** The sensible points of a position (for the uniform fallback when their probabilities sum to nothing). */
function sensiblePoints(planes: Float32Array, planesOffset: number, area: number): number[] {
  const sensible = planesOffset + LEE_PLANE.sensible * area;
  const points: number[] = [];
  for (let p = 0; p < area; p++) if (planes[sensible + p] === 1) points.push(p);
  return points;
}

/**
 * The probabilities samplePolicyAction draws from, into `out` (area + 1 entries, pass last): the policy at
 * `temperature` restricted to the sensible points and renormalised; all on pass when no point is sensible,
 * uniform over the sensible points when their probabilities sum to nothing.
 */
export function sampledDistribution(
  out: Float32Array,
  policy: ArrayLike<number>,
  policyOffset: number,
  planes: Float32Array,
  planesOffset: number,
  area: number,
  temperature: number,
): void {
  const total = sensibleWeights(out, policy, policyOffset, planes, planesOffset, area, temperature);
  out[area] = total < 0 ? 1 : 0;
  if (total < 0) return;
  if (total > 0) {
    for (let p = 0; p < area; p++) out[p]! /= total;
  } else {
    const points = sensiblePoints(planes, planesOffset, area);
    for (const p of points) out[p] = 1 / points.length;
  }
}

/**
 * Samples an action from `policy` (probabilities at `policyOffset`) restricted to the sensible points of
 * the position's Lee planes; pass when there is none. Probabilities too small to sum to anything fall back
 * to a uniform choice among the sensible points.
 */
export function samplePolicyAction(
  policy: Float32Array,
  policyOffset: number,
  planes: Float32Array,
  planesOffset: number,
  area: number,
  temperature: number,
  rng: Rng,
  weights: Float64Array = new Float64Array(area),
): number {
  const total = sensibleWeights(weights, policy, policyOffset, planes, planesOffset, area, temperature);
  if (total < 0) return area;
  if (!(total > 0)) {
    const points = sensiblePoints(planes, planesOffset, area);
    return points[rng.int(points.length)]!;
  }
  let r = rng.next() * total;
  let last = area;
  for (let p = 0; p < area; p++) {
    if (weights[p] === 0) continue;
    last = p;
    r -= weights[p]!;
    if (r < 0) return p;
  }
  return last;
}
