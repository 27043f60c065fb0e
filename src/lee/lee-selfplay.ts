/**
 * `tengen selfplay --mode lee|rollout`: games of the AlphaGo-Lee search (or rollout-only MCTS) against
 * itself, written as SGFs and as training shards tagged with the Lee feature set (shards store stones, so
 * the Lee planes are encoded when read). The games use src/search's playGame with the rollout leaf as a
 * search plug-in, so noise, temperature, resignation and the record format are the Zero self-play's.
 *
 * Games run in this thread, one after another: the rollouts already share the thread with the nets' calls
 * (lee-search.ts), and a plug-in is an object that cannot be sent to a pool worker.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BLACK, WHITE } from '../../engine/color.js';
import { playGame, type PlayGameOptions, type PlayedGame } from '../search/play-game.js';
import { writeFileAtomic } from '../../selfplay/atomic.js';
import { addGameRecords, mix, playedGameToSgf, standaloneSgfPath, standaloneShardPath } from '../../selfplay/selfplay.js';
import { ShardWriter } from '../../selfplay/shards.js';
import { LEE_SEARCH_DEFAULTS, leeSearch, rolloutSearch, type LeePlayer } from './lee-search.js';
import { readLeeModelSet, type PriorPolicy } from './model-set.js';

/** Defaults of `tengen selfplay --mode lee`, in one place. */
export const LEE_SELFPLAY_DEFAULTS = {
  visits: 200,
  komi: 7.5,
  size: 9,
  seed: 1,
  /** Moves sampled with temperature 1 at the start of a game (then the most visited). */
  temperatureMoves: 8,
  gamesPerShard: 10,
  resignThreshold: 0.05,
};

export const LEE_SELFPLAY_USAGE = `usage: tengen selfplay --mode lee|rollout --games N --out DIR [options]

AlphaGo-Lee self-play: the Lee search (SL-policy priors, leaves (1 − λ)·value net + λ·rollout, n_thr)
or rollout-only MCTS plays itself; writes DIR/game-NNNNNN.sgf and DIR/shard-NNNNN.tgsh (Lee feature set).
(Without --mode, or with --mode zero, see \`tengen selfplay --help\`.)

  --mode lee|rollout     which search plays (required here)
  --model DIR            Lee model set (lee.json, sl/, value/), required for --mode lee
  --games N              games to play (required)
  --out DIR              output directory (required)
  --visits N             visits per move (default ${LEE_SELFPLAY_DEFAULTS.visits})
  --lambda X             rollout weight λ (default ${LEE_SEARCH_DEFAULTS.lambda})
  --expand-threshold N   n_thr (default ${LEE_SEARCH_DEFAULTS.expandThreshold})
  --policy sl|rl         priors from the SL or RL policy net (default ${LEE_SEARCH_DEFAULTS.policy})
  --rollout-policy FILE  rollout weights (default: the set's, else models/rollout-policy.json)
  --rollout-threads N    worker threads for the rollouts, 0 = this thread (default ${LEE_SEARCH_DEFAULTS.rolloutThreads})
  --temperature-moves N  moves played by sampling ∝ visits (default ${LEE_SELFPLAY_DEFAULTS.temperatureMoves})
  --size N               board size for --mode rollout (default ${LEE_SELFPLAY_DEFAULTS.size}; --mode lee: the set's)
  --komi K               komi (default ${LEE_SELFPLAY_DEFAULTS.komi})
  --threads N            network threads (default: all cores)
  --backend NAME         auto|onnx|wasm|cpu (default auto)
  --seed N               seed (default ${LEE_SELFPLAY_DEFAULTS.seed})
  --no-progress          no per-game lines
  -h, --help             this text
`;

class UsageError extends Error {}

function num(text: string | undefined, name: string, min: number, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got '${text}'`);
  }
  return n;
}

/**
 * The `--mode` an argument list asks for ('zero' when none) and the arguments without it, for
 * selfplay/main.ts to dispatch on (the Zero self-play parses the rest as before).
 */
export function splitSelfplayMode(argv: readonly string[]): { mode: string; rest: string[] } {
  let mode = 'zero';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--mode') mode = argv[++i] ?? '';
    else if (a.startsWith('--mode=')) mode = a.slice('--mode='.length);
    else rest.push(a);
  }
  return { mode, rest };
}

export interface LeeSelfplayOptions {
  player: LeePlayer;
  size: number;
  komi: number;
  games: number;
  visits: number;
  out: string;
  seed: number;
  temperatureMoves: number;
  name: string;
  onGame?: (game: PlayedGame, index: number) => void;
}

/** Plays the games and writes SGFs and Lee shards; returns the games. */
export async function playLeeSelfplay(o: LeeSelfplayOptions): Promise<PlayedGame[]> {
  mkdirSync(o.out, { recursive: true });
  const p = o.player.params;
  const played: PlayedGame[] = [];
  let writer = new ShardWriter(o.size, 'lee', 8);
  let shard = 0;
  const flush = (): void => {
    if (writer.gameCount === 0) return;
    writer.writeTo(standaloneShardPath(o.out, shard++));
    writer = new ShardWriter(o.size, 'lee', 8);
  };
  o.player.leaf.setKomi(o.komi);
  for (let i = 0; i < o.games; i++) {
    const seed = mix(o.seed, i);
    const options: PlayGameOptions = {
      size: o.size,
      rules: { komi: o.komi },
      visits: o.visits,
      allowResign: true,
      seed,
      // Over SELF_PLAY_SEARCH_PARAMS (noise, temperature), which playGame applies.
      params: {
        expandThreshold: p.expandThreshold,
        lanes: p.lanes,
        batchSize: p.batchSize,
        virtualLoss: p.virtualLoss,
        temperatureMoves: o.temperatureMoves,
        resignThreshold: LEE_SELFPLAY_DEFAULTS.resignThreshold,
        resignMinMove: Math.min(20, Math.round((o.size * o.size) / 4)),
      },
    };
    const game = await playGame(o.player.evaluator, options, { plugins: { leafValue: o.player.leaf } });
    writeFileAtomic(standaloneSgfPath(o.out, i), playedGameToSgf(game, o.komi, { black: o.name, white: o.name, comment: `tengen ${o.player.mode} self-play game ${i}, seed ${seed}: ${o.player.description}` }));
    addGameRecords(writer, game, o.komi);
    if (writer.gameCount >= LEE_SELFPLAY_DEFAULTS.gamesPerShard) flush();
    played.push(game);
    o.onGame?.(game, i);
  }
  flush();
  return played;
}

export async function leeSelfplayMain(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        mode: { type: 'string' },
        model: { type: 'string' },
        games: { type: 'string' },
        out: { type: 'string' },
        visits: { type: 'string' },
        lambda: { type: 'string' },
        'expand-threshold': { type: 'string' },
        policy: { type: 'string' },
        'rollout-policy': { type: 'string' },
        'rollout-threads': { type: 'string' },
        'temperature-moves': { type: 'string' },
        size: { type: 'string' },
        komi: { type: 'string' },
        threads: { type: 'string' },
        backend: { type: 'string' },
        seed: { type: 'string' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    process.stderr.write(`tengen selfplay: ${(e as Error).message}\n\n${LEE_SELFPLAY_USAGE}`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(LEE_SELFPLAY_USAGE);
    return 0;
  }
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  let player: LeePlayer | null = null;
  try {
    const mode = v.mode;
    if (mode !== 'lee' && mode !== 'rollout') throw new UsageError(`--mode must be lee or rollout here, got '${String(mode)}'`);
    const games = num(v.games, 'games', 1, true);
    const out = v.out;
    if (games === undefined || out === undefined) throw new UsageError('--games and --out are required');
    if (mode === 'lee' && v.model === undefined) throw new UsageError('--mode lee needs --model DIR (a Lee model set)');
    if (v.policy !== undefined && v.policy !== 'sl' && v.policy !== 'rl') throw new UsageError(`--policy must be sl or rl, got '${v.policy}'`);
    const policy = v.policy as PriorPolicy | undefined;
    const lambda = num(v.lambda, 'lambda', 0, false);
    if (lambda !== undefined && lambda > 1) throw new UsageError(`--lambda must be in [0, 1], got ${lambda}`);
    const komi = v.komi === undefined ? LEE_SELFPLAY_DEFAULTS.komi : Number(v.komi);
    if (!Number.isFinite(komi)) throw new UsageError(`--komi must be a number, got '${v.komi}'`);
    const seed = num(v.seed, 'seed', 0, true) ?? LEE_SELFPLAY_DEFAULTS.seed;
    const backend = (v.backend ?? 'auto') as 'auto' | 'onnx' | 'wasm' | 'cpu';
    if (!['auto', 'onnx', 'wasm', 'cpu'].includes(backend)) throw new UsageError(`--backend must be auto, onnx, wasm or cpu, got '${v.backend}'`);
    const config = { lambda, expandThreshold: num(v['expand-threshold'], 'expand-threshold', 1, true), policy, rolloutThreads: num(v['rollout-threads'], 'rollout-threads', 0, true) };
    let size: number;
    if (mode === 'lee') {
      const files = await readLeeModelSet(v.model!, { policy, rolloutPolicy: v['rollout-policy'] });
      size = files.boardSize;
      if (v.size !== undefined && Number(v.size) !== size) throw new UsageError(`--size ${v.size} does not match the Lee model set's board size ${size}`);
      player = await leeSearch(files, komi, { backend, threads: num(v.threads, 'threads', 1, true), config, seed, log });
    } else {
      size = num(v.size, 'size', 2, true) ?? LEE_SELFPLAY_DEFAULTS.size;
      if (v['rollout-policy'] !== undefined && !existsSync(v['rollout-policy'])) throw new UsageError(`rollout policy ${v['rollout-policy']} does not exist`);
      player = rolloutSearch(size, komi, { config, seed, rolloutPolicy: v['rollout-policy'] });
    }
    const name = mode === 'lee' ? `tengen-lee(${basename(resolve(v.model!))})` : 'tengen-rollout';
    const started = performance.now();
    const progress = v['no-progress'] !== true;
    log(`selfplay: ${player.description}`);
    const played = await playLeeSelfplay({
      player,
      size,
      komi,
      games,
      visits: num(v.visits, 'visits', 1, true) ?? LEE_SELFPLAY_DEFAULTS.visits,
      out,
      seed,
      temperatureMoves: num(v['temperature-moves'], 'temperature-moves', 0, true) ?? LEE_SELFPLAY_DEFAULTS.temperatureMoves,
      name,
      onGame: (g, i) => {
        if (progress) log(`game ${i + 1}/${games}: ${g.result} in ${g.moves.length} moves, ${(g.playouts / (g.elapsedMs / 1000)).toFixed(0)} visits/s`);
      },
    });
    const sec = (performance.now() - started) / 1000;
    const moves = played.reduce((s, g) => s + g.moves.length, 0);
    const black = played.filter((g) => g.winner === BLACK).length;
    const white = played.filter((g) => g.winner === WHITE).length;
    log(
      `selfplay: ${played.length} games, ${moves} moves in ${sec.toFixed(1)} s (${(moves / sec).toFixed(2)} moves/s); B ${black} W ${white}; ` +
        `${player.leaf.rollouts} rollouts (${(player.leaf.rollouts / sec).toFixed(0)}/s); SGFs and shards in ${out}`,
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tengen selfplay: ${e.message}\n\n${LEE_SELFPLAY_USAGE}`);
      return 2;
    }
    log(`tengen selfplay: ${(e as Error).message}`);
    return 1;
  } finally {
    await player?.dispose();
  }
}
