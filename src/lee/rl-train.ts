/**
 * AlphaGo Lee's RL policy network: starts as a copy of the SL policy and is improved by policy gradient
 * (REINFORCE) in games against an opponent drawn uniformly from a pool of its own earlier snapshots (the SL
 * net first; the current learner added every `snapshotEvery` iterations), which keeps it from overfitting
 * to one opponent. Each iteration plays `gamesPerIteration` games at once against one opponent, the
 * learner Black in half of them, every move sampled from the policies (no search). Then, for every move
 * the learner made, the target is built so that the training graph's policy gradient is −(z − b)·∇log p'(a|s)
 * (writeReinforceTarget), with z = ±1 the game's outcome for the learner, b the iteration's mean z over the
 * learner's moves (a baseline), and p' the distribution the move was drawn from: a descent step on it is the
 * REINFORCE ascent on (z − b)·log p'(a|s). Policy loss only.
 */
import { BLACK, WHITE, type StoneColor } from '../../engine/color.js';
import { Rng } from '../../engine/rng.js';
import { createEvaluator, type BackendEvaluator } from '../nn/create-evaluator.js';
import { LEE_FEATURE_PLANES } from '../nn/features-lee.js';
import { cloneModel, type PolicyValueNet } from '../nn/model.js';
import { OnnxTrainer } from '../nn/trainer.js';
import { playPolicyGames, sampledDistribution } from './policy-player.js';

export interface RlConfig {
  /** Iterations: each one batch of games and the update from them. */
  iterations: number;
  gamesPerIteration: number;
  /** K: the learner joins the opponent pool every K iterations. */
  snapshotEvery: number;
  /** SGD steps split the iteration's learner positions into chunks of this many. */
  batchSize: number;
  lr: number;
  momentum: number;
  l2: number;
  temperature: number;
  seed: number;
  threads: number;
  /**
   * Train with BatchNorm in inference mode (moving statistics, left unchanged): the gradient is then that of
   * the network that played the games, and inference does not drift as the moving statistics follow the
   * policy games' positions. (Not what stopped the learner's decline: writeReinforceTarget did.)
   */
  frozenBatchNorm: boolean;
}

/** The settings of the shipped 9x9 RL net (models/9x9-lee/TRAINING.md), iterations aside. */
export const DEFAULT_RL: RlConfig = {
  iterations: 100,
  gamesPerIteration: 128,
  snapshotEvery: 10,
  batchSize: 512,
  lr: 0.002,
  momentum: 0,
  l2: 1e-4,
  temperature: 1,
  seed: 1,
  threads: 2,
  frozenBatchNorm: true,
};

export interface RlIterationLog {
  iteration: number;
  /** Pool index of the opponent (0 = the SL net). */
  opponent: number;
  poolSize: number;
  games: number;
  wins: number;
  losses: number;
  draws: number;
  positions: number;
  meanMoves: number;
  /** Mean policy loss of the update's steps against the advantage-weighted targets (writeReinforceTarget): small, either sign. */
  loss: number;
  seconds: number;
}

/** A copy of a network (fresh tfjs model with the same weights). */
export function copyNet(net: PolicyValueNet, parent: string | null): PolicyValueNet {
  return { config: net.config, model: cloneModel(net.model, net.config), trainingSteps: net.trainingSteps, parent };
}

/**
 * The policy target of one learner move, into `target` at `offset` (area + 1 entries): with it the training
 * graph's policy gradient (softmax·Σπ − π, softmax = p over every action) is −(A/T)·∇log p'(a|s), where p' is
 * the distribution the move was drawn from: p at temperature T restricted to the sensible points
 * (sampledDistribution). `correction` (area + 1 entries at `correctionOffset`) is p − p' at the time of the
 * move; π = (A/T)·(onehot(a) + p − p') then gives exactly that, since Σπ = A/T.
 *
 * Why not the plain z·onehot(a) of ∇log p: moves are drawn from p', and E_{a∼p'}[∇log p(a)] = p' − p is not
 * zero. It is large where p puts weight on points p' excludes, above all on pass, which the SL net learned to
 * play once GNU Go thought a game over, while policy games go on until no sensible point is left. Weighted
 * by how the game went from there, that term moved probability onto pass in lost games and off it in won
 * ones, every iteration the same way: the learner got steadily worse against the SL net.
 */
export function writeReinforceTarget(
  target: Float32Array,
  offset: number,
  area: number,
  action: number,
  advantage: number,
  temperature: number,
  correction?: Float32Array,
  correctionOffset = 0,
): void {
  const scale = advantage / temperature;
  for (let k = 0; k <= area; k++) target[offset + k] = correction === undefined ? 0 : scale * correction[correctionOffset + k]!;
  target[offset + action]! += scale;
}

/**
 * One REINFORCE update from recorded learner moves: `planes` count×planes and their policy `targets`
 * count×(area + 1) (writeReinforceTarget). Returns the mean step loss.
 */
export async function reinforceUpdate(
  trainer: OnnxTrainer,
  area: number,
  planes: Float32Array,
  targets: Float32Array,
  count: number,
  batchSize: number,
  lr: number,
): Promise<number> {
  const fp = LEE_FEATURE_PLANES * area;
  const value = new Float32Array(Math.min(batchSize, count));
  let lossSum = 0;
  let steps = 0;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const policy = targets.subarray(start * (area + 1), (start + n) * (area + 1));
    const losses = await trainer.step(planes.subarray(start * fp, (start + n) * fp), policy, value, n, lr);
    if (!Number.isFinite(losses.policy)) throw new Error(`REINFORCE step diverged (loss ${losses.policy}); lower --lr`);
    lossSum += losses.policy;
    steps++;
  }
  return steps === 0 ? 0 : lossSum / steps;
}

/**
 * Trains `learner` (a copy of the SL net) in place; `sl` is the pool's first opponent. Returns the log.
 */
export async function trainRlPolicy(o: {
  learner: PolicyValueNet;
  sl: PolicyValueNet;
  size: number;
  komi: number;
  config: RlConfig;
  onIteration?: (entry: RlIterationLog) => void;
}): Promise<RlIterationLog[]> {
  const { learner, size, komi, config: c } = o;
  const area = size * size;
  const fp = LEE_FEATURE_PLANES * area;
  const rng = new Rng(c.seed);
  const pool: BackendEvaluator[] = [await createEvaluator({ model: o.sl, backend: 'onnx', threads: c.threads })];
  const trainer = await OnnxTrainer.create(learner, { l2: c.l2, momentum: c.momentum, threads: c.threads, policyWeight: 1, valueWeight: 0, frozenBatchNorm: c.frozenBatchNorm });
  const log: RlIterationLog[] = [];
  let planes = new Float32Array(4096 * fp);
  /** p − p' of each learner move (writeReinforceTarget). */
  let corrections = new Float32Array(4096 * (area + 1));
  const sampled = new Float32Array(area + 1);
  let actions = new Int16Array(4096);
  let colors = new Uint8Array(4096);
  let gameOf = new Int32Array(4096);
  try {
    for (let it = 1; it <= c.iterations; it++) {
      const started = performance.now();
      trainer.writeBack(learner);
      const current = await createEvaluator({ model: learner, backend: 'onnx', threads: c.threads });
      const opponentIndex = rng.int(pool.length);
      const opponent = pool[opponentIndex]!;
      let count = 0;
      const learnerColor = (g: number): StoneColor => (g % 2 === 0 ? BLACK : WHITE);
      let results;
      try {
        results = await playPolicyGames({
          size,
          komi,
          games: c.gamesPerIteration,
          evaluators: [current, opponent],
          rng,
          temperature: c.temperature,
          source: (g, _m, color) => (color === learnerColor(g) ? 0 : 1),
          onMove: (m) => {
            // A pass is forced (no sensible point left), not a choice: nothing to reinforce.
            if (m.source !== 0 || m.planes === undefined || m.policy === undefined || m.action === area) return;
            if (count === actions.length) {
              const grown = new Float32Array(planes.length * 2);
              grown.set(planes);
              planes = grown;
              const grownCorrections = new Float32Array(corrections.length * 2);
              grownCorrections.set(corrections);
              corrections = grownCorrections;
              actions = Int16Array.from({ length: actions.length * 2 }, (_, i) => actions[i] ?? 0);
              colors = Uint8Array.from({ length: colors.length * 2 }, (_, i) => colors[i] ?? 0);
              gameOf = Int32Array.from({ length: gameOf.length * 2 }, (_, i) => gameOf[i] ?? 0);
            }
            planes.set(m.planes, count * fp);
            sampledDistribution(sampled, m.policy, 0, m.planes, 0, area, c.temperature);
            for (let k = 0; k <= area; k++) corrections[count * (area + 1) + k] = m.policy[k]! - sampled[k]!;
            actions[count] = m.action;
            colors[count] = m.color;
            gameOf[count] = m.game;
            count++;
          },
        });
      } finally {
        await current.dispose();
      }
      let wins = 0;
      let losses = 0;
      let draws = 0;
      let moves = 0;
      for (const r of results) {
        moves += r.moves;
        if (r.winner === null) draws++;
        else if (r.winner === learnerColor(r.game)) wins++;
        else losses++;
      }
      const rewards = new Float32Array(count);
      let rewardSum = 0;
      for (let i = 0; i < count; i++) {
        const w = results[gameOf[i]!]!.winner;
        rewards[i] = w === null ? 0 : w === colors[i] ? 1 : -1;
        rewardSum += rewards[i]!;
      }
      // The baseline: the iteration's mean reward per learner move. It lowers the variance of the update and
      // cancels the part of the sampling bias (writeReinforceTarget) that the mean reward carries; it did not
      // stop the decline on its own (29% against the pool by iteration 30): the p − p' correction did.
      const baseline = count > 0 ? rewardSum / count : 0;
      for (let i = 0; i < count; i++) rewards[i]! -= baseline;
      // Shuffle so each SGD chunk mixes games (and wins with losses).
      const order = Int32Array.from({ length: count }, (_, i) => i);
      for (let k = count - 1; k > 0; k--) {
        const j = rng.int(k + 1);
        const t = order[k]!;
        order[k] = order[j]!;
        order[j] = t;
      }
      const shuffledPlanes = new Float32Array(count * fp);
      const targets = new Float32Array(count * (area + 1));
      for (let i = 0; i < count; i++) {
        const j = order[i]!;
        shuffledPlanes.set(planes.subarray(j * fp, (j + 1) * fp), i * fp);
        writeReinforceTarget(targets, i * (area + 1), area, actions[j]!, rewards[j]!, c.temperature, corrections, j * (area + 1));
      }
      const loss = await reinforceUpdate(trainer, area, shuffledPlanes, targets, count, c.batchSize, c.lr);
      if (it % c.snapshotEvery === 0) {
        trainer.writeBack(learner);
        pool.push(await createEvaluator({ model: learner, backend: 'onnx', threads: c.threads }));
      }
      const entry: RlIterationLog = {
        iteration: it,
        opponent: opponentIndex,
        poolSize: pool.length,
        games: results.length,
        wins,
        losses,
        draws,
        positions: count,
        meanMoves: moves / results.length,
        loss,
        seconds: (performance.now() - started) / 1000,
      };
      log.push(entry);
      o.onIteration?.(entry);
    }
    trainer.writeBack(learner);
  } finally {
    await trainer.dispose();
    for (const e of pool) await e.dispose();
  }
  return log;
}
