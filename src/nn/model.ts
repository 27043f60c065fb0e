/**
 * The residual policy-value network as a tfjs functional model — the reference for every backend and
 * the model/training API.
 *
 * planes (N, C, H, W) → permute to NHWC (tfjs convolutions are channels-last)
 *   → stem: 3x3 conv, BN, ReLU
 *   → `blocks` × residual block: 3x3 conv, BN, ReLU, 3x3 conv, BN, + skip, ReLU
 *   → policy head: 1x1 conv (policyFilters), BN, ReLU, then either (policyHead 'dense', AlphaGo Zero)
 *     flatten, dense → area+1 logits (pass last), or ('conv') a 1x1 conv with bias → one logit per point,
 *     and global average pool → dense 1 → the pass logit, concatenated (pass last)
 *   → value head: 1x1 conv (valueFilters), BN, ReLU, flatten, dense valueHidden, ReLU, dense 1, tanh
 *
 * Outputs [policyLogits (N, area+1), value (N, 1)]. Logits, not probabilities, so training can use a
 * numerically stable cross-entropy; evaluators apply the softmax. Convolutions have no bias (BN follows).
 * Layer names are fixed (`stem_conv`, `block3_bn2`, `policy_dense`, …) because the ONNX exporter and the
 * training graph find weights by name.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_EPSILON, policyHeadOf, validateNetConfig, type NetConfig } from './config.js';
import type { NetInfo } from './evaluator.js';
import { featurePlaneCount } from './features.js';
import { silenceCpuNodeBanner } from './tfjs-runtime.js';

// Models are often built on the default (cpu) backend before any evaluator initialises it.
silenceCpuNodeBanner();

export const POLICY_OUTPUT = 'policy_logits';
export const VALUE_OUTPUT = 'value';

export function netInfo(config: NetConfig): NetInfo {
  return { boardSize: config.boardSize, featureSet: config.featureSet, inputPlanes: featurePlaneCount(config.featureSet) };
}

export function buildModel(config: NetConfig): tf.LayersModel {
  validateNetConfig(config);
  const size = config.boardSize;
  const area = size * size;
  const planes = featurePlaneCount(config.featureSet);
  const input = tf.input({ shape: [planes, size, size], name: 'planes' });
  const convBnRelu = (x: tf.SymbolicTensor, filters: number, kernel: number, name: string, relu = true): tf.SymbolicTensor => {
    let y = tf.layers
      .conv2d({ filters, kernelSize: kernel, padding: 'same', useBias: false, kernelInitializer: 'heNormal', name: `${name}_conv` })
      .apply(x) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ axis: -1, epsilon: BN_EPSILON, name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
    return relu ? (tf.layers.reLU({ name: `${name}_relu` }).apply(y) as tf.SymbolicTensor) : y;
  };

  let x = tf.layers.permute({ dims: [2, 3, 1], name: 'to_nhwc' }).apply(input) as tf.SymbolicTensor;
  x = convBnRelu(x, config.filters, 3, 'stem');
  for (let b = 0; b < config.blocks; b++) {
    const name = `block${b}`;
    let y = tf.layers
      .conv2d({ filters: config.filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'heNormal', name: `${name}_conv1` })
      .apply(x) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ axis: -1, epsilon: BN_EPSILON, name: `${name}_bn1` }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.reLU({ name: `${name}_relu1` }).apply(y) as tf.SymbolicTensor;
    y = tf.layers
      .conv2d({ filters: config.filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'heNormal', name: `${name}_conv2` })
      .apply(y) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ axis: -1, epsilon: BN_EPSILON, name: `${name}_bn2` }).apply(y) as tf.SymbolicTensor;
    x = tf.layers.add({ name: `${name}_add` }).apply([x, y]) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `${name}_relu2` }).apply(x) as tf.SymbolicTensor;
  }

  const policyFeatures = convBnRelu(x, config.policyFilters, 1, 'policy');
  let p: tf.SymbolicTensor;
  if (policyHeadOf(config) === 'conv') {
    const points = tf.layers.conv2d({ filters: 1, kernelSize: 1, useBias: true, kernelInitializer: 'heNormal', name: 'policy_point' }).apply(policyFeatures) as tf.SymbolicTensor;
    const pointLogits = tf.layers.flatten({ name: 'policy_point_flatten' }).apply(points) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({ name: 'policy_pool' }).apply(policyFeatures) as tf.SymbolicTensor;
    const passLogit = tf.layers.dense({ units: 1, name: 'policy_pass' }).apply(pooled) as tf.SymbolicTensor;
    p = tf.layers.concatenate({ axis: -1, name: 'policy_concat' }).apply([pointLogits, passLogit]) as tf.SymbolicTensor;
  } else {
    p = tf.layers.flatten({ name: 'policy_flatten' }).apply(policyFeatures) as tf.SymbolicTensor;
    p = tf.layers.dense({ units: area + 1, name: 'policy_dense' }).apply(p) as tf.SymbolicTensor;
  }
  p = tf.layers.activation({ activation: 'linear', name: POLICY_OUTPUT }).apply(p) as tf.SymbolicTensor;

  let v = convBnRelu(x, config.valueFilters, 1, 'value');
  v = tf.layers.flatten({ name: 'value_flatten' }).apply(v) as tf.SymbolicTensor;
  v = tf.layers.dense({ units: config.valueHidden, activation: 'relu', name: 'value_dense1' }).apply(v) as tf.SymbolicTensor;
  v = tf.layers.dense({ units: 1, name: 'value_dense2' }).apply(v) as tf.SymbolicTensor;
  v = tf.layers.activation({ activation: 'tanh', name: VALUE_OUTPUT }).apply(v) as tf.SymbolicTensor;

  return tf.model({ inputs: input, outputs: [p, v], name: 'policy_value_net' });
}

/** Reads a model's shape back from its layers, to check it against metadata or a requested config. */
export function inferNetConfig(model: tf.LayersModel, featureSet: NetConfig['featureSet']): NetConfig {
  const inputShape = model.inputs[0]!.shape;
  const size = inputShape[2];
  if (inputShape.length !== 4 || typeof size !== 'number' || inputShape[3] !== size) {
    throw new Error(`model input shape ${JSON.stringify(inputShape)} is not (N, planes, size, size)`);
  }
  if (inputShape[1] !== featurePlaneCount(featureSet)) {
    throw new Error(`model takes ${inputShape[1]} input planes but feature set '${featureSet}' has ${featurePlaneCount(featureSet)}`);
  }
  let blocks = 0;
  while (model.layers.some((l) => l.name === `block${blocks}_conv1`)) blocks++;
  const kernelShape = (name: string): number[] => layerWeight(model, name, 0).shape;
  return validateNetConfig({
    boardSize: size,
    blocks,
    filters: kernelShape('stem_conv')[3]!,
    featureSet,
    policyFilters: kernelShape('policy_conv')[3]!,
    valueFilters: kernelShape('value_conv')[3]!,
    valueHidden: kernelShape('value_dense1')[1]!,
    ...(model.layers.some((l) => l.name === 'policy_point') ? { policyHead: 'conv' as const } : {}),
  });
}

/** The i-th weight of a named layer (conv: [kernel]; BN: [gamma, beta, movingMean, movingVariance]; dense: [kernel, bias]). */
export function layerWeight(model: tf.LayersModel, layerName: string, index: number): tf.Tensor {
  const layer = model.layers.find((l) => l.name === layerName);
  if (layer === undefined) throw new Error(`model has no layer '${layerName}'`);
  const w = layer.getWeights()[index];
  if (w === undefined) throw new Error(`layer '${layerName}' has no weight #${index}`);
  return w;
}

/**
 * Replaces every weight with random values, BN statistics included (positive variances), so tests
 * exercise BN folding and every path produces non-trivial outputs. Scales keep activations moderate.
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    // xorshift32: deterministic across runs and backends.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  const values: tf.Tensor[] = [];
  for (const w of model.weights) {
    const shape = w.shape.map((d) => d ?? 1);
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const role = w.originalName.split('/').pop();
    if (role === 'gamma') for (let j = 0; j < n; j++) data[j] = 0.5 + next();
    else if (role === 'beta' || role === 'bias') for (let j = 0; j < n; j++) data[j] = (next() - 0.5) * 0.2;
    else if (role === 'moving_mean') for (let j = 0; j < n; j++) data[j] = (next() - 0.5) * 0.4;
    else if (role === 'moving_variance') for (let j = 0; j < n; j++) data[j] = 0.5 + next();
    else {
      // Kernels: uniform with He variance (fan-in = all dims but the last).
      const fanIn = n / shape[shape.length - 1]!;
      const scale = Math.sqrt(6 / fanIn);
      for (let j = 0; j < n; j++) data[j] = (next() * 2 - 1) * scale;
    }
    values.push(tf.tensor(data, shape));
  }
  model.setWeights(values);
  values.forEach((t) => t.dispose());
}

/** A fresh model with the same weights (e.g. to hold a network in another tfjs backend: build it there). */
export function cloneModel(model: tf.LayersModel, config: NetConfig): tf.LayersModel {
  const copy = buildModel(config);
  const tensors = model.getWeights().map((w) => tf.tensor(Float32Array.from(w.dataSync() as Float32Array), w.shape));
  copy.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
  return copy;
}

/** A network with the bookkeeping that travels with it on disk (see model-io.ts). */
export interface PolicyValueNet {
  config: NetConfig;
  model: tf.LayersModel;
  /** Optimizer steps this network's weights have seen in total. */
  trainingSteps: number;
  /** Name (usually the directory name) of the network it was trained from, or null. */
  parent: string | null;
}

/** A fresh network; with `seed`, weights and BN statistics are deterministic random values (tests, benchmarks). */
export function createNet(config: NetConfig, options: { seed?: number } = {}): PolicyValueNet {
  const model = buildModel(config);
  if (options.seed !== undefined) randomizeWeights(model, options.seed);
  return { config, model, trainingSteps: 0, parent: null };
}
