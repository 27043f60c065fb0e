/**
 * AlphaGo-Lee play: the model set loader, the λ-mixed search built by leeSearch (λ = 0 is the value-net
 * search, λ = 1 the rollout search), `tengen gtp --mode lee` over the real process, and the match
 * shortcuts. Tiny random Lee networks keep it fast; strength is not the point here.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Game } from '../engine/index.js';
import { GtpClient } from '../gtp/client.js';
import { expectLegalGenmoves } from './helpers.js';
import { expandEngineShortcut } from '../src/lee/engine-shortcut.js';
import { RolloutLeafEvaluator } from '../src/lee/leaf.js';
import { LeeEvaluator, openLeeEvaluator } from '../src/lee/lee-evaluator.js';
import { leeSearch, rolloutSearch, zeroRolloutSearch, type LeePlayer } from '../src/lee/lee-search.js';
import { loadRolloutPolicy, readLeeModelSet } from '../src/lee/model-set.js';
import { playLeeSelfplay } from '../src/lee/lee-selfplay.js';
import { readShardHeader } from '../selfplay/shards.js';
import { buildConfig } from '../src/match/main.js';
import { defaultNetConfig } from '../src/nn/config.js';
import { saveNet } from '../src/nn/model-io.js';
import { createNet } from '../src/nn/model.js';
import { MctsSearch, type SearchResult } from '../src/search/index.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
const root = mkdtempSync(join(tmpdir(), 'tengen-lee-set-'));
const setDir = join(root, '9x9-lee');

async function saveTinyNet(dir: string, seed: number, featureSet: 'lee' | 'zero' = 'lee', size = 9): Promise<void> {
  const net = createNet(defaultNetConfig(size, { featureSet, blocks: 1, filters: 8, valueHidden: 16 }), { seed });
  await saveNet(net, dir);
  net.model.dispose();
}

function writeManifest(dir: string, boardSize = 9): void {
  writeFileSync(join(dir, 'lee.json'), JSON.stringify({ boardSize, komi: 7.5, created: new Date().toISOString(), sl: { test: true }, value: { test: true } }));
}

/** Visits per candidate: equal strings mean the two searches grew the same tree at the root. */
const visits = (r: SearchResult): string => r.analysis.candidates.map((c) => `${c.move}:${c.visits}`).join(' ');

function position(): Game {
  const game = new Game(9, { komi: 7.5 });
  for (const m of [40, 30, 32, 50]) game.play(m);
  return game;
}

beforeAll(async () => {
  mkdirSync(setDir, { recursive: true });
  await saveTinyNet(join(setDir, 'sl'), 3);
  await saveTinyNet(join(setDir, 'value'), 4);
  writeManifest(setDir);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Deterministic searches: one leaf at a time, one lane, fixed seeds; n_thr = 4 so re-evaluated nodes are exercised.
const exact = { batchSize: 1, lanes: 1, expandThreshold: 4 };
const params = { seed: 7, earlyStop: false, rootNoise: false, treeReuse: false };

describe('Lee model set', () => {
  it('reads a complete set and says what is in it', async () => {
    const files = await readLeeModelSet(setDir);
    expect(files.boardSize).toBe(9);
    expect(files.policyName).toBe('sl');
    expect(files.valueDir).toBe(join(setDir, 'value'));
    expect(files.rolloutPolicyPath).toMatch(/rollout-policy\.json$/);
  });

  it('names the file that is wrong', async () => {
    const bad = join(root, 'bad');
    rmSync(bad, { recursive: true, force: true });
    await expect(readLeeModelSet(join(root, 'nothing-here'))).rejects.toThrow(/nothing-here is not a directory/);
    mkdirSync(bad, { recursive: true });
    await expect(readLeeModelSet(bad)).rejects.toThrow(/bad\/lee\.json is missing/);
    writeFileSync(join(bad, 'lee.json'), '{ not json');
    await expect(readLeeModelSet(bad)).rejects.toThrow(/lee\.json is not valid JSON/);
    writeManifest(bad);
    await expect(readLeeModelSet(bad)).rejects.toThrow(/bad\/sl is missing/);
    await expect(readLeeModelSet(bad, { policy: 'rl' })).rejects.toThrow(/bad\/rl is missing/);
    // A Zero network where the SL policy should be.
    await saveTinyNet(join(bad, 'sl'), 1, 'zero');
    await expect(readLeeModelSet(bad)).rejects.toThrow(/sl\/metadata\.json: the SL policy network uses feature set 'zero'/);
    rmSync(join(bad, 'sl'), { recursive: true });
    cpSync(join(setDir, 'sl'), join(bad, 'sl'), { recursive: true });
    writeManifest(bad, 7);
    await expect(readLeeModelSet(bad)).rejects.toThrow(/plays 9x9, but lee\.json says 7x7/);
    writeManifest(bad);
    mkdirSync(join(bad, 'value'));
    await expect(readLeeModelSet(bad)).rejects.toThrow(/value network: .*metadata\.json is missing/);
    rmSync(join(bad, 'value'), { recursive: true });
    writeFileSync(join(bad, 'rollout-policy.json'), '{}');
    const files = await readLeeModelSet(bad);
    expect(files.valueDir).toBeNull();
    expect(files.rolloutPolicyPath).toBe(join(bad, 'rollout-policy.json'));
    expect(() => loadRolloutPolicy(files.rolloutPolicyPath)).toThrow(/rollout-policy\.json/);
  }, 30_000);
});

describe('leeSearch', () => {
  const players: LeePlayer[] = [];
  afterAll(async () => {
    for (const p of players) await p.dispose();
  });
  const player = async (lambda: number): Promise<LeePlayer> => {
    const p = await leeSearch(setDir, 7.5, { backend: 'onnx', threads: 1, seed: 11, config: { lambda, ...exact }, params });
    players.push(p);
    return p;
  };

  it('the composite evaluator gives the SL policy and the value net value for the same planes', async () => {
    const files = await readLeeModelSet(setDir);
    const both = await openLeeEvaluator(files, { backend: 'onnx', threads: 1 });
    try {
      expect(both.info).toEqual({ boardSize: 9, featureSet: 'lee', inputPlanes: 48 });
      const planes = new Float32Array(2 * 48 * 81).map((_, i) => (i * 7919) % 3 === 0 ? 1 : 0);
      const out = await both.evaluate(planes, 2);
      const sl = await both.policyNet.evaluate(planes, 2);
      const value = await both.valueNet!.evaluate(planes, 2);
      expect(Array.from(out.policy)).toEqual(Array.from(sl.policy));
      expect(Array.from(out.value)).toEqual(Array.from(value.value));
      // The two random nets differ, so the value did come from the value net.
      expect(Array.from(value.value)).not.toEqual(Array.from(sl.value));
    } finally {
      await both.dispose();
    }
  });

  it('λ = 0 searches exactly as the value-net search without rollouts', async () => {
    const lee = await player(0);
    const mixed = await lee.search.run(position(), { visits: 120 });
    expect(lee.leaf.rollouts).toBeGreaterThan(0);
    const files = await readLeeModelSet(setDir);
    const evaluator = await openLeeEvaluator(files, { backend: 'onnx', threads: 1 });
    try {
      const valueOnly = await new MctsSearch(evaluator, { ...params, ...exact }).run(position(), { visits: 120 });
      expect(visits(mixed)).toBe(visits(valueOnly));
      expect(mixed.analysis.winrate).toBeCloseTo(valueOnly.analysis.winrate, 6);
      expect(mixed.move).toBe(valueOnly.move);
    } finally {
      await evaluator.dispose();
    }
  }, 30_000);

  it('λ = 1 searches exactly as pure rollouts: the value net output does not matter', async () => {
    const lee = await player(1);
    const rollouts = await lee.search.run(position(), { visits: 120 });
    // Same priors, the value net's values in the tree but weighted 0, same rollout seed.
    const files = await readLeeModelSet(setDir);
    const withValue = await openLeeEvaluator(files, { backend: 'onnx', threads: 1 });
    try {
      expect(withValue.valueNet).not.toBeNull();
      const leaf = new RolloutLeafEvaluator({ policy: loadRolloutPolicy(files.rolloutPolicyPath), size: 9, komi: 7.5, lambda: 1, seed: 11 });
      const other = await new MctsSearch(withValue, { ...params, ...exact }, { leafValue: leaf }).run(position(), { visits: 120 });
      expect(visits(other)).toBe(visits(rollouts));
      expect(other.analysis.winrate).toBe(rollouts.analysis.winrate);
    } finally {
      await withValue.dispose();
    }
    // ... and the rollouts do change the search compared with the value net alone.
    const valueOnly = await (await player(0)).search.run(position(), { visits: 120 });
    expect(visits(rollouts)).not.toBe(visits(valueOnly));
  }, 30_000);

  it('rollouts on a worker thread give the same search as rollouts in the search thread', async () => {
    const inThread = await player(0.5);
    const a = await inThread.search.run(position(), { visits: 100 });
    const onWorker = await leeSearch(setDir, 7.5, { backend: 'onnx', threads: 1, seed: 11, config: { lambda: 0.5, ...exact, rolloutThreads: 1 }, params });
    players.push(onWorker);
    expect(onWorker.description).toContain('rollouts on 1 worker thread');
    const b = await onWorker.search.run(position(), { visits: 100 });
    expect(onWorker.leaf.rollouts).toBe(inThread.leaf.rollouts);
    expect(visits(b)).toBe(visits(a));
    expect(b.analysis.winrate).toBe(a.analysis.winrate);
  }, 30_000);

  it('the Zero net with --lambda: its priors and value in the tree, rollouts mixed in; λ changes the search', async () => {
    const zeroDir = join(root, 'zero-net');
    const net = createNet(defaultNetConfig(9, { blocks: 1, filters: 8, valueHidden: 16 }), { seed: 9 });
    await saveNet(net, zeroDir);
    net.model.dispose();
    const { createEvaluator } = await import('../src/nn/create-evaluator.js');
    const mixed = zeroRolloutSearch(await createEvaluator({ modelDir: zeroDir, backend: 'onnx', threads: 1 }), 7.5, { seed: 11, config: { lambda: 0.5, ...exact }, params, netName: zeroDir });
    players.push(mixed);
    expect(mixed.description).toContain(`network ${zeroDir} and rollouts in the search thread (λ = 0.5`);
    const a = await mixed.search.run(position(), { visits: 100 });
    expect(mixed.leaf.rollouts).toBeGreaterThanOrEqual(100);
    const plain = await createEvaluator({ modelDir: zeroDir, backend: 'onnx', threads: 1 });
    try {
      const b = await new MctsSearch(plain, { ...params, ...exact }).run(position(), { visits: 100 });
      expect(a.analysis.winrate).not.toBeCloseTo(b.analysis.winrate, 6);
    } finally {
      await plain.dispose();
    }
    const evaluator = await createEvaluator({ modelDir: zeroDir, backend: 'onnx', threads: 1 });
    expect(() => zeroRolloutSearch(evaluator, 7.5, { config: { lambda: 0 } })).toThrow(/λ must be > 0/);
    await evaluator.dispose();
  }, 30_000);

  it('without a value net it falls back to rollouts alone (λ = 1) and says so', async () => {
    const noValue = join(root, 'no-value');
    mkdirSync(noValue, { recursive: true });
    cpSync(join(setDir, 'sl'), join(noValue, 'sl'), { recursive: true });
    writeManifest(noValue);
    const notes: string[] = [];
    const p = await leeSearch(noValue, 7.5, { backend: 'onnx', threads: 1, log: (m) => notes.push(m), config: { lambda: 0.5 } });
    players.push(p);
    expect(p.lambda).toBe(1);
    expect((p.evaluator as LeeEvaluator).valueNet).toBeNull();
    expect(notes.join('\n')).toMatch(/no value network .*λ = 1 instead of 0\.5/);
    const r = await p.search.run(position(), { visits: 40 });
    expect(r.analysis.visits).toBeGreaterThanOrEqual(40);
  });

  it('rollout-only MCTS plays legal moves with no networks, rollouts scored with the game komi', async () => {
    const p = rolloutSearch(9, 7.5, { seed: 3, params: { seed: 3 } });
    const game = new Game(9, { komi: 0.5 });
    p.leaf.setKomi(game.effectiveKomi);
    const r = await p.search.run(game, { visits: 100 });
    expect(r.move === 'resign' || game.board.isLegal(r.move)).toBe(true);
    expect(p.leaf.rollouts).toBeGreaterThanOrEqual(100);
    await p.dispose();
  });
});

describe('tengen gtp --mode lee', () => {
  it('answers genmove with legal moves on 9x9 and keeps the other commands working', async () => {
    const stderr: string[] = [];
    const engine = GtpClient.spawn(process.execPath, [CLI, 'gtp', '--mode', 'lee', '--model', setDir, '--backend', 'onnx', '--threads', '1', '--visits', '40'], {
      name: 'tengen',
      commandTimeoutMs: 60_000,
      stderr: (line) => stderr.push(line),
    });
    try {
      expect((await engine.send('showboard')).split('\n')[0]!.trim()).toBe('A B C D E F G H J');
      expect(stderr.join('\n')).toContain('AlphaGo-Lee MCTS (SL policy + value nets');
      await engine.send('komi 6.5');
      const game = new Game(9);
      await expectLegalGenmoves((c) => engine.send(c), game, 4);
      await engine.send('undo');
      expect(await engine.send('final_score')).toMatch(/^(B|W)\+|^0$/);
    } finally {
      await engine.quit();
    }
  }, 60_000);

  const run = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, 'gtp', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
      child.stdin.end();
    });

  it('a bad model set is a clear start-up error naming the file', async () => {
    const zeroNet = join(root, 'zero-net');
    await saveTinyNet(zeroNet, 2, 'zero');
    const missing = await run(['--mode', 'lee', '--model', zeroNet]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${zeroNet}/lee.json is missing`);
    const noModel = await run(['--mode', 'lee']);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain('--mode lee needs --model DIR');
    const badMode = await run(['--mode', 'alphago']);
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toContain("--mode must be zero, lee or rollout, got 'alphago'");
    // Three process start-ups: generous for a loaded machine.
  }, 90_000);
});

describe('Lee self-play', () => {
  it('plays games with the rollout leaf plug-in and writes SGFs and Lee-tagged shards', async () => {
    const out = join(root, 'selfplay');
    const player = rolloutSearch(5, 0.5, { seed: 2, config: { expandThreshold: 2 } });
    const games = await playLeeSelfplay({ player, size: 5, komi: 0.5, games: 2, visits: 16, out, seed: 2, temperatureMoves: 2, name: 'test' });
    expect(games).toHaveLength(2);
    expect(player.leaf.rollouts).toBeGreaterThan(0);
    expect(existsSync(join(out, 'game-000001.sgf'))).toBe(true);
    const header = readShardHeader(join(out, 'shard-00000.tgsh'));
    expect(header?.featureSet).toBe('lee');
    expect(header?.gameCount).toBe(2);
    expect(header?.recordCount).toBe(games.reduce((n, g) => n + g.moves.length, 0));
  }, 30_000);
});

describe('match shortcuts', () => {
  it('expand to tengen gtp command lines at the match settings', () => {
    const s = { size: 9, komi: 7.5, time: 0.5, leeModel: 'models/9x9-lee', zeroModel: 'models/9x9', threads: 1 };
    expect(expandEngineShortcut('tengen:lee', s)).toBe('tengen gtp --mode lee --model models/9x9-lee --size 9 --komi 7.5 --time 0.5 --threads 1');
    expect(expandEngineShortcut('tengen:zero', s)).toBe('tengen gtp --mode zero --model models/9x9 --size 9 --komi 7.5 --time 0.5 --threads 1');
    expect(expandEngineShortcut('tengen:rollout --expand-threshold 8', { ...s, time: undefined, visits: 300 })).toBe(
      'tengen gtp --mode rollout --size 9 --komi 7.5 --visits 300 --expand-threshold 8',
    );
    expect(expandEngineShortcut('tengen', { ...s, mode: 'lee', leeModel: '/my sets/lee' })).toBe(
      "tengen gtp --mode lee --model '/my sets/lee' --size 9 --komi 7.5 --time 0.5 --threads 1",
    );
    expect(expandEngineShortcut('tengen gtp --visits 50', s)).toBeNull();
    expect(expandEngineShortcut('gnugo --mode gtp', s)).toBeNull();
    expect(() => expandEngineShortcut('tengen:alphago', s)).toThrow(/unknown engine shortcut 'tengen:alphago'/);
  });

  it('tengen match options feed the shortcuts; names stay the short forms', () => {
    const config = buildConfig({ black: 'tengen:lee', white: 'tengen:rollout', size: '9', komi: '7.5', time: '1', 'lee-model': setDir });
    expect(config.playerA).toBe(`tengen gtp --mode lee --model ${setDir} --size 9 --komi 7.5 --time 1`);
    expect(config.playerB).toBe('tengen gtp --mode rollout --size 9 --komi 7.5 --time 1');
    expect(config.nameA).toBe('tengen:lee');
    expect(buildConfig({ black: 'tengen', white: 'gnugo --mode gtp', mode: 'rollout', size: '7' }).playerA).toBe('tengen gtp --mode rollout --size 7 --komi 7.5');
    expect(() => buildConfig({ black: 'tengen', white: 'tengen', mode: 'alpha' })).toThrow(/--mode must be zero, lee or rollout/);
  });
});
