/**
 * AlphaGo Lee's RL policy network: starts as a copy of the SL policy and is improved by policy gradient
 * (REINFORCE) in games against an opponent drawn uniformly from a pool of its own earlier snapshots (the SL
 * net first; the current learner added every `snapshotEvery` iterations), which keeps it from overfitting
 * to one opponent. Each iteration plays `gamesPerIteration` games at once against one opponent, the
 * learner Black in half of them, every move sampled from the policies (no search). Then, for every move
 * the learner made, the target is z·onehot(a) with z = ±1 the game's outcome for the learner: the training
 * graph's policy gradient (softmax·Σπ − π) is then −z·∇log p(a|s), i.e. a descent step on it is the
 * REINFORCE ascent on z·log p(a|s). Policy loss only.
 */
import { BLACK, WHITE, type StoneColor } from '../../engine/color.js';
import { Rng } from '../../engine/rng.js';
import { createEvaluator, type BackendEvaluator } from '../nn/create-evaluator.js';
import { LEE_FEATURE_PLANES } from '../nn/features-lee.js';
import { cloneModel, type PolicyValueNet } from '../nn/model.js';
import { OnnxTrainer } from '../nn/trainer.js';
import { playPolicyGames } from './policy-player.js';

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
}

export const DEFAULT_RL: RlConfig = {
  iterations: 100,
  gamesPerIteration: 64,
  snapshotEvery: 10,
  batchSize: 512,
  lr: 0.002,
  momentum: 0.9,
  l2: 1e-4,
  temperature: 1,
  seed: 1,
  threads: 2,
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
  /** Mean of the z-weighted cross-entropy over the update's steps (its sign follows the outcomes). */
  loss: number;
  seconds: number;
}

/** A copy of a network (fresh tfjs model with the same weights). */
export function copyNet(net: PolicyValueNet, parent: string | null): PolicyValueNet {
  return { config: net.config, model: cloneModel(net.model, net.config), trainingSteps: net.trainingSteps, parent };
}

/**
 * One REINFORCE update from recorded learner moves: `planes` count×planes, `actions`, `rewards` (±1, 0).
 * Returns the mean step loss.
 */
export async function reinforceUpdate(
  trainer: OnnxTrainer,
  area: number,
  planes: Float32Array,
  actions: ArrayLike<number>,
  rewards: ArrayLike<number>,
  count: number,
  batchSize: number,
  lr: number,
): Promise<number> {
  const fp = LEE_FEATURE_PLANES * area;
  const policy = new Float32Array(Math.min(batchSize, count) * (area + 1));
  const value = new Float32Array(Math.min(batchSize, count));
  let lossSum = 0;
  let steps = 0;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    policy.fill(0);
    for (let i = 0; i < n; i++) policy[i * (area + 1) + actions[start + i]!] = rewards[start + i]!;
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
  const trainer = await OnnxTrainer.create(learner, { l2: c.l2, momentum: c.momentum, threads: c.threads, policyWeight: 1, valueWeight: 0 });
  const log: RlIterationLog[] = [];
  let planes = new Float32Array(4096 * fp);
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
            if (m.source !== 0 || m.planes === undefined || m.action === area) return;
            if (count === actions.length) {
              const grown = new Float32Array(planes.length * 2);
              grown.set(planes);
              planes = grown;
              actions = Int16Array.from({ length: actions.length * 2 }, (_, i) => actions[i] ?? 0);
              colors = Uint8Array.from({ length: colors.length * 2 }, (_, i) => colors[i] ?? 0);
              gameOf = Int32Array.from({ length: gameOf.length * 2 }, (_, i) => gameOf[i] ?? 0);
            }
            planes.set(m.planes, count * fp);
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
      for (let i = 0; i < count; i++) {
        const w = results[gameOf[i]!]!.winner;
        rewards[i] = w === null ? 0 : w === colors[i] ? 1 : -1;
      }
      // Shuffle so each SGD chunk mixes games (and wins with losses).
      const order = Int32Array.from({ length: count }, (_, i) => i);
      for (let k = count - 1; k > 0; k--) {
        const j = rng.int(k + 1);
        const t = order[k]!;
        order[k] = order[j]!;
        order[j] = t;
      }
      const shuffledPlanes = new Float32Array(count * fp);
      const shuffledActions = new Int16Array(count);
      const shuffledRewards = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const j = order[i]!;
        shuffledPlanes.set(planes.subarray(j * fp, (j + 1) * fp), i * fp);
        shuffledActions[i] = actions[j]!;
        shuffledRewards[i] = rewards[j]!;
      }
      const loss = await reinforceUpdate(trainer, area, shuffledPlanes, shuffledActions, shuffledRewards, count, c.batchSize, c.lr);
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
