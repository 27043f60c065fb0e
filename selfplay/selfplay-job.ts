/**
 * Search-pool job (runs in a worker thread, loaded from dist/): one self-play game whose moves are posted
 * on a BroadcastChannel as they are played, so the main thread can show the game live (live-games.ts).
 * A BroadcastChannel needs no port handed over with the task: every thread of the process that opens the
 * same name hears it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BroadcastChannel } from 'node:worker_threads';
import { playGame, type PlayGameOptions, type PlayedGame } from '../src/search/play-game.js';
import type { JobRef, WorkerContext } from '../src/search/pool-types.js';
import type { StreamedMove } from './live-games.js';

export interface StreamedGameArgs {
  options: PlayGameOptions;
  /** The game's index, echoed in every streamed move. */
  game: number;
  channel: string;
}

export async function playStreamedGameJob(ctx: WorkerContext, args: StreamedGameArgs): Promise<PlayedGame> {
  const channel = new BroadcastChannel(args.channel);
  try {
    return await playGame(ctx.evaluator, args.options, {
      onMove: (m, moveNumber) => {
        const message: StreamedMove = { game: args.game, moveNumber, color: m.color, move: m.move, winrate: m.winrate, visits: m.visits };
        channel.postMessage(message);
      },
    });
  } finally {
    channel.close();
  }
}

/** The job's reference for SearchPool.runJob: the compiled twin of this module (workers never load sources). */
export function streamedGameJob(): JobRef {
  const here = new URL(import.meta.url);
  const url = here.pathname.endsWith('.js') ? here : new URL('../dist/selfplay/selfplay-job.js', here);
  if (!existsSync(fileURLToPath(url))) throw new Error(`compiled self-play job not found at ${fileURLToPath(url)}: run \`npm run build\` first`);
  return { url: url.href, exportName: 'playStreamedGameJob' };
}
