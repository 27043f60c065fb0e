import { mkdtempSync, readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLACK, WHITE, type StoneColor } from '../engine/color.js';
import { Game } from '../engine/game.js';
import { Rng } from '../engine/rng.js';
import { gameToSgf } from '../engine/sgf.js';
import { defaultNetConfig } from '../src/nn/config.js';
import { createEvaluator } from '../src/nn/create-evaluator.js';
import type { EvalOutput, Evaluator, NetInfo } from '../src/nn/evaluator.js';
import { encodeLeeGameFeatures, LEE_FEATURE_PLANES, LEE_PLANE } from '../src/nn/features-lee.js';
import { loadNet, readNetMetadata } from '../src/nn/model-io.js';
import { createNet } from '../src/nn/model.js';
import { buildTrainGraph } from '../src/nn/train-graph.js';
import { TfjsTrainer } from '../src/nn/tfjs-trainer.js';
import { OnnxTrainer } from '../src/nn/trainer.js';
import { LeePositionSet } from '../src/lee/lee-positions.js';
import { trainRlMain, trainSlMain, trainValueMain } from '../src/lee/nets-main.js';
import { playMatch } from '../src/lee/policy-match.js';
import { playPolicyGames, sampledDistribution, samplePolicyAction } from '../src/lee/policy-player.js';
import { reinforceUpdate, writeReinforceTarget } from '../src/lee/rl-train.js';
import { loadRecordSplit } from '../src/lee/sl-train.js';
import { DEFAULT_SUPERVISED, evaluateHead, trainSupervised } from '../src/lee/supervised.js';
import { generateValuePositions } from '../src/lee/value-data.js';
import * as ort from 'onnxruntime-node';

const size = 5;
const area = size * size;
const fp = LEE_FEATURE_PLANES * area;

/** A random legal game of `moves` moves (no passes), as SGF with a result. */
function randomGame(seed: number, moves: number): Game {
  const rng = new Rng(seed);
  const game = new Game(size, { komi: 0.5 });
  for (let i = 0; i < moves; i++) {
    const legal = game.board.legalMoves().filter((p) => !game.board.isEyeLike(p, game.toPlay));
    if (legal.length === 0) break;
    game.play(legal[rng.int(legal.length)]!);
  }
  return game;
}

/** An evaluator with a fixed policy (uniform, or all mass on one action) that counts the positions it saw. */
class FixedEvaluator implements Evaluator {
  readonly info: NetInfo = { boardSize: size, featureSet: 'lee', inputPlanes: LEE_FEATURE_PLANES };
  positions = 0;
  constructor(private readonly favourite: number | null = null) {}
  async evaluate(_planes: Float32Array, count: number): Promise<EvalOutput> {
    this.positions += count;
    const policy = new Float32Array(count * (area + 1));
    for (let i = 0; i < count; i++) {
      if (this.favourite === null) policy.fill(1 / (area + 1), i * (area + 1), (i + 1) * (area + 1));
      else policy[i * (area + 1) + this.favourite] = 1;
    }
    return { policy, value: new Float32Array(count) };
  }
  async dispose(): Promise<void> {}
}

describe('loss weights of the training graph', () => {
  const config = defaultNetConfig(4, { blocks: 1, filters: 4, valueHidden: 8, featureSet: 'lee' });
  const n = 4;
  const planes = Float32Array.from({ length: n * LEE_FEATURE_PLANES * 16 }, (_, i) => ((i * 7919) % 13 < 4 ? 1 : 0));
  const policy = new Float32Array(n * 17);
  for (let i = 0; i < n; i++) policy[i * 17 + ((i * 5) % 17)] = 1;
  const value = Float32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1));

  async function gradients(policyWeight: number, valueWeight: number): Promise<Record<string, Float32Array>> {
    const net = createNet(config, { seed: 3 });
    const graph = buildTrainGraph(config, { l2: 0, outputGradients: true, policyWeight, valueWeight });
    const session = await ort.InferenceSession.create(graph.bytes);
    const trainer = await OnnxTrainer.create(net, { l2: 0 });
    // The trainer's state holds every parameter; feed the graph the same and read gradients.
    const feeds: Record<string, ort.Tensor> = {
      planes: new ort.Tensor('float32', planes, [n, LEE_FEATURE_PLANES, 4, 4]),
      target_policy: new ort.Tensor('float32', policy, [n, 17]),
      target_value: new ort.Tensor('float32', value, [n, 1]),
      lr: new ort.Tensor('float32', Float32Array.of(0), [1]),
    };
    const { readTrainState } = await import('../src/nn/trainer.js');
    const s = readTrainState(net.model, graph);
    graph.params.forEach((p, i) => {
      feeds[p.name] = new ort.Tensor('float32', s.params[i]!, p.shape);
      feeds[`${p.name}.momentum`] = new ort.Tensor('float32', s.momenta[i]!, p.shape);
    });
    graph.stats.forEach((st, i) => (feeds[st.name] = new ort.Tensor('float32', s.stats[i]!, st.shape)));
    const out = await session.run(feeds);
    await trainer.dispose();
    await session.release();
    const grads: Record<string, Float32Array> = {};
    for (const p of graph.params) grads[p.name] = out[`${p.name}.grad`]!.data as Float32Array;
    return grads;
  }

  const norm = (x: Float32Array): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0));

  it('a zero weight switches a head off; a weight scales its gradient', async () => {
    const both = await gradients(1, 1);
    const policyOnly = await gradients(1, 0);
    const valueOnly = await gradients(0, 1);
    const halfValue = await gradients(1, 0.5);
    expect(norm(both['policy_dense.weight']!)).toBeGreaterThan(0);
    expect(norm(both['value_dense2.weight']!)).toBeGreaterThan(0);
    expect(norm(policyOnly['value_dense2.weight']!)).toBe(0);
    expect(norm(valueOnly['policy_dense.weight']!)).toBe(0);
    // The shared tower's gradient is the sum of the two heads' contributions.
    const stem = 'stem_conv.weight';
    const mixed = both[stem]!.map((_, i) => policyOnly[stem]![i]! + 0.5 * valueOnly[stem]![i]!);
    halfValue[stem]!.forEach((g, i) => expect(g).toBeCloseTo(mixed[i]!, 5));
  });

  it('the tfjs trainer applies the same weights as the onnx graph', async () => {
    const onnxNet = createNet(config, { seed: 5 });
    const tfjsNet = createNet(config, { seed: 5 });
    const options = { l2: 1e-3, momentum: 0.9, policyWeight: 0.25, valueWeight: 0 };
    const a = await OnnxTrainer.create(onnxNet, { ...options, threads: 1 });
    const b = await TfjsTrainer.create(tfjsNet, 'cpu', options);
    for (let k = 0; k < 2; k++) {
      await a.step(planes, policy, value, n, 0.05);
      await b.step(planes, policy, value, n, 0.05);
    }
    const wa = new Map(a.state().weights.map((w) => [w.name, w.data]));
    for (const w of b.state().weights) {
      const other = wa.get(w.name)!;
      w.data.forEach((x, i) => expect(x).toBeCloseTo(other[i]!, 4));
    }
    await a.dispose();
    await b.dispose();
  });
});

describe('policy-only games', () => {
  it('samples only sensible points and passes when there is none', () => {
    const game = randomGame(7, 6);
    const planes = new Float32Array(fp);
    encodeLeeGameFeatures(planes, 0, game);
    const policy = new Float32Array(area + 1).fill(1 / (area + 1));
    const rng = new Rng(1);
    for (let k = 0; k < 200; k++) {
      const a = samplePolicyAction(policy, 0, planes, 0, area, 1, rng);
      expect(a).toBeLessThan(area);
      expect(planes[LEE_PLANE.sensible * area + a]).toBe(1);
    }
    // All probability on one sensible point: always that point, at any temperature.
    const target = [...Array(area).keys()].find((p) => planes[LEE_PLANE.sensible * area + p] === 1)!;
    const peaked = new Float32Array(area + 1);
    peaked[target] = 1;
    for (const t of [0.5, 1, 2]) expect(samplePolicyAction(peaked, 0, planes, 0, area, t, rng)).toBe(target);
    planes.fill(0, LEE_PLANE.sensible * area, (LEE_PLANE.sensible + 1) * area);
    expect(samplePolicyAction(policy, 0, planes, 0, area, 1, rng)).toBe(area);
  });

  it('games end with scored results, and colour assignment follows source()', async () => {
    const a = new FixedEvaluator();
    const b = new FixedEvaluator();
    const moves: { color: StoneColor; source: number | 'uniform' }[] = [];
    const results = await playPolicyGames({
      size,
      komi: 0.5,
      games: 6,
      evaluators: [a, b],
      rng: new Rng(3),
      source: (g, _m, color) => ((g % 2 === 0) === (color === BLACK) ? 0 : 1),
      onMove: (m) => moves.push({ color: m.color, source: m.game % 2 === 0 ? m.source : m.source === 0 ? 1 : 0 }),
    });
    expect(results).toHaveLength(6);
    for (const r of results) {
      expect(r.stopped).toBe(false);
      expect(r.winner === BLACK ? r.margin > 0 : r.margin < 0).toBe(true);
      expect(r.moves).toBeLessThanOrEqual(3 * area);
    }
    // Normalised so "net 0 plays Black": every Black move came from net 0.
    expect(moves.every((m) => (m.color === BLACK) === (m.source === 0))).toBe(true);
    expect(a.positions + b.positions).toBe(results.reduce((s, r) => s + r.moves, 0));
  });

  it('a match between two nets counts every game once for each side', async () => {
    const t = await playMatch({ a: new FixedEvaluator(), b: new FixedEvaluator(), games: 8, size, komi: 0.5, rng: new Rng(4), concurrency: 3 });
    expect(t.wins + t.losses + t.draws).toBe(8);
  });
});

describe('SL policy', () => {
  it('fits a handful of records (training accuracy) and keeps held-out games apart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lee-sl-'));
    const files: string[] = [];
    for (let i = 0; i < 4; i++) {
      const file = join(dir, `g${i}.sgf`);
      writeFileSync(file, gameToSgf(randomGame(100 + i, 10), { result: i % 2 === 0 ? 'B+R' : 'W+R' }));
      files.push(file);
    }
    const split = loadRecordSplit(files, { size, komi: 0.5, holdout: 0.25, seed: 1 });
    expect(split.trainGames).toBe(3);
    expect(split.heldOutGames).toBe(1);
    expect(split.train.length).toBe(30);
    expect(split.heldOut.length).toBe(10);
    const net = createNet(defaultNetConfig(size, { blocks: 1, filters: 32, featureSet: 'lee', valueHidden: 8 }), { seed: 1 });
    const before = await evaluateHead(net, split.train, 'policy');
    const log = await trainSupervised({
      net,
      head: 'policy',
      train: split.train,
      heldOut: split.heldOut,
      config: { ...DEFAULT_SUPERVISED, steps: 400, batchSize: 30, lr: 0.05, evalEvery: 400, threads: 1 },
    });
    const after = await evaluateHead(net, split.train, 'policy');
    expect(before.accuracy!).toBeLessThan(0.3);
    // The three games share their empty-board start (three different first moves), and augmentation
    // makes early positions alike, so about 0.9 is the ceiling; chance is about 1/20.
    expect(after.accuracy!, `training accuracy ${after.accuracy}`).toBeGreaterThanOrEqual(0.8);
    expect(log[0]!.heldOut!.positions).toBe(10);
  });
});

describe('REINFORCE', () => {
  it('raises the probability of moves from won games and lowers that of moves from lost games', async () => {
    const net = createNet(defaultNetConfig(size, { blocks: 1, filters: 8, featureSet: 'lee', valueHidden: 8 }), { seed: 2 });
    // A batch of different positions (as in a real update), each with the move the learner played.
    const count = 16;
    const planes = new Float32Array(count * fp);
    for (let i = 0; i < count; i++) encodeLeeGameFeatures(planes, i * fp, randomGame(300 + i, 4 + (i % 6)));
    const sensible = (i: number): number[] => [...Array(area).keys()].filter((p) => planes[i * fp + LEE_PLANE.sensible * area + p] === 1);
    // Different points in different positions, so no two records pull the same logit both ways.
    const actions = Int16Array.from({ length: count }, (_, i) => {
      const s = sensible(i);
      return s[(i * 7) % s.length]!;
    });
    const rewards = Float32Array.from({ length: count }, (_, i) => (i % 2 === 0 ? 1 : -1));
    const targets = new Float32Array(count * (area + 1));
    for (let i = 0; i < count; i++) writeReinforceTarget(targets, i * (area + 1), area, actions[i]!, rewards[i]!, 1);
    const probabilities = async (): Promise<number[]> => {
      const e = await createEvaluator({ model: net, backend: 'onnx', threads: 1 });
      const out = await e.evaluate(planes, count);
      await e.dispose();
      return [...actions].map((a, i) => out.policy[i * (area + 1) + a]!);
    };
    // As train-rl trains: BatchNorm frozen at moving statistics that fit the positions (an SL net's; here one
    // lr-0 step with bnMomentum 0 sets them to this batch's), so the update acts on the network measured.
    const calibration = await OnnxTrainer.create(net, { l2: 0, momentum: 0, bnMomentum: 0, threads: 1, policyWeight: 1, valueWeight: 0 });
    await reinforceUpdate(calibration, area, planes, targets, count, count, 0);
    calibration.writeBack(net);
    await calibration.dispose();
    const trainer = await OnnxTrainer.create(net, { l2: 0, momentum: 0, threads: 1, policyWeight: 1, valueWeight: 0, frozenBatchNorm: true });
    const p0 = await probabilities();
    for (let k = 0; k < 3; k++) await reinforceUpdate(trainer, area, planes, targets, count, count, 0.002);
    trainer.writeBack(net);
    await trainer.dispose();
    const p1 = await probabilities();
    // One network shares every position, so single moves can move against their reward (an update for one
    // position moves the others' logits too); what a policy-gradient step must do is raise the objective
    // Σ z·log p, and on average the won moves' log-probabilities and lower the lost ones'.
    const meanLogChange = (sign: number): number => {
      let sum = 0;
      let n = 0;
      for (let i = 0; i < count; i++) {
        if (Math.sign(rewards[i]!) !== sign) continue;
        sum += Math.log(p1[i]!) - Math.log(p0[i]!);
        n++;
      }
      return sum / n;
    };
    expect(meanLogChange(1)).toBeGreaterThan(0.1);
    expect(meanLogChange(-1)).toBeLessThan(-0.1);
    const objective = (p: number[]): number => p.reduce((s, q, i) => s + rewards[i]! * Math.log(q), 0);
    expect(objective(p1)).toBeGreaterThan(objective(p0));
  });
});

describe('REINFORCE target', () => {
  it('makes the graph gradient (A/T)·(p′ − onehot): the gradient of log p′, zero on points the draw excludes', () => {
    const rng = new Rng(3);
    const planes = new Float32Array(fp);
    encodeLeeGameFeatures(planes, 0, randomGame(77, 12));
    // A policy with weight on pass and on occupied points, as a trained net has late in a game.
    const policy = Float32Array.from({ length: area + 1 }, () => rng.next());
    policy[area] = 3;
    const sum = policy.reduce((a, b) => a + b, 0);
    for (let k = 0; k <= area; k++) policy[k]! /= sum;
    const sensibleCount = [...Array(area).keys()].filter((p) => planes[LEE_PLANE.sensible * area + p] === 1).length;
    expect(sensibleCount).toBeGreaterThan(2);
    expect(sensibleCount).toBeLessThan(area);
    for (const temperature of [1, 0.5]) {
      for (const advantage of [0.6, -1.2]) {
        const sampled = new Float32Array(area + 1);
        sampledDistribution(sampled, policy, 0, planes, 0, area, temperature);
        const correction = Float32Array.from(policy, (q, k) => q - sampled[k]!);
        const action = [...Array(area).keys()].find((p) => sampled[p]! > 0)!;
        const target = new Float32Array(area + 1);
        writeReinforceTarget(target, 0, area, action, advantage, temperature, correction);
        const targetSum = target.reduce((a, b) => a + b, 0);
        for (let k = 0; k <= area; k++) {
          const graphGradient = policy[k]! * targetSum - target[k]!;
          const expected = (advantage / temperature) * (sampled[k]! - (k === action ? 1 : 0));
          expect(graphGradient).toBeCloseTo(expected, 6);
          if (sampled[k] === 0) expect(Math.abs(graphGradient)).toBeLessThan(1e-6);
        }
      }
    }
  });
});

describe('value data', () => {
  it('one position per game, after U SL moves and one random move, z signed for the side to move', async () => {
    const sl = new FixedEvaluator();
    const rl = new FixedEvaluator();
    const games = 10;
    const maxU = 6;
    const { set, sources, summary } = await generateValuePositions({ sl, rl, size, komi: 0.5, config: { games, maxU, concurrency: 4, temperature: 1, seed: 5 } });
    expect(summary.games).toBe(games);
    expect(set.length + summary.skipped).toBe(games);
    expect(set.length).toBeGreaterThan(games / 2);
    expect(sources).toHaveLength(set.length);
    let slMoves = 0;
    let rlMoves = 0;
    sources.forEach((s, i) => {
      expect(s.u).toBeGreaterThanOrEqual(1);
      expect(s.u).toBeLessThanOrEqual(maxU);
      // U SL moves and one random move before the recorded position: its mover is Black when U+1 is even.
      expect(s.color).toBe((s.u + 1) % 2 === 0 ? BLACK : WHITE);
      const blackWon = s.margin > 0;
      expect(set.outcome(i)).toBe((s.color === BLACK) === blackWon ? 1 : -1);
      expect(set.action(i)).toBe(-1);
      slMoves += s.u;
      rlMoves += s.moves - s.u - 1;
    });
    // With no skipped games, every SL position is one of moves 1..U and every RL one after the random move.
    if (summary.skipped === 0) {
      expect(sl.positions).toBe(slMoves);
      expect(rl.positions).toBe(rlMoves);
    }
    // The stored planes are a position with U+1 stones at most (captures remove some) and the mover's view.
    const planes = new Float32Array(fp);
    set.fillBatch([0], [0], planes);
    let stones = 0;
    for (let p = 0; p < area; p++) stones += planes[LEE_PLANE.own * area + p]! + planes[LEE_PLANE.opponent * area + p]!;
    expect(stones).toBeLessThanOrEqual(sources[0]!.u + 1);
    expect(stones).toBeGreaterThan(0);
  });

  it('a position set round-trips planes and applies symmetries to moves', () => {
    const set = new LeePositionSet(size, 1);
    const game = randomGame(9, 5);
    const start = new Game(size, { komi: 0.5 });
    expect(set.addGame(game, start, BLACK)).toBe(5);
    expect(set.length).toBe(5);
    const planes = new Float32Array(2 * fp);
    const policy = new Float32Array(2 * (area + 1));
    const value = new Float32Array(2);
    set.fillBatch([4, 4], [0, 1], planes, policy, value);
    expect(value[0]).toBe(game.moves[4]!.color === BLACK ? 1 : -1);
    expect(policy.slice(0, area + 1).indexOf(1)).toBe(game.moves[4]!.move);
    // Under a symmetry the move label moves with the stones: the target point is empty in both views.
    const targetSym = policy.slice(area + 1).indexOf(1);
    expect(planes[fp + LEE_PLANE.empty * area + targetSym]).toBe(1);
  });
});

describe('train-sl / train-rl / train-value commands', () => {
  it('reject bad options with exit code 2 and print help', async () => {
    const err = process.stderr.write;
    const outWrite = process.stdout.write;
    let text = '';
    process.stderr.write = ((s: string) => ((text += s), true)) as typeof process.stderr.write;
    process.stdout.write = ((s: string) => ((text += s), true)) as typeof process.stdout.write;
    try {
      expect(await trainSlMain(['--bogus'])).toBe(2);
      expect(await trainSlMain([])).toBe(2);
      expect(text).toContain('--sgf is required');
      expect(await trainSlMain(['--sgf', '/nonexistent-folder'])).toBe(2);
      expect(await trainRlMain(['--out', '/nonexistent-set'])).toBe(2);
      expect(await trainRlMain(['--lr', 'fast'])).toBe(2);
      expect(await trainValueMain(['--init', 'magic'])).toBe(2);
      text = '';
      expect(await trainValueMain(['--help'])).toBe(0);
      expect(text).toContain('--max-u N');
      expect(text).toContain('default 60');
    } finally {
      process.stderr.write = err;
      process.stdout.write = outWrite;
    }
  });

  it('write a model set: sl/, rl/, value/ (feature set lee), lee.json and loss plots', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lee-set-'));
    const records = join(dir, 'records');
    mkdirSync(records);
    for (let i = 0; i < 6; i++) writeFileSync(join(records, `g${i}.sgf`), gameToSgf(randomGame(200 + i, 12), { result: 'B+R' }));
    const out = join(dir, 'set');
    const err = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      const common = ['--out', out, '--threads', '1', '--no-progress'];
      expect(await trainSlMain(['--sgf', records, '--size', '5', '--komi', '0.5', '--blocks', '1', '--filters', '8', '--steps', '20', '--batch-size', '16', '--eval-every', '10', ...common])).toBe(0);
      expect(await trainRlMain(['--iterations', '2', '--games', '4', '--snapshot-every', '1', '--eval-games', '4', ...common])).toBe(0);
      expect(await trainValueMain(['--games', '12', '--max-u', '4', '--steps', '10', '--batch-size', '8', '--eval-every', '5', '--holdout', '0.25', ...common])).toBe(0);
    } finally {
      process.stderr.write = err;
    }
    for (const name of ['sl', 'rl', 'value']) {
      const m = await readNetMetadata(join(out, name));
      expect(m.featureSet).toBe('lee');
      expect(m.boardSize).toBe(5);
      expect(existsSync(join(out, 'logs', `${name}-loss.svg`))).toBe(true);
      expect(readFileSync(join(out, 'logs', `${name}-loss.svg`), 'utf8')).toContain('<svg');
    }
    expect((await loadNet(join(out, 'rl'))).parent).toBe('sl');
    const manifest = JSON.parse(readFileSync(join(out, 'lee.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(manifest.boardSize).toBe(5);
    expect(manifest.komi).toBe(0.5);
    expect(typeof manifest.sl!.heldOutAccuracy).toBe('number');
    expect((manifest.rl!.vsSl as { games: number }).games).toBe(4);
    expect(typeof manifest.value!.heldOutMse).toBe('number');
    expect(typeof manifest.value!.heldOutTrivialMse).toBe('number');
  });
});
