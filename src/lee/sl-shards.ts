/**
 * Supervised-learning data for the SL policy net: every move of every game record becomes a training
 * record in the self-play shard format (selfplay/shards.ts) — the stones now and before the last moves,
 * the side to move, π = the move played (one-hot), z = the game's result for the side to move — so the
 * same trainer that learns from self-play can fit the AlphaGo Lee SL policy (feature set 'lee', 48 planes)
 * and a value head from human or engine games.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLACK, WHITE, moveToAction, type StoneColor } from '../../engine/color.js';
import { Game } from '../../engine/game.js';
import { sgfToGame } from '../../engine/sgf.js';
import { ShardWriter, SHARD_EXTENSION, type ShardFeatureSet } from '../../selfplay/shards.js';

export interface SupervisedShardOptions {
  out: string;
  featureSet: ShardFeatureSet;
  /** Positions stored per record (current + previous); 8 covers both feature sets. */
  historyLength?: number;
  gamesPerShard?: number;
}

export interface SupervisedShardSummary {
  shards: string[];
  games: number;
  records: number;
  /** Records whose game had no usable result (z = 0). */
  unknownResults: number;
  rejected: Array<{ file: string; reason: string }>;
}

/** The winner a record's RE[] names (B+…, W+…), or null (draw, void, missing). */
export function resultWinner(result: string | undefined): StoneColor | null {
  const r = (result ?? '').trim().toUpperCase();
  if (r.startsWith('B+')) return BLACK;
  if (r.startsWith('W+')) return WHITE;
  return null;
}

/** Writes one record per move of each game to shards of `gamesPerShard` games, per board size. */
export function writeSupervisedShards(files: readonly string[], options: SupervisedShardOptions): SupervisedShardSummary {
  const historyLength = options.historyLength ?? 8;
  const gamesPerShard = options.gamesPerShard ?? 250;
  mkdirSync(options.out, { recursive: true });
  const writers = new Map<number, ShardWriter>();
  const summary: SupervisedShardSummary = { shards: [], games: 0, records: 0, unknownResults: 0, rejected: [] };
  const flush = (size: number): void => {
    const writer = writers.get(size);
    if (writer === undefined || writer.recordCount === 0) return;
    const path = join(options.out, `sl-${size}x${size}-${String(summary.shards.length).padStart(5, '0')}${SHARD_EXTENSION}`);
    writer.writeTo(path);
    summary.shards.push(path);
    writers.set(size, new ShardWriter(size, options.featureSet, historyLength));
  };
  for (const file of files) {
    let loaded: { game: Game; result?: string };
    try {
      loaded = sgfToGame(readFileSync(file, 'utf8'));
    } catch (e) {
      summary.rejected.push({ file, reason: (e as Error).message });
      continue;
    }
    const { game: record, result } = loaded;
    const size = record.size;
    let writer = writers.get(size);
    if (writer === undefined) {
      writer = new ShardWriter(size, options.featureSet, historyLength);
      writers.set(size, writer);
    }
    const winner = resultWinner(result);
    // Replay into a fresh game so each position's history is at hand.
    const game = new Game(size, record.rules);
    if (record.handicap > 0) game.setHandicapStones(record.setupBlack);
    else if (record.setupBlack.length > 0 || record.setupWhite.length > 0) {
      game.setSetup(record.setupBlack, record.setupWhite, record.moves[0]?.color ?? BLACK);
    }
    const policy = new Uint16Array(size * size + 1);
    for (const { color, move } of record.moves) {
      policy.fill(0);
      policy[moveToAction(move, size * size)] = 1;
      const z = winner === null ? 0 : winner === color ? 1 : -1;
      if (winner === null) summary.unknownResults++;
      // The side to move may differ from game.toPlay after setup; the record states who moved.
      writer.add(game.stonesHistory(historyLength), color, policy, z);
      summary.records++;
      game.play(move, color);
    }
    writer.endGame();
    summary.games++;
    if (writer.gameCount >= gamesPerShard) flush(size);
  }
  for (const size of [...writers.keys()]) flush(size);
  return summary;
}
