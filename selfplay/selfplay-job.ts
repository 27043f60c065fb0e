/**
 * Search-pool job (runs in a worker thread, loaded from dist/): a worker's share of a block's self-play
 * games, played `parallel` at a time with their leaves batched into one net call (BatchingEvaluator over the
 * worker's evaluator), a new game starting as soon as one ends. On a CPU a small net's call costs about
 * the same for 1 leaf as for 8, so one game at a time (or a batch that empties before it is refilled) would
 * spend most of the worker's time in per-call overhead.
 *
 * Each game goes back to the main thread as soon as it ends, on the job's BroadcastChannel (a channel needs
 * no port handed over with the task: every thread that opens the same name hears it), so shards are written
 * while the job runs; with `stream` the games' start, moves and end go there too, for the live viewer. The
 * main thread posts 'drain' on the channel to stop new games (a promotion: self-play switches network);
 * games in flight finish. The job returns the indices of the games it posted.
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { Move, StoneColor } from '../engine/color.js';
import { compiledModule } from '../src/compiled-module.js';
import { BatchingEvaluator } from '../src/nn/batching.js';
import { playGame, type PlayGameOptions, type PlayedGame } from '../src/search/play-game.js';
import type { JobRef, WorkerContext } from '../src/search/pool-types.js';
import { runConcurrently } from './selfplay.js';

/** What a worker posts about a game (moves as plain data, no policy: the viewer needs none). */
export type StreamedEvent =
  | { kind: 'start'; game: number }
  | { kind: 'move'; game: number; moveNumber: number; color: StoneColor; move: Move; winrate: number; visits: number }
  | { kind: 'end'; game: number; result: string; moves: number };

/** Worker → main: everything on the job's channel. Main → worker: 'drain'. */
export type WorkerGameMessage = StreamedEvent | { kind: 'finished'; game: number; played: PlayedGame } | { kind: 'drain' };

export interface SelfplayGamesJobArgs {
  games: { index: number; options: PlayGameOptions }[];
  /** Games played at once in the worker. */
  parallel: number;
  /** The job's own BroadcastChannel name. */
  channel: string;
  /** Also post each game's start, moves and end (live viewer). */
  stream: boolean;
}

export async function playSelfplayGamesJob(ctx: WorkerContext, args: SelfplayGamesJobArgs): Promise<number[]> {
  const channel = new BroadcastChannel(args.channel);
  const drain = new AbortController();
  channel.onmessage = (message) => {
    if ((message as { data: WorkerGameMessage }).data.kind === 'drain') drain.abort();
  };
  const post = (m: WorkerGameMessage): void => channel.postMessage(m);
  const parallel = Math.max(1, Math.min(args.parallel, args.games.length));
  const evaluator = parallel > 1 ? new BatchingEvaluator(ctx.evaluator, { maxBatch: 256, maxWaitMs: 1, disposeInner: false }) : ctx.evaluator;
  const posted: number[] = [];
  try {
    await runConcurrently(args.games.length, parallel, drain.signal, async (k) => {
      const { index, options } = args.games[k]!;
      if (args.stream) post({ kind: 'start', game: index });
      const played = await playGame(
        evaluator,
        options,
        args.stream ? { onMove: (m, moveNumber) => post({ kind: 'move', game: index, moveNumber, color: m.color, move: m.move, winrate: m.winrate, visits: m.visits }) } : {},
      );
      if (args.stream) post({ kind: 'end', game: index, result: played.result, moves: played.moves.length });
      post({ kind: 'finished', game: index, played });
      posted.push(index);
    });
  } finally {
    if (evaluator !== ctx.evaluator) await evaluator.dispose();
    channel.close();
  }
  return posted;
}

/** The job's reference for SearchPool.runJob: the compiled twin of this module (workers never load sources). */
export function selfplayGamesJob(): JobRef {
  return { url: compiledModule('selfplay/selfplay-job.js', 'self-play job').href, exportName: 'playSelfplayGamesJob' };
}
