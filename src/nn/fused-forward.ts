/**
 * Inference forward pass on tfjs with every BatchNorm folded into its convolution and each
 * conv + bias + ReLU run as one fused kernel (tf.fused.conv2d / tf.fused.matMul). Numerically the same
 * network as model.ts in inference mode, with fewer, larger kernels: fewer passes over memory on
 * wasm/cpu and fewer dispatches on webgpu. The layers model stays the reference (parity-tested).
 */
import * as tf from '@tensorflow/tfjs';
import { BN_EPSILON, policyHeadOf, type NetConfig } from './config.js';
import { featurePlaneCount } from './features.js';
import { layerWeight } from './model.js';

interface FusedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

interface FusedDense {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

export interface FusedWeights {
  config: NetConfig;
  stem: FusedConv;
  blocks: { conv1: FusedConv; conv2: FusedConv }[];
  policyConv: FusedConv;
  /** 'dense' head: the dense layer over the board. */
  policyDense?: FusedDense;
  /** 'conv' head: the 1x1 convolution to one logit per point, and the pass logit's dense layer. */
  policyPoint?: FusedConv;
  policyPass?: FusedDense;
  valueConv: FusedConv;
  valueDense1: FusedDense;
  valueDense2: FusedDense;
}

/** conv kernel (kh, kw, cin, cout) scaled per output channel by the following BN, and the BN shift as bias. */
function foldConv(model: tf.LayersModel, conv: string, bn: string): FusedConv {
  const kernel = layerWeight(model, conv, 0);
  const k = kernel.dataSync() as Float32Array;
  const cout = kernel.shape[3]!;
  const gamma = layerWeight(model, bn, 0).dataSync() as Float32Array;
  const beta = layerWeight(model, bn, 1).dataSync() as Float32Array;
  const mean = layerWeight(model, bn, 2).dataSync() as Float32Array;
  const variance = layerWeight(model, bn, 3).dataSync() as Float32Array;
  const scale = new Float32Array(cout);
  const bias = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    scale[o] = gamma[o]! / Math.sqrt(variance[o]! + BN_EPSILON);
    bias[o] = beta[o]! - mean[o]! * scale[o]!;
  }
  const folded = new Float32Array(k.length);
  for (let j = 0; j < k.length; j++) folded[j] = k[j]! * scale[j % cout]!;
  return { filter: tf.tensor4d(folded, kernel.shape as [number, number, number, number]), bias: tf.tensor1d(bias) };
}

function dense(model: tf.LayersModel, layer: string): FusedDense {
  const kernel = layerWeight(model, layer, 0);
  return {
    kernel: tf.tensor2d(Float32Array.from(kernel.dataSync() as Float32Array), kernel.shape as [number, number]),
    bias: tf.tensor1d(Float32Array.from(layerWeight(model, layer, 1).dataSync() as Float32Array)),
  };
}

/** Folded weights as tensors on the current tfjs backend. */
export function foldWeights(model: tf.LayersModel, config: NetConfig): FusedWeights {
  return {
    config,
    stem: foldConv(model, 'stem_conv', 'stem_bn'),
    blocks: Array.from({ length: config.blocks }, (_, i) => ({
      conv1: foldConv(model, `block${i}_conv1`, `block${i}_bn1`),
      conv2: foldConv(model, `block${i}_conv2`, `block${i}_bn2`),
    })),
    policyConv: foldConv(model, 'policy_conv', 'policy_bn'),
    ...(policyHeadOf(config) === 'conv'
      ? {
          policyPoint: {
            filter: tf.tensor4d(Float32Array.from(layerWeight(model, 'policy_point', 0).dataSync() as Float32Array), layerWeight(model, 'policy_point', 0).shape as [number, number, number, number]),
            bias: tf.tensor1d(Float32Array.from(layerWeight(model, 'policy_point', 1).dataSync() as Float32Array)),
          },
          policyPass: dense(model, 'policy_pass'),
        }
      : { policyDense: dense(model, 'policy_dense') }),
    valueConv: foldConv(model, 'value_conv', 'value_bn'),
    valueDense1: dense(model, 'value_dense1'),
    valueDense2: dense(model, 'value_dense2'),
  };
}

export function disposeFusedWeights(w: FusedWeights): void {
  const convs = [w.stem, w.policyConv, w.valueConv, ...w.blocks.flatMap((b) => [b.conv1, b.conv2]), ...(w.policyPoint ? [w.policyPoint] : [])];
  const all: tf.Tensor[] = convs.flatMap((c) => [c.filter, c.bias]);
  const denses = [w.valueDense1, w.valueDense2, ...(w.policyDense ? [w.policyDense] : []), ...(w.policyPass ? [w.policyPass] : [])];
  all.push(...denses.flatMap((d) => [d.kernel, d.bias]));
  tf.dispose(all);
}

/**
 * planes (count·C·N·N floats, NCHW) → [policy probabilities (count, area+1), values (count)].
 * Call inside tf.tidy.
 */
export function fusedForward(w: FusedWeights, planes: Float32Array, count: number): [tf.Tensor2D, tf.Tensor1D] {
  const n = w.config.boardSize;
  const c = featurePlaneCount(w.config.featureSet);
  const x0 = tf.transpose(tf.tensor4d(planes, [count, c, n, n]), [0, 2, 3, 1]);
  const conv = (x: tf.Tensor4D, f: FusedConv, relu: boolean): tf.Tensor4D =>
    tf.fused.conv2d({ x, filter: f.filter, strides: 1, pad: 'same', bias: f.bias, activation: relu ? 'relu' : 'linear' }) as tf.Tensor4D;
  let x = conv(x0, w.stem, true);
  for (const b of w.blocks) {
    const y = conv(conv(x, b.conv1, true), b.conv2, false);
    x = tf.relu(tf.add(x, y)) as tf.Tensor4D;
  }
  const policyFeatures = conv(x, w.policyConv, true);
  let logits: tf.Tensor2D;
  if (w.policyPoint !== undefined && w.policyPass !== undefined) {
    const points = tf.reshape(conv(policyFeatures, w.policyPoint, false), [count, -1]) as tf.Tensor2D;
    const pooled = tf.mean(policyFeatures, [1, 2]) as tf.Tensor2D;
    const pass = tf.fused.matMul({ a: pooled, b: w.policyPass.kernel, bias: w.policyPass.bias });
    logits = tf.concat([points, pass as tf.Tensor2D], 1);
  } else if (w.policyDense !== undefined) {
    logits = tf.fused.matMul({ a: tf.reshape(policyFeatures, [count, -1]) as tf.Tensor2D, b: w.policyDense.kernel, bias: w.policyDense.bias }) as tf.Tensor2D;
  } else {
    throw new Error('fused weights have no policy head');
  }
  const v0 = tf.reshape(conv(x, w.valueConv, true), [count, -1]);
  const v1 = tf.fused.matMul({ a: v0, b: w.valueDense1.kernel, bias: w.valueDense1.bias, activation: 'relu' });
  const v2 = tf.fused.matMul({ a: v1, b: w.valueDense2.kernel, bias: w.valueDense2.bias });
  return [tf.softmax(logits) as tf.Tensor2D, tf.reshape(tf.tanh(v2), [count]) as tf.Tensor1D];
}
