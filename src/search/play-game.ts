/**
 * One self-play game with the search: root noise and temperature from the self-play parameters, tree
 * reuse between moves, resignation (or, when it is off, a note of when it would have happened, to measure
 * false resignations), optional playout-cap randomisation (KataGo: a fraction of moves get a full noisy
 * search and become training targets, the rest a fast search without noise). Everything returned is
 * plain data, so a worker thread can send it back; turning it into training records is self-play's job.
 */
import { BLACK, PASS, opponent, type Move, type StoneColor } from '../../engine/color.js';
import { Game } from '../../engine/game.js';
import { Rng } from '../../engine/rng.js';
import type { GameRules } from '../../engine/rules.js';
import { formatResult, score } from '../../engine/score.js';
import { MctsSearch, type SearchPlugins } from './mcts.js';
import type { Evaluator } from '../nn/evaluator.js';
import { SELF_PLAY_SEARCH_PARAMS, type SearchParams } from './params.js';

export interface PlayGameOptions {
  size: number;
  rules?: Partial<GameRules>;
  /** Visits of a full search. */
  visits: number;
  /** Playout-cap randomisation: visits of a fast search (no noise, not a training target); 0 = off. */
  fastVisits?: number;
  /** Probability that a move gets the full search (1 = every move, the AlphaGo Zero setting). */
  fullSearchProbability?: number;
  /** Resignation allowed; when false the game is played out and `wouldResign` records the first chance. */
  allowResign?: boolean;
  /** Moves after which the game is stopped and scored as it stands (default 2 × area). */
  maxMoves?: number;
  /** Seed for the search and the playout-cap draws. */
  seed?: number;
  /** Search parameters over SELF_PLAY_SEARCH_PARAMS. */
  params?: Partial<SearchParams>;
}

export interface PlayedMove {
  color: StoneColor;
  move: Move;
  /** Root visit distribution (area + 1, pass last) when the move had a full search, else null. */
  policy: Float32Array | null;
  /** Root winrate for the mover, in [0, 1]. */
  winrate: number;
  visits: number;
}

export interface PlayedGame {
  size: number;
  rules: GameRules;
  moves: PlayedMove[];
  winner: StoneColor | null;
  /** 'B+3.5', 'W+R', '0'. */
  result: string;
  /** Area-score margin (black − white, komi included) when the game was scored, null after resignation. */
  margin: number | null;
  resigned: boolean;
  /** With resignation off: the first move at which the mover would have resigned. */
  wouldResign: { moveNumber: number; color: StoneColor } | null;
  playouts: number;
  elapsedMs: number;
}

/** Callbacks of a game in progress (kept apart from the options, which must stay plain data for workers). */
export interface PlayGameHooks {
  /** Called after each move is played (live viewers); `moveNumber` counts from 1. */
  onMove?: (move: PlayedMove, moveNumber: number) => void;
  /** Search plug-ins (AlphaGo Lee's rollout leaf values, src/lee); objects, so in-thread games only. */
  plugins?: SearchPlugins;
}

/** Plays one game in this thread with `evaluator`. */
export async function playGame(evaluator: Evaluator, options: PlayGameOptions, hooks: PlayGameHooks = {}): Promise<PlayedGame> {
  const start = performance.now();
  const seed = options.seed ?? ((Math.random() * 0x7fffffff) | 0);
  const search = new MctsSearch(evaluator, { ...SELF_PLAY_SEARCH_PARAMS, ...options.params, seed }, hooks.plugins);
  const rng = new Rng(seed ^ 0x5bd1e995);
  const game = new Game(options.size, options.rules);
  const maxMoves = options.maxMoves ?? 2 * options.size * options.size;
  const fastVisits = options.fastVisits ?? 0;
  const fullProbability = options.fullSearchProbability ?? 1;
  const allowResign = options.allowResign ?? true;
  const moves: PlayedMove[] = [];
  let wouldResign: PlayedGame['wouldResign'] = null;
  let playouts = 0;

  while (game.board.passes < 2 && game.moves.length < maxMoves) {
    const color = game.toPlay;
    const full = fastVisits <= 0 || rng.next() < fullProbability;
    const result = await search.run(
      game,
      { visits: full ? options.visits : fastVisits },
      full ? {} : { params: { rootNoise: false, temperature: 0 } },
    );
    playouts += result.stats.playouts;
    let move: Move;
    if (result.move === 'resign') {
      if (allowResign) {
        const winner = opponent(color);
        return finish(winner, `${winner === BLACK ? 'B' : 'W'}+R`, null, true);
      }
      wouldResign ??= { moveNumber: game.moves.length, color };
      move = result.analysis.candidates[0]?.move ?? PASS;
    } else move = result.move;
    const played: PlayedMove = { color, move, policy: full ? result.visitDistribution : null, winrate: result.analysis.winrate, visits: result.analysis.visits };
    moves.push(played);
    game.play(move, color);
    hooks.onMove?.(played, moves.length);
  }
  const margin = score(game.board, { komi: game.effectiveKomi, scoring: 'area' }).margin;
  const winner: StoneColor | null = margin > 0 ? BLACK : margin < 0 ? opponent(BLACK) : null;
  return finish(winner, formatResult(margin), margin, false);

  function finish(winner: StoneColor | null, result: string, margin: number | null, resigned: boolean): PlayedGame {
    return {
      size: options.size,
      rules: { ...game.rules },
      moves,
      winner,
      result,
      margin,
      resigned,
      wouldResign,
      playouts,
      elapsedMs: performance.now() - start,
    };
  }
}
