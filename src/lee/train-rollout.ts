/**
 * Supervised training of the rollout policy: maximum likelihood (softmax cross-entropy) of the moves
 * played in the records, by per-position stochastic gradient with AdaGrad step sizes. AdaGrad suits this
 * model: features are sparse and of very uneven frequency (a tactical flag fires in every position, most
 * patterns rarely), and it gives rare patterns large steps without a schedule to tune. Plain TypeScript on
 * typed arrays: the model is linear, no tensor library is needed.
 */
import { Rng } from '../../engine/rng.js';
import { canonicalPattern3, canonicalResponse } from './patterns.js';
import type { RolloutDataset } from './rollout-dataset.js';
import { SCALAR_COUNT } from './rollout-features.js';
import { RolloutPolicy } from './rollout-policy.js';

export interface RolloutTrainingConfig {
  epochs: number;
  /** AdaGrad base step. */
  learningRate: number;
  /** L2 penalty per touched weight and step. */
  l2: number;
  /** Patterns seen fewer times than this among training candidates get no weight of their own. */
  minPatternCount: number;
  seed: number;
}

export const DEFAULT_ROLLOUT_TRAINING: RolloutTrainingConfig = {
  epochs: 20,
  learningRate: 0.2,
  l2: 1e-5,
  minPatternCount: 2,
  seed: 1,
};

export interface RolloutEvaluation {
  positions: number;
  /** Mean negative log-likelihood of the move played. */
  loss: number;
  /** Fraction of positions whose most probable move is the one played. */
  accuracy: number;
  /** Mean number of candidates per position. */
  meanCandidates: number;
  /** Accuracy of guessing uniformly among the candidates (mean of 1/candidates). */
  chanceAccuracy: number;
}

export interface EpochReport {
  epoch: number;
  train: RolloutEvaluation;
  heldOut: RolloutEvaluation | null;
}

/** Builds the pattern dictionaries from the training set: every pattern seen at least minCount times. */
export function buildPatternDictionary(policy: RolloutPolicy, data: RolloutDataset, minCount: number): void {
  const raw3 = new Map<number, number>();
  const rawR = new Map<number, number>();
  for (let i = 0; i < data.candidateCount; i++) {
    const c3 = data.pattern3[i]!;
    raw3.set(c3, (raw3.get(c3) ?? 0) + 1);
    const cr = data.response[i]!;
    if (cr >= 0) rawR.set(cr, (rawR.get(cr) ?? 0) + 1);
  }
  const canonical = (raw: Map<number, number>, canon: (c: number) => number): Map<number, number> => {
    const out = new Map<number, number>();
    for (const [code, n] of raw) {
      const c = canon(code);
      out.set(c, (out.get(c) ?? 0) + n);
    }
    return out;
  };
  // Sorted so the dictionary (and the saved file) does not depend on record order.
  const keep = (counts: Map<number, number>): number[] =>
    [...counts].filter(([, n]) => n >= minCount).map(([c]) => c).sort((a, b) => a - b);
  for (const c of keep(canonical(raw3, canonicalPattern3))) policy.addPattern3(c);
  for (const c of keep(canonical(rawR, canonicalResponse))) policy.addResponse(c);
}

/**
 * Flattened view of the policy's parameters for training: index i < SCALAR_COUNT is a scalar weight,
 * then the 3x3 pattern weights, then the response pattern weights. Per candidate the ids are resolved once.
 */
class TrainingView {
  readonly weights: Float64Array;
  readonly id3: Int32Array;
  readonly idR: Int32Array;
  readonly offset3 = SCALAR_COUNT;
  readonly offsetR: number;

  constructor(
    readonly policy: RolloutPolicy,
    readonly data: RolloutDataset,
  ) {
    this.offsetR = SCALAR_COUNT + policy.pattern3Count;
    this.weights = new Float64Array(this.offsetR + policy.responseCount);
    this.weights.set(policy.scalarWeights.subarray(0, SCALAR_COUNT), 0);
    this.weights.set(policy.pattern3Weights.subarray(0, policy.pattern3Count), this.offset3);
    this.weights.set(policy.responseWeights.subarray(0, policy.responseCount), this.offsetR);
    this.id3 = new Int32Array(data.candidateCount);
    this.idR = new Int32Array(data.candidateCount);
    for (let i = 0; i < data.candidateCount; i++) {
      const a = policy.pattern3Index.get(data.pattern3[i]!);
      this.id3[i] = a >= 0 ? this.offset3 + a : -1;
      const r = data.response[i]! >= 0 ? policy.responseIndex.get(data.response[i]!) : -1;
      this.idR[i] = r >= 0 ? this.offsetR + r : -1;
    }
  }

  score(i: number): number {
    const w = this.weights;
    let s = 0;
    for (let m = this.data.masks[i]!, bit = 0; m !== 0; m >>>= 1, bit++) if (m & 1) s += w[bit]!;
    const a = this.id3[i]!;
    if (a >= 0) s += w[a]!;
    const r = this.idR[i]!;
    if (r >= 0) s += w[r]!;
    return s;
  }

  writeBack(): void {
    const p = this.policy;
    p.scalarWeights.set(this.weights.subarray(0, SCALAR_COUNT));
    p.pattern3Weights.set(this.weights.subarray(this.offset3, this.offsetR));
    p.responseWeights.set(this.weights.subarray(this.offsetR));
  }
}

/** Softmax probabilities of position k's candidates into `probs`; returns log-sum-exp. */
function softmax(view: TrainingView, start: number, count: number, probs: Float64Array): number {
  let max = -Infinity;
  for (let j = 0; j < count; j++) {
    const s = view.score(start + j);
    probs[j] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let j = 0; j < count; j++) {
    const e = Math.exp(probs[j]! - max);
    probs[j] = e;
    sum += e;
  }
  for (let j = 0; j < count; j++) probs[j]! /= sum;
  return max + Math.log(sum);
}

function evaluateView(view: TrainingView, data: RolloutDataset): RolloutEvaluation {
  const probs = new Float64Array(maxCount(data));
  let loss = 0;
  let correct = 0;
  let candidates = 0;
  let chance = 0;
  const n = data.positionCount;
  for (let k = 0; k < n; k++) {
    const start = data.starts[k]!;
    const count = data.counts[k]!;
    const target = data.targets[k]!;
    softmax(view, start, count, probs);
    loss -= Math.log(Math.max(probs[target]!, 1e-300));
    let best = 0;
    for (let j = 1; j < count; j++) if (probs[j]! > probs[best]!) best = j;
    if (best === target) correct++;
    candidates += count;
    chance += 1 / count;
  }
  const mean = (x: number): number => (n > 0 ? x / n : 0);
  return { positions: n, loss: mean(loss), accuracy: mean(correct), meanCandidates: mean(candidates), chanceAccuracy: mean(chance) };
}

/** Move-prediction figures of `policy` on a data set. */
export function evaluateRolloutPolicy(policy: RolloutPolicy, data: RolloutDataset): RolloutEvaluation {
  return evaluateView(new TrainingView(policy, data), data);
}

function maxCount(data: RolloutDataset): number {
  let m = 1;
  for (const c of data.counts) if (c > m) m = c;
  return m;
}

/**
 * Fits `policy` (whose dictionaries are already built) to `train`, reporting after each epoch. The
 * policy's weights are updated in place.
 */
export function trainRolloutPolicy(
  policy: RolloutPolicy,
  train: RolloutDataset,
  heldOut: RolloutDataset | null,
  config: Partial<RolloutTrainingConfig> = {},
  onEpoch?: (report: EpochReport) => void,
): EpochReport[] {
  const cfg = { ...DEFAULT_ROLLOUT_TRAINING, ...config };
  const view = new TrainingView(policy, train);
  const heldOutView = heldOut === null ? null : new TrainingView(policy, heldOut);
  const w = view.weights;
  const grad = new Float64Array(w.length);
  const sumSq = new Float64Array(w.length).fill(1e-8);
  const touched = new Int32Array(w.length);
  const isTouched = new Uint8Array(w.length);
  const probs = new Float64Array(maxCount(train));
  const order = Array.from({ length: train.positionCount }, (_, i) => i);
  const rng = new Rng(cfg.seed);
  const reports: EpochReport[] = [];
  const addGrad = (f: number, g: number, n: number): number => {
    if (!isTouched[f]) {
      isTouched[f] = 1;
      touched[n++] = f;
    }
    grad[f]! += g;
    return n;
  };
  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (const k of order) {
      const start = train.starts[k]!;
      const count = train.counts[k]!;
      const target = train.targets[k]!;
      softmax(view, start, count, probs);
      // d(-log p_target)/d score_j = p_j - [j == target], spread onto each active feature of candidate j.
      let n = 0;
      for (let j = 0; j < count; j++) {
        const g = probs[j]! - (j === target ? 1 : 0);
        if (g > -1e-7 && g < 1e-7) continue;
        const i = start + j;
        for (let m = train.masks[i]!, bit = 0; m !== 0; m >>>= 1, bit++) if (m & 1) n = addGrad(bit, g, n);
        if (view.id3[i]! >= 0) n = addGrad(view.id3[i]!, g, n);
        if (view.idR[i]! >= 0) n = addGrad(view.idR[i]!, g, n);
      }
      for (let t = 0; t < n; t++) {
        const f = touched[t]!;
        const g = grad[f]! + cfg.l2 * w[f]!;
        sumSq[f]! += g * g;
        w[f]! -= (cfg.learningRate * g) / Math.sqrt(sumSq[f]!);
        grad[f] = 0;
        isTouched[f] = 0;
      }
    }
    const report: EpochReport = {
      epoch,
      train: evaluateView(view, train),
      heldOut: heldOutView === null || heldOut === null ? null : (heldOutView.weights.set(w), evaluateView(heldOutView, heldOut)),
    };
    reports.push(report);
    onEpoch?.(report);
  }
  view.writeBack();
  return reports;
}
