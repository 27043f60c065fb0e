/**
 * Gating: the candidate plays the current best, colours alternating (the candidate has Black in even
 * games), without root noise. So that a match is not the same two games repeated, the first `randomMoves`
 * moves of each game are sampled from the visit counts (temperature 1) with a per-game seed; after that
 * both sides play their best move. Several games run at once, their leaves batched per network.
 *
 * After every game the record RUN/gating/genXXXX.json is rewritten atomically with all finished games and
 * the running decision (gate-rule.ts); a resumed gate replays only the games not in the record. When the
 * rule decides, games still in flight are abandoned and the decision is written with the games it rests on.
 */
import { join } from 'node:path';
import { BLACK, opponent, type StoneColor } from '../engine/color.js';
import { Game } from '../engine/game.js';
import { score } from '../engine/score.js';
import { gameToSgf } from '../engine/sgf.js';
import { BatchingEvaluator } from '../src/nn/batching.js';
import type { Evaluator } from '../src/nn/evaluator.js';
import { MctsSearch } from '../src/search/mcts.js';
import { MATCH_SEARCH_PARAMS } from '../src/search/params.js';
import type { WatchGameHandle, WatchPublisher } from '../src/watch/hub.js';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from './atomic.js';
import type { MatchTally } from './elo.js';
import { gateDecision, type GateDecision, type GateRule } from './gate-rule.js';
import { mix, runConcurrently } from './selfplay.js';

export interface GateGameRecord {
  index: number;
  candidateColor: 'B' | 'W';
  /** From the candidate's point of view. */
  outcome: 'win' | 'loss' | 'draw';
  result: string;
  moves: number;
  sgf: string;
}

export interface GatingRecord {
  format: 'tengen-gating';
  generation: number;
  candidate: string;
  best: string;
  rule: GateRule;
  visits: number;
  randomMoves: number;
  games: GateGameRecord[];
  decision: GateDecision | null;
  started: string;
  finished: string | null;
}

export interface GatingOptions {
  size: number;
  komi: number;
  visits: number;
  randomMoves: number;
  resignThreshold: number;
  rule: GateRule;
  /** Games played at once. */
  parallel: number;
  seed: number;
  generation: number;
  candidateName: string;
  bestName: string;
  candidate: Evaluator;
  best: Evaluator;
  recordPath: string;
  sgfDir: string;
  watch?: WatchPublisher;
  onGame?: (record: GatingRecord, game: GateGameRecord) => void;
}

export function tallyOf(games: readonly GateGameRecord[]): MatchTally {
  const t = { wins: 0, losses: 0, draws: 0 };
  for (const g of games) {
    if (g.outcome === 'win') t.wins++;
    else if (g.outcome === 'loss') t.losses++;
    else t.draws++;
  }
  return t;
}

/** Plays (or resumes) the gating match; returns the record with its decision. */
export async function runGating(o: GatingOptions): Promise<GatingRecord> {
  const existing = readJsonIfExists<GatingRecord>(o.recordPath);
  const record: GatingRecord =
    existing !== null && existing.candidate === o.candidateName && existing.best === o.bestName
      ? existing
      : {
          format: 'tengen-gating',
          generation: o.generation,
          candidate: o.candidateName,
          best: o.bestName,
          rule: o.rule,
          visits: o.visits,
          randomMoves: o.randomMoves,
          games: [],
          decision: null,
          started: new Date().toISOString(),
          finished: null,
        };
  if (record.decision?.done) return record;
  const done = new Set(record.games.map((g) => g.index));
  const todo: number[] = [];
  for (let i = 0; i < o.rule.games && todo.length < o.rule.games - done.size; i++) if (!done.has(i)) todo.push(i);
  let decision = gateDecision(tallyOf(record.games), o.rule);
  const stop = new AbortController();
  if (decision.done) stop.abort();
  const parallel = Math.max(1, Math.min(o.parallel, todo.length));
  const batching = (e: Evaluator): Evaluator => (parallel > 1 ? new BatchingEvaluator(e, { maxBatch: 256, maxWaitMs: 1, disposeInner: false }) : e);
  const candidate = batching(o.candidate);
  const best = batching(o.best);
  try {
    await runConcurrently(todo.length, parallel, stop.signal, async (k) => {
      const index = todo[k]!;
      const candidateColor: StoneColor = index % 2 === 0 ? BLACK : opponent(BLACK);
      const played = await playMatchGame(o, index, candidateColor, candidate, best, stop.signal);
      if (played === null || decision.done) return;
      const sgfName = `game-${String(index).padStart(4, '0')}.sgf`;
      writeFileAtomic(join(o.sgfDir, sgfName), played.sgf);
      const game: GateGameRecord = {
        index,
        candidateColor: candidateColor === BLACK ? 'B' : 'W',
        outcome: played.winner === null ? 'draw' : played.winner === candidateColor ? 'win' : 'loss',
        result: played.result,
        moves: played.moves,
        sgf: sgfName,
      };
      record.games.push(game);
      decision = gateDecision(tallyOf(record.games), o.rule);
      record.decision = decision;
      if (decision.done) {
        record.finished = new Date().toISOString();
        stop.abort();
      }
      writeJsonAtomic(o.recordPath, record);
      o.onGame?.(record, game);
    });
  } finally {
    if (candidate !== o.candidate) await candidate.dispose();
    if (best !== o.best) await best.dispose();
  }
  if (!decision.done) throw new Error(`gating ${o.candidateName} vs ${o.bestName}: match ended without a decision`);
  return record;
}

async function playMatchGame(
  o: GatingOptions,
  index: number,
  candidateColor: StoneColor,
  candidate: Evaluator,
  best: Evaluator,
  signal: AbortSignal,
): Promise<{ winner: StoneColor | null; result: string; moves: number; sgf: string } | null> {
  const seed = mix(o.seed, index);
  const params = {
    ...MATCH_SEARCH_PARAMS,
    visits: o.visits,
    temperature: 1,
    temperatureMoves: o.randomMoves,
    moveSelection: 'visits' as const,
    resignThreshold: o.resignThreshold,
    resignMinMove: Math.min(20, Math.round((o.size * o.size) / 4)),
  };
  const searches: Record<StoneColor, MctsSearch> = {
    [candidateColor]: new MctsSearch(candidate, { ...params, seed }),
    [opponent(candidateColor)]: new MctsSearch(best, { ...params, seed: seed ^ 0x2545f491 }),
  } as Record<StoneColor, MctsSearch>;
  const names: Record<StoneColor, string> = { [candidateColor]: o.candidateName, [opponent(candidateColor)]: o.bestName } as Record<StoneColor, string>;
  const game = new Game(o.size, { komi: o.komi });
  const maxMoves = 3 * o.size * o.size;
  let handle: WatchGameHandle | null = null;
  try {
    handle = o.watch?.startGame({ black: names[BLACK], white: names[opponent(BLACK)], size: o.size, komi: o.komi, source: 'gating' }) ?? null;
  } catch {
    handle = null;
  }
  while (!game.isOver && game.moves.length < maxMoves) {
    if (signal.aborted) {
      handle?.end('Void');
      return null;
    }
    const color = game.toPlay;
    const r = await searches[color].run(game, { visits: o.visits }, { signal });
    if (signal.aborted) {
      handle?.end('Void');
      return null;
    }
    if (r.move === 'resign') {
      game.resign(color);
      break;
    }
    game.play(r.move, color);
    try {
      handle?.move({ color, move: r.move, analysis: { winrate: r.analysis.winrate, visits: r.analysis.visits } });
    } catch {
      handle = null;
    }
  }
  let winner: StoneColor | null;
  let result: string;
  if (game.result !== null) {
    winner = game.result.winner;
    result = game.result.text;
  } else {
    const s = score(game.board, { komi: o.komi, scoring: 'area' });
    winner = s.margin > 0 ? BLACK : s.margin < 0 ? opponent(BLACK) : null;
    result = s.result;
  }
  handle?.end(result);
  const sgf = gameToSgf(game, {
    blackName: names[BLACK],
    whiteName: names[opponent(BLACK)],
    result,
    event: `tengen gating, generation ${o.generation}`,
    gameComment: `game ${index}, seed ${seed}, first ${o.randomMoves} moves sampled`,
  });
  return { winner, result, moves: game.moves.length, sgf };
}
