import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLACK, PASS, WHITE } from '../engine/color.js';
import { Game } from '../engine/game.js';
import { gameToSgf } from '../engine/sgf.js';
import { bootstrapTrainingBlocker, convertSgfsToShards, winnerFromResult, writeBootstrapShards } from '../selfplay/bootstrap.js';
import { defaultRunConfig } from '../selfplay/config.js';
import { RunDir } from '../selfplay/run-dir.js';
import { listShardFiles, readRecord, readShard } from '../selfplay/shards.js';

const SIZE = 9;
const AREA = SIZE * SIZE;

function gameOf(moves: number[], komi = 7.5): Game {
  const game = new Game(SIZE, { komi });
  for (const m of moves) game.play(m);
  return game;
}

function writeSgf(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('bootstrap from recorded games', () => {
  it('reads the winner from RE: colour, draw, or unknown', () => {
    expect(winnerFromResult('B+3.5')).toBe(BLACK);
    expect(winnerFromResult('w+R')).toBe(WHITE);
    expect(winnerFromResult('0')).toBeNull();
    expect(winnerFromResult('Draw')).toBeNull();
    expect(winnerFromResult('?')).toBeUndefined();
    expect(winnerFromResult(undefined)).toBeUndefined();
  });

  it('turns each move into a record: π one-hot on the played move, z for the mover, history before the move', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-bootstrap-'));
    const moves = [40, 30, 50, PASS, 20];
    const file = writeSgf(dir, 'a.sgf', gameToSgf(gameOf(moves), { result: 'W+2.5' }));
    const paths: string[] = [];
    const summary = convertSgfsToShards([file], { boardSize: SIZE, komi: 7.5, gamesPerShard: 10, shardPath: (i) => (paths[i] = join(dir, `s${i}.tgsh`)) });
    expect(summary).toMatchObject({ games: 1, positions: moves.length, shards: 1, whiteWins: 1, blackWins: 0, rejected: [] });
    const shard = readShard(paths[0]!);
    expect(shard.header.gameCount).toBe(1);
    expect(shard.header.recordCount).toBe(moves.length);
    moves.forEach((move, i) => {
      const r = readRecord(shard, i);
      const action = move === PASS ? AREA : move;
      expect(r.policy[action]).toBe(1);
      expect(Array.from(r.policy).reduce((s, w) => s + w, 0)).toBe(1);
      expect(r.toPlay).toBe(i % 2 === 0 ? BLACK : WHITE);
      expect(r.z).toBe(i % 2 === 0 ? -1 : 1); // White won
      // The newest position holds exactly the stones of the moves before this one.
      const stonesNow = Array.from(r.history.subarray(0, AREA)).filter((s) => s !== 0).length;
      expect(stonesNow).toBe(moves.slice(0, i).filter((m) => m !== PASS).length);
      if (i > 0 && moves[i - 1] !== PASS) expect(r.history[moves[i - 1]!]).toBe(i % 2 === 0 ? WHITE : BLACK);
    });
  });

  it('labels every position with a value target q when asked (shard version 2); training mixes it with z', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-bootstrap-q-'));
    const moves = [40, 30, 50, 20, 60];
    const file = writeSgf(dir, 'a.sgf', gameToSgf(gameOf(moves), { result: 'B+2.5' }));
    const paths: string[] = [];
    // A label that depends on the position: the share of stones that are the mover's, minus a half.
    const label = (board: import('../engine/board.js').Board): number => {
      let own = 0;
      let all = 0;
      for (const s of board.stones) if (s !== 0) (all++, s === board.toPlay && own++);
      return all === 0 ? 0 : own / all - 0.5;
    };
    convertSgfsToShards([file], { boardSize: SIZE, komi: 7.5, gamesPerShard: 10, shardPath: (i) => (paths[i] = join(dir, `s${i}.tgsh`)), valueLabel: label });
    const shard = readShard(paths[0]!);
    expect(shard.header).toMatchObject({ version: 2, valueTargets: true });
    const expected = [0, -0.5, 0, -1 / 6, 0];
    moves.forEach((_, i) => {
      const r = readRecord(shard, i);
      expect(r.z).toBe(i % 2 === 0 ? 1 : -1);
      expect(r.q).toBeCloseTo(expected[i]!, 1); // stored at 1/127 resolution
    });
    const { TrainingWindow } = await import('../selfplay/train-data.js');
    for (const w of [0, 0.5, 1]) {
      const window = new TrainingWindow([shard], w);
      const batch = window.createBatch(1);
      window.writeExample(batch, 0, 1, 0);
      expect(batch.value[0]).toBeCloseTo((1 - w) * -1 + w * readRecord(shard, 1).q, 5);
    }
    expect(() => new TrainingWindow([shard], 1.5)).toThrow(/valueTargetWeight/);
  });

  it('scores the final position when RE is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-bootstrap-'));
    // One black stone and two passes: Black owns the board (81 > 7.5).
    const sgf = gameToSgf(gameOf([40, PASS, PASS])).replace(/RE\[[^\]]*\]/, '');
    expect(sgf).not.toContain('RE[');
    const file = writeSgf(dir, 'b.sgf', sgf);
    const paths: string[] = [];
    const summary = convertSgfsToShards([file], { boardSize: SIZE, komi: 7.5, gamesPerShard: 1, shardPath: (i) => (paths[i] = join(dir, `s${i}.tgsh`)) });
    expect(summary.blackWins).toBe(1);
    expect(readRecord(readShard(paths[0]!), 0).z).toBe(1);
  });

  it('rejects records of another size or komi and unparsable files, and keeps going', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-bootstrap-'));
    const files = [
      writeSgf(dir, '1.sgf', gameToSgf(gameOf([40, 41]), { result: 'B+1.5' })),
      writeSgf(dir, '2.sgf', gameToSgf(gameOf([40, 41], 6.5), { result: 'B+1.5' })),
      writeSgf(dir, '3.sgf', gameToSgf(new Game(7, { komi: 7.5 }), { result: 'B+1.5' })),
      writeSgf(dir, '4.sgf', '(;GM[1]SZ[9]KM[7.5];B[zz'),
      writeSgf(dir, '5.sgf', gameToSgf(gameOf([10, 11, 12]), { result: 'W+R' })),
    ];
    const summary = convertSgfsToShards(files, { boardSize: SIZE, komi: 7.5, gamesPerShard: 1, shardPath: (i) => join(dir, `s${i}.tgsh`) });
    expect(summary.games).toBe(2);
    expect(summary.positions).toBe(5);
    expect(summary.shards).toBe(2);
    expect(summary.rejected.map((r) => r.file)).toEqual([files[1], files[2], files[3]]);
    expect(summary.rejected[0]!.reason).toMatch(/komi 6.5/);
    expect(summary.rejected[1]!.reason).toMatch(/board size 7/);
  });

  it('writes generation 0 shards of a run, rewriting none on a rerun, and refuses to train after self-play began', () => {
    const root = mkdtempSync(join(tmpdir(), 'tengen-bootstrap-run-'));
    const sgfDir = join(root, 'sgf');
    mkdirSync(sgfDir);
    const files = [0, 1, 2].map((k) => writeSgf(sgfDir, `${k}.sgf`, gameToSgf(gameOf([k, 40 + k, 60 + k]), { result: k === 1 ? 'W+0.5' : 'B+0.5' })));
    const run = new RunDir(join(root, 'run'));
    const config = defaultRunConfig(9, { selfplay: { gamesPerShard: 2 } });
    run.create(config);
    expect(bootstrapTrainingBlocker(run)).toBeNull();
    const first = writeBootstrapShards(run, config, files);
    expect(first).toMatchObject({ games: 3, positions: 9, shards: 2, shardsKept: 0 });
    expect(listShardFiles(run.shardsDir(0)).length).toBe(2);
    const again = writeBootstrapShards(run, config, files);
    expect(again).toMatchObject({ games: 3, shards: 2, shardsKept: 2 });
    run.writeState(1, 'selfplay');
    expect(bootstrapTrainingBlocker(run)).toBeNull();
    run.writeState(2, 'selfplay');
    expect(bootstrapTrainingBlocker(run)).toMatch(/gen0002/);
  });
});
