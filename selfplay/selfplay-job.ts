/**
 * Search-pool job (runs in a worker thread, loaded from dist/): a batch of self-play games — one shard's
 * worth — played `parallel` at a time in the worker, their leaves batched into one net call (BatchingEvaluator
 * over the worker's evaluator). On a CPU a small net's call costs about the same for 1 leaf as for 8, so a
 * worker playing one game at a time would spend most of its time in per-call overhead.
 *
 * With a channel name, each game's start, moves and end are posted on a BroadcastChannel as they happen, so
 * the main thread can show the games live (live-games.ts). A BroadcastChannel needs no port handed over
 * with the task: every thread of the process that opens the same name hears it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BroadcastChannel } from 'node:worker_threads';
import { BatchingEvaluator } from '../src/nn/batching.js';
import { playGame, type PlayGameOptions, type PlayedGame } from '../src/search/play-game.js';
import type { JobRef, WorkerContext } from '../src/search/pool-types.js';
import type { StreamedEvent } from './live-games.js';
import { runConcurrently } from './selfplay.js';

export interface SelfplayGamesJobArgs {
  games: { index: number; options: PlayGameOptions }[];
  /** Games played at once in the worker. */
  parallel: number;
  /** BroadcastChannel to stream the games on, or null. */
  channel: string | null;
}

/** Plays the games and returns them in the order given. */
export async function playSelfplayGamesJob(ctx: WorkerContext, args: SelfplayGamesJobArgs): Promise<PlayedGame[]> {
  const channel = args.channel === null ? null : new BroadcastChannel(args.channel);
  const post = (event: StreamedEvent): void => channel?.postMessage(event);
  const parallel = Math.max(1, Math.min(args.parallel, args.games.length));
  const evaluator = parallel > 1 ? new BatchingEvaluator(ctx.evaluator, { maxBatch: 256, maxWaitMs: 1, disposeInner: false }) : ctx.evaluator;
  const results: PlayedGame[] = new Array<PlayedGame>(args.games.length);
  try {
    await runConcurrently(args.games.length, parallel, undefined, async (k) => {
      const { index, options } = args.games[k]!;
      post({ kind: 'start', game: index });
      const played = await playGame(
        evaluator,
        options,
        channel === null ? {} : { onMove: (m, moveNumber) => post({ kind: 'move', game: index, moveNumber, color: m.color, move: m.move, winrate: m.winrate, visits: m.visits }) },
      );
      post({ kind: 'end', game: index, result: played.result, moves: played.moves.length });
      results[k] = played;
    });
  } finally {
    if (evaluator !== ctx.evaluator) await evaluator.dispose();
    channel?.close();
  }
  return results;
}

/** The job's reference for SearchPool.runJob: the compiled twin of this module (workers never load sources). */
export function selfplayGamesJob(): JobRef {
  const here = new URL(import.meta.url);
  const url = here.pathname.endsWith('.js') ? here : new URL('../dist/selfplay/selfplay-job.js', here);
  if (!existsSync(fileURLToPath(url))) throw new Error(`compiled self-play job not found at ${fileURLToPath(url)}: run \`npm run build\` first`);
  return { url: url.href, exportName: 'playSelfplayGamesJob' };
}
