/**
 * Re-estimating BatchNorm moving statistics after a generation's training. Training uses batch statistics
 * and updates the moving averages as moving ← 0.99·moving + 0.01·batch; a generation trains only a few
 * hundred steps, so that average still remembers the previous weights' activations. With the final weights
 * fixed, this pools the batch statistics over a few dozen training batches instead; the exported inference
 * graph folds them into the convolutions.
 */
import type { Trainer, TrainerState } from '../src/nn/trainer.js';
import type { TrainingBatch } from './train-data.js';

/**
 * Re-estimates every BN layer's moving statistics from `batches` batches with the trainer's current
 * weights: mean = average of batch means, variance = average batch variance + variance of the batch means
 * (the population variance of the activations over all the batches). Returns `state` with the new statistics.
 */
export async function calibrateBatchNorm(trainer: Trainer, state: TrainerState, nextBatch: () => TrainingBatch, batches: number): Promise<TrainerState> {
  if (batches < 1) return state;
  const sums = new Map<string, { mean: Float64Array; meanSq: Float64Array; variance: Float64Array }>();
  for (let b = 0; b < batches; b++) {
    const batch = nextBatch();
    const stats = await trainer.batchNormStatistics(batch.planes, batch.count);
    for (const [layer, s] of stats) {
      let acc = sums.get(layer);
      if (acc === undefined) {
        acc = { mean: new Float64Array(s.mean.length), meanSq: new Float64Array(s.mean.length), variance: new Float64Array(s.mean.length) };
        sums.set(layer, acc);
      }
      for (let c = 0; c < s.mean.length; c++) {
        acc.mean[c]! += s.mean[c]!;
        acc.meanSq[c]! += s.mean[c]! * s.mean[c]!;
        acc.variance[c]! += s.variance[c]!;
      }
    }
  }
  const weights = state.weights.map((w) => {
    const m = /^(.*)\/(moving_mean|moving_variance)$/.exec(w.name);
    const acc = m ? sums.get(m[1]!) : undefined;
    if (m === null || acc === undefined) return w;
    const data = new Float32Array(w.data.length);
    for (let c = 0; c < data.length; c++) {
      const mean = acc.mean[c]! / batches;
      data[c] = m[2] === 'moving_mean' ? mean : acc.variance[c]! / batches + Math.max(0, acc.meanSq[c]! / batches - mean * mean);
    }
    return { ...w, data };
  });
  return { weights, velocities: state.velocities };
}
