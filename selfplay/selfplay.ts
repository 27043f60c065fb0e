/**
 * Self-play: the best network plays itself with the search (src/search playGame: Dirichlet noise at the
 * root, temperature 1 for the first moves then the most visited move, resignation, optional playout-cap
 * randomisation), and each finished game becomes training records (state, π, z) in a shard plus an SGF.
 *
 * Games run either in this thread (`parallelGames` at once, their leaves batched into one net call), or on
 * a SearchPool of worker threads each with its own evaluator (`workers` > 0; needs dist/): worker w plays
 * every workers-th game (so shards fill in order), `parallelGames` at once with their leaves batched the
 * same way, and sends each game back as it ends (selfplay-job.ts).
 * Records are written a shard (gamesPerShard games) at a time, atomically: a killed run keeps every shard
 * it finished and loses only the games of the shard being filled. A fraction of games (noResignFraction)
 * is played out with resignation off; the ones where the loser-to-be would have resigned but won measure
 * the false-resignation rate. With a watcher every game streams to the live viewer move by move
 * (live-games.ts), whether it runs in this thread or on a worker.
 */
import { join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { BLACK, WHITE, type StoneColor } from '../engine/color.js';
import { Game } from '../engine/game.js';
import { gameToSgf } from '../engine/sgf.js';
import type { Evaluator } from '../src/nn/evaluator.js';
import { BatchingEvaluator } from '../src/nn/batching.js';
import { playGame, type PlayGameOptions, type PlayedGame } from '../src/search/play-game.js';
import type { SearchPool } from '../src/search/pool.js';
import type { WatchPublisher } from '../src/watch/hub.js';
import { LiveSelfplayGames } from './live-games.js';
import { selfplayGamesJob, type SelfplayGamesJobArgs, type WorkerGameMessage } from './selfplay-job.js';
import { ShardWriter } from './shards.js';
import { writeFileAtomic } from './atomic.js';
import type { SelfplayConfig } from './config.js';

export const HISTORY_LENGTH = 8;

export interface SelfplaySummary {
  games: number;
  positions: number;
  moves: number;
  blackWins: number;
  whiteWins: number;
  draws: number;
  resigned: number;
  /** Games played out with resignation off. */
  noResignGames: number;
  /** … of which the side that would have resigned went on to win or draw. */
  falseResignations: number;
  /** … and those where someone would have resigned at all. */
  wouldResign: number;
  playouts: number;
  elapsedMs: number;
}

export function emptySummary(): SelfplaySummary {
  return { games: 0, positions: 0, moves: 0, blackWins: 0, whiteWins: 0, draws: 0, resigned: 0, noResignGames: 0, falseResignations: 0, wouldResign: 0, playouts: 0, elapsedMs: 0 };
}

export interface SelfplayBatchOptions {
  size: number;
  komi: number;
  config: SelfplayConfig;
  /** First game index (games before it are already on disk). */
  firstGame: number;
  /** Games to play from firstGame. */
  games: number;
  /** Shard k holds games [k·gamesPerShard, (k+1)·gamesPerShard). */
  shardPath: (index: number) => string;
  sgfPath: (game: number) => string;
  seed: number;
  /** Name of the network, written into the SGFs and the watcher. */
  networkName: string;
  /** Where games are played: in this thread with `evaluator`, or on `pool`. */
  evaluator?: Evaluator;
  pool?: SearchPool;
  watch?: WatchPublisher;
  /** Watch game ids are `${watchId}-${index}` (default 'selfplay'): unique per run generation and block. */
  watchId?: string;
  /** Called as each game ends, with how many games of this call have ended so far. */
  onGame?: (game: PlayedGame, index: number, finishedGames: number) => void;
  onShard?: (path: string, records: number) => void;
  /** Aborts: games in flight are abandoned (pool jobs are cancelled). */
  signal?: AbortSignal;
  /** Drains: no new games start, games in flight finish, and every shard they complete is written. */
  drain?: AbortSignal;
}

/** The game options of game `index`: seed, and whether it may resign (decided by a hash, so resumes agree). */
export function gameOptions(o: Pick<SelfplayBatchOptions, 'size' | 'komi' | 'config' | 'seed'>, index: number): PlayGameOptions {
  const c = o.config;
  const seed = mix(o.seed, index);
  const allowResign = c.resignThreshold > 0 && (seed % 1000) / 1000 >= c.noResignFraction;
  return {
    size: o.size,
    rules: { komi: o.komi },
    visits: c.visits,
    fastVisits: c.playoutCap ? c.fastVisits : 0,
    fullSearchProbability: c.playoutCap ? c.fullSearchProbability : 1,
    allowResign,
    maxMoves: Math.round(c.maxMovesPerArea * o.size * o.size),
    seed,
    params: {
      temperature: 1,
      temperatureMoves: c.temperatureMoves,
      rootNoise: true,
      dirichletWeight: c.dirichletWeight,
      dirichletTotalAlpha: c.dirichletTotalAlpha,
      // With resignation off the search still reports when it would resign (PlayedGame.wouldResign).
      resignThreshold: c.resignThreshold,
      resignMinMove: Math.min(20, Math.round((o.size * o.size) / 4)),
    },
  };
}

/** A 31-bit hash of (seed, index): independent per-game seeds. */
export function mix(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

/**
 * Adds a finished game's full-search positions to a shard writer; returns how many. With a value-target
 * writer each record also keeps the search's root value for the mover (q = 2·winrate − 1).
 */
export function addGameRecords(writer: ShardWriter, played: PlayedGame, komi: number): number {
  const game = new Game(played.size, { komi });
  let added = 0;
  for (const m of played.moves) {
    if (m.policy !== null) {
      const z = played.winner === null ? 0 : played.winner === m.color ? 1 : -1;
      const q = writer.valueTargets ? Math.max(-1, Math.min(1, 2 * m.winrate - 1)) : undefined;
      writer.add(game.stonesHistory(HISTORY_LENGTH), m.color, m.policy, z, q);
      added++;
    }
    game.play(m.move, m.color);
  }
  writer.endGame();
  return added;
}

export function playedGameToSgf(played: PlayedGame, komi: number, info: { black: string; white: string; comment?: string }): string {
  const game = new Game(played.size, { komi });
  for (const m of played.moves) game.play(m.move, m.color);
  return gameToSgf(game, { blackName: info.black, whiteName: info.white, result: played.result, gameComment: info.comment });
}

function tally(summary: SelfplaySummary, played: PlayedGame, allowResign: boolean, positions: number): void {
  summary.games++;
  summary.positions += positions;
  summary.moves += played.moves.length;
  summary.playouts += played.playouts;
  summary.elapsedMs += played.elapsedMs;
  if (played.winner === BLACK) summary.blackWins++;
  else if (played.winner === WHITE) summary.whiteWins++;
  else summary.draws++;
  if (played.resigned) summary.resigned++;
  if (!allowResign) {
    summary.noResignGames++;
    if (played.wouldResign !== null) {
      summary.wouldResign++;
      if (played.winner !== (3 - played.wouldResign.color as StoneColor)) summary.falseResignations++;
    }
  }
}

/**
 * Plays games [firstGame, firstGame + games), writing one shard (and its SGFs) per gamesPerShard games in
 * index order. Games finish out of order; a shard is written once all its games are in.
 */
export async function playSelfplayGames(o: SelfplayBatchOptions): Promise<SelfplaySummary> {
  const per = o.config.gamesPerShard;
  if (o.firstGame % per !== 0) throw new Error(`self-play: first game ${o.firstGame} is not at a shard boundary (${per} games per shard)`);
  const summary = emptySummary();
  const end = o.firstGame + o.games;
  const finished = new Map<number, PlayedGame>();
  let nextShardStart = o.firstGame;
  const flush = (): void => {
    while (nextShardStart < end) {
      const shardEnd = Math.min(nextShardStart + per, end);
      for (let i = nextShardStart; i < shardEnd; i++) if (!finished.has(i)) return;
      const writer = new ShardWriter(o.size, 'zero', HISTORY_LENGTH, true);
      for (let i = nextShardStart; i < shardEnd; i++) {
        const played = finished.get(i)!;
        const options = gameOptions(o, i);
        writeFileAtomic(
          o.sgfPath(i),
          playedGameToSgf(played, o.komi, {
            black: o.networkName,
            white: o.networkName,
            comment: `tengen self-play game ${i}, seed ${options.seed}${options.allowResign ? '' : ', resignation off'}`,
          }),
        );
      }
      for (let i = nextShardStart; i < shardEnd; i++) {
        const positions = addGameRecords(writer, finished.get(i)!, o.komi);
        tally(summary, finished.get(i)!, gameOptions(o, i).allowResign ?? true, positions);
        finished.delete(i);
      }
      const path = o.shardPath(Math.floor(nextShardStart / per));
      writer.writeTo(path);
      o.onShard?.(path, writer.recordCount);
      nextShardStart = shardEnd;
    }
  };
  let finishedGames = 0;
  const live = o.watch === undefined ? null : new LiveSelfplayGames(o.watch, { size: o.size, komi: o.komi, networkName: o.networkName, idPrefix: o.watchId ?? 'selfplay' });
  const onFinished = (played: PlayedGame, index: number): void => {
    finished.set(index, played);
    finishedGames++;
    live?.finish(index, played);
    flush();
    o.onGame?.(played, index, finishedGames);
  };

  const stopStarting = o.drain === undefined ? o.signal : o.signal === undefined ? o.drain : AbortSignal.any([o.signal, o.drain]);
  try {
    if (o.pool !== undefined) {
      await playOnPool(o, o.pool, live, onFinished);
    } else {
      if (o.evaluator === undefined) throw new Error('self-play: give an evaluator or a pool');
      const parallel = Math.max(1, Math.min(o.config.parallelGames, o.games));
      const shared = parallel > 1 ? new BatchingEvaluator(o.evaluator, { maxBatch: 256, maxWaitMs: 1, disposeInner: false }) : o.evaluator;
      try {
        await runConcurrently(o.games, parallel, stopStarting, async (k) => {
          const index = o.firstGame + k;
          live?.begin(index);
          const onMove = live === null ? undefined : (m: PlayedGame['moves'][number], moveNumber: number) => live.move(index, { ...m, moveNumber });
          onFinished(await playGame(shared, gameOptions(o, index), { onMove }), index);
        });
      } finally {
        if (shared !== o.evaluator) await shared.dispose();
      }
    }
  } finally {
    live?.close();
  }
  flush();
  return summary;
}

/**
 * The pool half of playSelfplayGames: one job per worker, each with its own BroadcastChannel on which the
 * worker sends every game as it ends (and, for the viewer, its moves as they are played). `o.drain` is
 * passed on as a 'drain' message; `o.signal` cancels the jobs.
 */
async function playOnPool(o: SelfplayBatchOptions, pool: SearchPool, live: LiveSelfplayGames | null, onFinished: (played: PlayedGame, index: number) => void): Promise<void> {
  if (o.drain?.aborted || o.signal?.aborted) return;
  const job = selfplayGamesJob();
  const lanes = Math.min(pool.workers, o.games);
  const prefix = `tengen-selfplay-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const received = new Set<number>();
  let arrival: (() => void) | null = null;
  // A throw inside a channel handler would be an uncaught exception: keep it and fail the call instead.
  let handlerFailure: unknown = null;
  const channels = Array.from({ length: lanes }, (_, w) => {
    const channel = new BroadcastChannel(`${prefix}-${w}`);
    channel.onmessage = (message) => {
      const m = (message as { data: WorkerGameMessage }).data;
      try {
        if (m.kind === 'finished') {
          received.add(m.game);
          onFinished(m.played, m.game);
        } else if (m.kind !== 'drain') live?.event(m);
      } catch (e) {
        handlerFailure ??= e;
        drain();
      }
      if (m.kind === 'finished') arrival?.();
    };
    return channel;
  });
  const drain = (): void => {
    for (const c of channels) c.postMessage({ kind: 'drain' } satisfies WorkerGameMessage);
  };
  o.drain?.addEventListener('abort', drain, { once: true });
  // The job's answer and its channel's messages travel apart: wait for every game it says it posted.
  const allArrived = async (indices: number[]): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!indices.every((i) => received.has(i)) && handlerFailure === null) {
      if (Date.now() > deadline) throw new Error(`self-play: games ${indices.filter((i) => !received.has(i)).join(', ')} finished in a worker but never arrived`);
      await new Promise<void>((resolve) => {
        arrival = resolve;
        setTimeout(resolve, 50).unref();
      });
    }
  };
  try {
    const results = await Promise.allSettled(
      channels.map(async (_, w) => {
        const games: SelfplayGamesJobArgs['games'] = [];
        for (let i = o.firstGame + w; i < o.firstGame + o.games; i += lanes) games.push({ index: i, options: gameOptions(o, i) });
        const args: SelfplayGamesJobArgs = { games, parallel: o.config.parallelGames, channel: `${prefix}-${w}`, stream: live !== null };
        await allArrived(await pool.runJob<SelfplayGamesJobArgs, number[]>(job, args, { signal: o.signal }));
      }),
    );
    if (handlerFailure !== null) throw handlerFailure;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } finally {
    o.drain?.removeEventListener('abort', drain);
    for (const c of channels) c.close();
  }
}

/** Runs task(0..count-1) with at most `limit` at once; stops starting new ones when aborted. */
export async function runConcurrently(count: number, limit: number, signal: AbortSignal | undefined, task: (k: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const lane = async (): Promise<void> => {
    while (next < count && failure === null && !signal?.aborted) {
      const k = next++;
      try {
        await task(k);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  if (failure !== null) throw failure;
}

export function standaloneShardPath(outDir: string, index: number): string {
  return join(outDir, `shard-${String(index).padStart(5, '0')}.tgsh`);
}

export function standaloneSgfPath(outDir: string, game: number): string {
  return join(outDir, `game-${String(game).padStart(6, '0')}.sgf`);
}
