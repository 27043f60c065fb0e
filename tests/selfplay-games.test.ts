import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sgfToGame } from '../engine/sgf.js';
import { SimpleEvaluator } from '../src/search/simple-evaluator.js';
import { defaultRunConfig } from '../selfplay/config.js';
import { gameOptions, playSelfplayGames, standaloneSgfPath, standaloneShardPath } from '../selfplay/selfplay.js';
import { listShardFiles, loadShards, readRecord } from '../selfplay/shards.js';
import { TrainingWindow } from '../selfplay/train-data.js';
import { Rng } from '../engine/rng.js';
import { ZERO_PLANES } from '../src/nn/features.js';
import { WatchHub } from '../src/watch/hub.js';

describe('self-play games', () => {
  it('writes shards of (state, π, z) and SGFs that agree with each other', async () => {
    const size = 5;
    const config = defaultRunConfig(size, { komi: 0.5, selfplay: { visits: 12, gamesPerShard: 2, parallelGames: 3, noResignFraction: 0.5, temperatureMoves: 4 } });
    const out = mkdtempSync(join(tmpdir(), 'tengen-selfplay-'));
    const evaluator = new SimpleEvaluator(size, { komi: 0.5 });
    const shards: string[] = [];
    const hub = new WatchHub();
    const events: string[] = [];
    hub.addListener((e) => events.push(e.kind));
    const summary = await playSelfplayGames({
      size,
      komi: 0.5,
      config: config.selfplay,
      firstGame: 0,
      games: 5,
      shardPath: (i) => standaloneShardPath(out, i),
      sgfPath: (i) => standaloneSgfPath(out, i),
      seed: 11,
      networkName: 'simple',
      evaluator,
      watch: hub,
      onShard: (p) => shards.push(p),
    });
    // --watch: every game is shown in the viewer with its moves and result.
    expect(events.filter((k) => k === 'started')).toHaveLength(5);
    expect(events.filter((k) => k === 'ended')).toHaveLength(5);
    expect(events.filter((k) => k === 'move').length).toBe(summary.moves);
    await hub.close();
    expect(summary.games).toBe(5);
    expect(summary.blackWins + summary.whiteWins + summary.draws).toBe(5);
    // 5 games at 2 per shard: shards 0, 1, 2 (the last one holds one game), written in order.
    expect(shards.map((p) => p.split('/').pop())).toEqual(['shard-00000.tgsh', 'shard-00001.tgsh', 'shard-00002.tgsh']);
    const loaded = loadShards(listShardFiles(out));
    expect(loaded.corrupt).toEqual([]);
    expect(loaded.shards.map((s) => s.header.gameCount)).toEqual([2, 2, 1]);
    const records = loaded.shards.reduce((n, s) => n + s.header.recordCount, 0);
    expect(records).toBe(summary.positions);

    // Game 0 (first records of shard 0): replay its SGF and compare every record with the position.
    const sgf = readFileSync(standaloneSgfPath(out, 0), 'utf8');
    const { game } = sgfToGame(sgf);
    const result = /RE\[([^\]]+)\]/.exec(sgf)![1]!;
    const winner = result.startsWith('B') ? 1 : result.startsWith('W') ? 2 : 0;
    const shard = loaded.shards[0]!;
    const area = size * size;
    // Each record also keeps the search's root value for the mover as q (shard version 2): fractional
    // values in [-1, 1], not the game's ±1.
    expect(shard.header.valueTargets).toBe(true);
    const qs = Array.from({ length: shard.header.recordCount }, (_, i) => readRecord(shard, i).q);
    expect(qs.every((q) => q >= -1 && q <= 1)).toBe(true);
    expect(qs.some((q) => Math.abs(q) !== 1 && q !== 0)).toBe(true);
    expect(game.moves.length).toBeGreaterThan(0);
    for (let i = 0; i < game.moves.length; i++) {
      const r = readRecord(shard, i);
      const mover = game.moves[i]!.color;
      expect(r.toPlay).toBe(mover);
      expect(r.z).toBe(winner === 0 ? 0 : winner === mover ? 1 : -1);
      // The position before move i is the newest history entry.
      const replay = sgfToGame(sgf).game;
      while (replay.moves.length > i) replay.undo();
      expect(Array.from(r.history.subarray(0, area))).toEqual(Array.from(replay.board.stones));
      // π is the visit distribution: it sums to the search's visits and the played move was visited
      // (or sampled from the visits in the first temperatureMoves moves).
      const played = game.moves[i]!.move;
      const action = played < 0 ? area : played;
      expect(r.policy[action]).toBeGreaterThan(0);
    }
    // The training window reads them back as planes under symmetries.
    const window = new TrainingWindow(loaded.shards);
    const batch = window.createBatch(4);
    window.sample(batch, new Rng(3));
    expect(batch.planes.length).toBe(4 * ZERO_PLANES * area);
    for (let k = 0; k < 4; k++) {
      const pi = batch.policy.subarray(k * (area + 1), (k + 1) * (area + 1));
      expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect([1, -1, 0]).toContain(batch.value[k]);
    }
  });

  it('records only full-search positions with playout-cap randomisation', async () => {
    const size = 5;
    const config = defaultRunConfig(size, { komi: 0.5, selfplay: { visits: 16, playoutCap: true, fastVisits: 4, fullSearchProbability: 0.25, gamesPerShard: 3 } });
    const out = mkdtempSync(join(tmpdir(), 'tengen-cap-'));
    const summary = await playSelfplayGames({
      size,
      komi: 0.5,
      config: config.selfplay,
      firstGame: 0,
      games: 3,
      shardPath: (i) => standaloneShardPath(out, i),
      sgfPath: (i) => standaloneSgfPath(out, i),
      seed: 5,
      networkName: 'simple',
      evaluator: new SimpleEvaluator(size, { komi: 0.5 }),
    });
    expect(summary.positions).toBeGreaterThan(0);
    expect(summary.positions / summary.moves).toBeLessThan(0.5);
    expect(loadShards(listShardFiles(out)).shards[0]!.header.recordCount).toBe(summary.positions);
  });

  it('plays a tenth of games without resignation, decided per game index', () => {
    const config = defaultRunConfig(9);
    let off = 0;
    for (let i = 0; i < 2000; i++) if (!gameOptions({ size: 9, komi: 7.5, config: config.selfplay, seed: 5 }, i).allowResign) off++;
    expect(off / 2000).toBeGreaterThan(0.08);
    expect(off / 2000).toBeLessThan(0.12);
    const a = gameOptions({ size: 9, komi: 7.5, config: config.selfplay, seed: 5 }, 17);
    expect(a).toEqual(gameOptions({ size: 9, komi: 7.5, config: config.selfplay, seed: 5 }, 17));
    expect(a.params).toMatchObject({ rootNoise: true, temperature: 1, temperatureMoves: 30, dirichletWeight: 0.25 });
  });
});
