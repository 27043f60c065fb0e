/**
 * Supervised bootstrap of a run from recorded games (e.g. GNU Go's, collected with `tengen collect`): each
 * SGF becomes training records in the self-play shard format, π = the played move (one-hot) and z = the
 * game's result for the side to move, so the unchanged trainer (train.ts) fits a first network to them.
 *
 * The records go to RUN/shards/gen0000/: generation 0's data, older than any self-play generation, so the
 * training window of generation g ≥ 1 (train.ts loadTrainingWindow) takes them after the newest self-play
 * games until the window is full. Generation 1's candidate is then trained from the random gen0000 on the
 * records alone and the run moves on to gating it (`tengen run` resumes there): AlphaGo's SL network
 * followed by self-play, inside the Zero loop's own files.
 */
import { readFileSync } from 'node:fs';
import { BLACK, WHITE, moveToAction, type StoneColor } from '../engine/color.js';
import { sgfToGame, type LoadedSgf } from '../engine/sgf.js';
import type { Game } from '../engine/game.js';
import type { Board } from '../engine/board.js';
import type { RunConfig } from './config.js';
import { generationName, type RunDir } from './run-dir.js';
import { HISTORY_LENGTH } from './selfplay.js';
import { ShardWriter, type ShardFeatureSet } from './shards.js';

/** The generation whose shards hold bootstrap records. */
export const BOOTSTRAP_GENERATION = 0;

/**
 * The winner a record's RE property names: the colour, null for a draw, undefined when RE is missing or
 * says nothing usable ('?', 'Void'), in which case the caller scores the final position.
 */
export function winnerFromResult(result: string | undefined): StoneColor | null | undefined {
  if (result === undefined) return undefined;
  const text = result.trim().toUpperCase();
  if (text === '0' || text === 'DRAW' || text === 'JIGO') return null;
  const m = /^([BW])\+/.exec(text);
  if (m === null) return undefined;
  return m[1] === 'B' ? BLACK : WHITE;
}

/** The game's winner: from RE when it says, else by scoring the final position under the record's rules. */
export function gameWinner(loaded: LoadedSgf): StoneColor | null {
  const named = winnerFromResult(loaded.result);
  if (named !== undefined) return named;
  const margin = loaded.game.score().margin;
  return margin > 0 ? BLACK : margin < 0 ? WHITE : null;
}

/**
 * Adds one record per move of `game` to `writer` (the position before the move, the played move as π,
 * the outcome for the mover as z) and closes the game. `start` is the same game before its first move
 * (setup or handicap stones only); it is played forward. Returns the number of records.
 */
export function addRecordedGame(writer: ShardWriter, game: Game, start: Game, winner: StoneColor | null, valueLabel?: PositionValueLabel): number {
  if (writer.valueTargets !== (valueLabel !== undefined)) throw new Error('addRecordedGame: a value-target writer needs a valueLabel, and only it');
  const area = game.size * game.size;
  const replay = start;
  if (replay.moves.length !== 0) throw new Error('addRecordedGame: the start position must have no moves');
  const policy = new Uint16Array(area + 1);
  let added = 0;
  for (const m of game.moves) {
    const action = moveToAction(m.move, area);
    policy[action] = 1;
    const z = winner === null ? 0 : winner === m.color ? 1 : -1;
    writer.add(replay.stonesHistory(HISTORY_LENGTH), m.color, policy, z, valueLabel?.(replay.board));
    policy[action] = 0;
    replay.play(m.move, m.color);
    added++;
  }
  writer.endGame();
  return added;
}

/**
 * A value estimate in [-1, 1] of a position for its side to move (board.toPlay), e.g. the mean outcome of
 * rollouts from it (bootstrap --value-rollouts). Must not change the board.
 */
export type PositionValueLabel = (board: Board) => number;

export interface SgfConversionOptions {
  boardSize: number;
  komi: number;
  gamesPerShard: number;
  /** Where shard i goes. */
  shardPath: (index: number) => string;
  /** Shards already on disk (a resumed conversion rewrites none of them). */
  existing?: ReadonlySet<number>;
  /** Records with fewer moves are skipped (e.g. early resignations that teach nothing). */
  minMoves?: number;
  /** Feature set the shards are for: 'zero' (self-play nets) or 'lee' (the AlphaGo-Lee SL policy). */
  featureSet?: ShardFeatureSet;
  /** Label every position with a value target q besides z (shards format version 2). */
  valueLabel?: PositionValueLabel;
  onGame?: (done: number, total: number) => void;
}

export interface SgfConversionSummary {
  files: number;
  games: number;
  positions: number;
  shards: number;
  /** Shards found already written (resume). */
  shardsKept: number;
  blackWins: number;
  whiteWins: number;
  draws: number;
  rejected: { file: string; reason: string }[];
}

/**
 * Converts SGF files (in the given order) into shards of `gamesPerShard` games. Records for another board
 * size or komi, unparsable or illegal ones are rejected with the reason, not fatal: a folder of collected
 * games may hold a few broken files. The conversion is deterministic, so a rerun rewrites only the
 * shards that are missing.
 */
export function convertSgfsToShards(files: readonly string[], o: SgfConversionOptions): SgfConversionSummary {
  if (!Number.isInteger(o.gamesPerShard) || o.gamesPerShard < 1) throw new RangeError(`gamesPerShard must be a positive integer, got ${o.gamesPerShard}`);
  const summary: SgfConversionSummary = { files: files.length, games: 0, positions: 0, shards: 0, shardsKept: 0, blackWins: 0, whiteWins: 0, draws: 0, rejected: [] };
  const minMoves = o.minMoves ?? 1;
  const featureSet = o.featureSet ?? 'zero';
  const valueTargets = o.valueLabel !== undefined;
  let writer = new ShardWriter(o.boardSize, featureSet, HISTORY_LENGTH, valueTargets);
  let shardIndex = 0;
  const flush = (): void => {
    if (writer.gameCount === 0) return;
    if (o.existing?.has(shardIndex)) summary.shardsKept++;
    else writer.writeTo(o.shardPath(shardIndex));
    summary.shards++;
    shardIndex++;
    writer = new ShardWriter(o.boardSize, featureSet, HISTORY_LENGTH, valueTargets);
  };
  files.forEach((file, i) => {
    let loaded: LoadedSgf;
    let start: Game;
    try {
      const text = readFileSync(file, 'utf8');
      loaded = sgfToGame(text);
      start = sgfToGame(text, { moveLimit: 0 }).game;
    } catch (e) {
      summary.rejected.push({ file, reason: (e as Error).message });
      return;
    }
    const { game } = loaded;
    if (game.size !== o.boardSize) summary.rejected.push({ file, reason: `board size ${game.size}, the run is ${o.boardSize}x${o.boardSize}` });
    else if (game.rules.komi !== o.komi) summary.rejected.push({ file, reason: `komi ${game.rules.komi}, the run uses ${o.komi} (z would be for another game)` });
    else if (game.moves.length < minMoves) summary.rejected.push({ file, reason: `${game.moves.length} moves, fewer than ${minMoves}` });
    else {
      const winner = gameWinner(loaded);
      // A shard already on disk is not rewritten, so its games need no labels (they are the slow part).
      const label = o.valueLabel !== undefined && o.existing?.has(shardIndex) ? (): number => 0 : o.valueLabel;
      summary.positions += addRecordedGame(writer, game, start, winner, label);
      summary.games++;
      if (winner === BLACK) summary.blackWins++;
      else if (winner === WHITE) summary.whiteWins++;
      else summary.draws++;
      if (writer.gameCount >= o.gamesPerShard) flush();
    }
    o.onGame?.(i + 1, files.length);
  });
  flush();
  return summary;
}

/** Writes the records of `files` into the run's bootstrap shards (RUN/shards/gen0000/). */
export function writeBootstrapShards(
  run: RunDir,
  config: RunConfig,
  files: readonly string[],
  onGame?: (done: number, total: number) => void,
  valueLabel?: PositionValueLabel,
): SgfConversionSummary {
  const g = BOOTSTRAP_GENERATION;
  return convertSgfsToShards(files, {
    boardSize: config.boardSize,
    komi: config.komi,
    gamesPerShard: config.selfplay.gamesPerShard,
    shardPath: (i) => run.shardPath(g, i),
    existing: new Set(run.shardIndices(g)),
    onGame,
    valueLabel,
  });
}

/** Why generation 1 can no longer be trained from the bootstrap records alone, or null when it can. */
export function bootstrapTrainingBlocker(run: RunDir): string | null {
  const state = run.readState();
  if (state === null) return null;
  if (state.generation === 1 && (state.phase === 'selfplay' || state.phase === 'train')) {
    if (run.shardIndices(1).length > 0) return `${generationName(1)} already has self-play games from the random network (the bootstrap must come first)`;
    return null;
  }
  return `the run is at ${generationName(state.generation)} (${state.phase}); a bootstrap trains ${generationName(1)} before any self-play`;
}
