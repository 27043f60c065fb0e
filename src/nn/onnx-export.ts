/**
 * Exports a PolicyValueNet's tfjs weights to an ONNX inference graph, with every BatchNorm folded into
 * the convolution before it (conv weights scaled per output channel, BN shift becomes the conv bias).
 *
 * Graph: input `planes` (batch, C, H, W) float32 (the NCHW layout of evaluator.ts, so no transpose);
 * outputs `policy` (batch, area+1) softmax probabilities and `value` (batch, 1) tanh values.
 * tfjs flattens heads channels-last (h, w, c) while ONNX flattens (c, h, w): the dense kernels' rows
 * are permuted accordingly.
 */
import type * as tf from '@tensorflow/tfjs';
import { BN_EPSILON, policyHeadOf, type NetConfig } from './config.js';
import { featurePlaneCount } from './features.js';
import { layerWeight } from './model.js';
import { OnnxGraph } from './onnx-graph.js';

export const ONNX_INPUT = 'planes';
export const ONNX_POLICY = 'policy';
export const ONNX_VALUE = 'value';

function data(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/** tfjs conv kernel (kh, kw, cin, cout) + following BN → ONNX (cout, cin, kh, kw) weight and bias. */
export function foldConvBn(model: tf.LayersModel, convName: string, bnName: string): { weight: Float32Array; bias: Float32Array; dims: number[] } {
  const kernel = layerWeight(model, convName, 0);
  const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
  const k = data(kernel);
  const gamma = data(layerWeight(model, bnName, 0));
  const beta = data(layerWeight(model, bnName, 1));
  const mean = data(layerWeight(model, bnName, 2));
  const variance = data(layerWeight(model, bnName, 3));
  const weight = new Float32Array(cout * cin * kh * kw);
  const bias = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    const scale = gamma[o]! / Math.sqrt(variance[o]! + BN_EPSILON);
    bias[o] = beta[o]! - mean[o]! * scale;
    for (let i = 0; i < cin; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          weight[((o * cin + i) * kh + y) * kw + x] = k[((y * kw + x) * cin + i) * cout + o]! * scale;
        }
      }
    }
  }
  return { weight, bias, dims: [cout, cin, kh, kw] };
}

/** Dense kernel (area*channels rows in tfjs (h,w,c) order, units cols) with rows reordered to (c,h,w). */
export function denseKernelChannelsFirst(kernel: Float32Array, area: number, channels: number, units: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < area; p++) {
      const from = (p * channels + c) * units;
      out.set(kernel.subarray(from, from + units), (c * area + p) * units);
    }
  }
  return out;
}

export function exportOnnx(model: tf.LayersModel, config: NetConfig): Uint8Array {
  const size = config.boardSize;
  const area = size * size;
  const g = new OnnxGraph('tengen_policy_value_net');
  const input = g.input(ONNX_INPUT, ['batch', featurePlaneCount(config.featureSet), size, size]);

  const conv = (x: string, layer: string, bn: string): string => {
    const f = foldConvBn(model, layer, bn);
    const w = g.floatInitializer(`${layer}.weight`, f.dims, f.weight);
    const b = g.floatInitializer(`${layer}.bias`, [f.dims[0]!], f.bias);
    const k = f.dims[2]!;
    const pad = (k - 1) / 2;
    return g.node('Conv', [x, w, b], { kernel_shape: { ints: [k, k] }, pads: { ints: [pad, pad, pad, pad] }, strides: { ints: [1, 1] } });
  };
  const relu = (x: string): string => g.node('Relu', [x]);
  const gemm = (x: string, layer: string, rowsFrom?: { channels: number }): string => {
    const kernel = layerWeight(model, layer, 0);
    const [rows, units] = kernel.shape as [number, number];
    let k = data(kernel);
    if (rowsFrom !== undefined) k = denseKernelChannelsFirst(k, area, rowsFrom.channels, units);
    const w = g.floatInitializer(`${layer}.weight`, [rows, units], Float32Array.from(k));
    const b = g.floatInitializer(`${layer}.bias`, [units], Float32Array.from(data(layerWeight(model, layer, 1))));
    return g.node('Gemm', [x, w, b]);
  };

  let x = relu(conv(input, 'stem_conv', 'stem_bn'));
  for (let i = 0; i < config.blocks; i++) {
    const y = relu(conv(x, `block${i}_conv1`, `block${i}_bn1`));
    const z = conv(y, `block${i}_conv2`, `block${i}_bn2`);
    x = relu(g.node('Add', [x, z]));
  }
  const policyFeatures = relu(conv(x, 'policy_conv', 'policy_bn'));
  let logits: string;
  if (policyHeadOf(config) === 'conv') {
    // tfjs kernel (1, 1, P, 1) is ONNX (1, P, 1, 1) with the same numbers in the same order.
    const kernel = layerWeight(model, 'policy_point', 0);
    const w = g.floatInitializer('policy_point.weight', [1, config.policyFilters, 1, 1], Float32Array.from(data(kernel)));
    const b = g.floatInitializer('policy_point.bias', [1], Float32Array.from(data(layerWeight(model, 'policy_point', 1))));
    const points = g.node('Flatten', [g.node('Conv', [policyFeatures, w, b], { kernel_shape: { ints: [1, 1] } })], { axis: { int: 1 } });
    const pooled = g.node('Flatten', [g.node('GlobalAveragePool', [policyFeatures])], { axis: { int: 1 } });
    logits = g.node('Concat', [points, gemm(pooled, 'policy_pass')], { axis: { int: 1 } });
  } else {
    const p = g.node('Flatten', [policyFeatures], { axis: { int: 1 } });
    logits = gemm(p, 'policy_dense', { channels: config.policyFilters });
  }
  g.node('Softmax', [logits], { axis: { int: 1 } }, ONNX_POLICY);
  g.output(ONNX_POLICY, ['batch', area + 1]);

  const v0 = g.node('Flatten', [relu(conv(x, 'value_conv', 'value_bn'))], { axis: { int: 1 } });
  const v1 = relu(gemm(v0, 'value_dense1', { channels: config.valueFilters }));
  g.node('Tanh', [gemm(v1, 'value_dense2')], {}, ONNX_VALUE);
  g.output(ONNX_VALUE, ['batch', 1]);
  return g.toModelBytes();
}
