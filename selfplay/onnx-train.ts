/**
 * Training on onnxruntime-node: the network's forward pass, its backward pass (written out by hand, op by
 * op) and the SGD-momentum update are built into one ONNX graph; a training step is one session.run that
 * takes the batch, the learning rate, the weights and momentum buffers, and returns the updated weights,
 * buffers, BN moving statistics and the losses. tfjs on the `cpu` backend trains a 9x9 6x64 net at ~0.2
 * positions/s and tfjs-wasm cannot train as shipped; onnxruntime's CPU kernels make this path hundreds of
 * times faster. The loss, BN treatment and update are exactly TfjsTrainer's (trainer.ts), checked by
 * tests/selfplay-train.test.ts.
 *
 * Layout: activations are NCHW (the input planes' own layout, so no transpose at the input); convolution
 * kernels are held OIHW inside this trainer and converted from/to tfjs's HWIO at the boundary. The heads
 * are transposed to NHWC before flattening so the dense kernels keep tfjs's row order unchanged.
 *
 * Backward rules used (dy = gradient of the output):
 *   Conv y = x ∗ W      dW[:, :, ky, kx] = dy · shift(x, ky, kx) (one MatMul per kernel tap on the channels-last
 *                       padded input; ~30% faster here than one im2col product, whose copies dominated),
 *                       dx = dy ∗ flip(W)ᵀ (a Conv with the kernel rotated 180° and in/out channels swapped)
 *   BN (batch stats)    x̂ = (x−μ)/σ; dγ = Σ dy·x̂, dβ = Σ dy, dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂))
 *   ReLU                dx = dy where y > 0
 *   Gemm y = xW + b     dW = xᵀdy, db = Σ dy, dx = dy Wᵀ
 *   tanh                du = dy · (1 − v²)
 *   softmax CE          dlogits = (softmax·Σπ − π)/N;   MSE: dv = 2(v − z)/N
 */
import type * as ort from 'onnxruntime-node';
import type { NetConfig } from '../src/nn/config.js';
import { BN_EPSILON } from '../src/nn/config.js';
import { featurePlaneCount } from '../src/nn/features.js';
import { OnnxGraph, type OnnxAttribute } from '../src/nn/onnx-graph.js';
import { createOnnxSession, loadOnnxRuntime } from '../src/nn/onnx-evaluator.js';
import { BN_MOMENTUM, isKernel, type BatchNormStatistics, type NamedTensor, type Trainer, type TrainerOptions, type TrainerState, type TrainStepResult } from './trainer.js';
import type { TrainingBatch } from './train-data.js';

const PERM_SWAP01 = { ints: [1, 0, 2, 3] } as const;

/** Where each weight lives in the graph. */
interface ParamSpec {
  /** tfjs originalName, e.g. 'block0_conv1/kernel'. */
  name: string;
  /** Graph input name. */
  input: string;
  /** Graph output with the updated value. */
  output: string;
  trainable: boolean;
  /** tfjs shape; conv kernels are OIHW in the graph. */
  shape: number[];
  isConvKernel: boolean;
  velocityInput?: string;
  velocityOutput?: string;
}

export interface TrainGraph {
  bytes: Uint8Array;
  params: ParamSpec[];
  batchNorms: { layer: string; mean: string; variance: string }[];
}

/** Builds the training graph for a network shape. */
/** How dW of a 3x3 convolution is computed: one product per kernel tap ('taps') or one im2col product. */
export type KernelGradientVariant = 'taps' | 'im2col';

export function buildTrainGraph(config: NetConfig, options: TrainerOptions, variant: KernelGradientVariant = 'taps'): TrainGraph {
  const g = new OnnxGraph('tengen_train');
  const size = config.boardSize;
  const area = size * size;
  const planes = featurePlaneCount(config.featureSet);
  const params: ParamSpec[] = [];
  const grads = new Map<string, string>();
  const backward: (() => void)[] = [];
  const consts = new Map<string, string>();
  let constCounter = 0;
  // Initializer names of our own: OnnxGraph.fresh() reserves a name, so it cannot also name an initializer.
  const constName = (): string => `k_const_${constCounter++}`;

  const scalar = (v: number): string => {
    const key = `f${v}`;
    let n = consts.get(key);
    if (n === undefined) {
      n = g.floatInitializer(constName(), [], new Float32Array([v]));
      consts.set(key, n);
    }
    return n;
  };
  const ints = (values: number[]): string => {
    const key = `i${values.join(',')}`;
    let n = consts.get(key);
    if (n === undefined) {
      n = g.int64Initializer(constName(), values);
      consts.set(key, n);
    }
    return n;
  };
  const node = (op: string, inputs: string[], attrs: Record<string, OnnxAttribute> = {}): string => g.node(op, inputs, attrs);
  const accumulate = (value: string, grad: string): void => {
    const prev = grads.get(value);
    grads.set(value, prev === undefined ? grad : node('Add', [prev, grad]));
  };
  const gradOf = (value: string): string => {
    const d = grads.get(value);
    if (d === undefined) throw new Error(`train graph: no gradient reached ${value}`);
    return d;
  };
  const param = (name: string, shape: number[], trainable: boolean, isConvKernel = false): string => {
    const safe = name.replace(/[^A-Za-z0-9_]/g, '_');
    const graphShape = isConvKernel ? [shape[3]!, shape[2]!, shape[0]!, shape[1]!] : shape;
    const input = g.input(`w_${safe}`, graphShape);
    const spec: ParamSpec = { name, input, output: `new_w_${safe}`, trainable, shape, isConvKernel };
    if (trainable) {
      spec.velocityInput = g.input(`u_${safe}`, graphShape);
      spec.velocityOutput = `new_u_${safe}`;
    }
    params.push(spec);
    return input;
  };

  // ---------------------------------------------------------------- inputs
  const x0 = g.input('planes', ['N', planes, size, size]);
  const piTarget = g.input('policy_target', ['N', area + 1]);
  const zTarget = g.input('value_target', ['N', 1]);
  const lr = g.input('lr', []);
  const bnStatOutputs: { input: string; output: string; batch: string }[] = [];
  /** Per BN layer: graph outputs with the batch mean and variance (for re-estimating the moving statistics). */
  const bnLayers: { layer: string; mean: string; variance: string }[] = [];

  // ---------------------------------------------------------------- layers with their backward rules
  /**
   * dW of a stride-1 'same' convolution, summed over batch and positions:
   *   dW[o, i, ky, kx] = Σ_{n,p} dy[o, (n,p)] · x_padded[(n, p + (ky, kx)), i].
   * 'taps': one MatMul per kernel tap on a shifted slice of the channels-last padded input. 'im2col': all taps
   * in one MatMul on an im2col matrix (its Concat/Transpose copies cost more than they save). A convolution
   * with the batch as channels computes the same but ran several times slower on onnxruntime.
   */
  const kernelGradient = (x: string, dy: string, cin: number, cout: number, k: number): string => {
    const dyRows = node('Reshape', [node('Transpose', [dy], { perm: PERM_SWAP01 }), ints([cout, -1])]);
    const xNhwc = node('Transpose', [x], { perm: { ints: [0, 2, 3, 1] } });
    if (k === 1) return node('Reshape', [node('MatMul', [dyRows, node('Reshape', [xNhwc, ints([-1, cin])])]), ints([cout, cin, 1, 1])]);
    if (variant === 'im2col') {
      const pad = (k - 1) / 2;
      const xp = node('Pad', [x, ints([0, 0, pad, pad, 0, 0, pad, pad])]);
      const windows: string[] = [];
      for (let dyOff = 0; dyOff < k; dyOff++) {
        for (let dxOff = 0; dxOff < k; dxOff++) {
          const win = node('Slice', [xp, ints([dyOff, dxOff]), ints([dyOff + size, dxOff + size]), ints([2, 3])]);
          windows.push(node('Unsqueeze', [win, ints([2])]));
        }
      }
      const stacked = node('Concat', windows, { axis: { int: 2 } }); // N, cin, k·k, H, W
      const cols = node('Reshape', [stacked, ints([0, cin * k * k, area])]);
      const patches = node('Reshape', [node('Transpose', [cols], { perm: { ints: [0, 2, 1] } }), ints([-1, cin * k * k])]);
      return node('Reshape', [node('MatMul', [dyRows, patches]), ints([cout, cin, k, k])]);
    }
    // One product per kernel tap: the channels-last padded input shifted by the tap, against dy.
    const pad = (k - 1) / 2;
    const xp = node('Pad', [xNhwc, ints([0, pad, pad, 0, 0, pad, pad, 0])]);
    const taps: string[] = [];
    for (let dyOff = 0; dyOff < k; dyOff++) {
      for (let dxOff = 0; dxOff < k; dxOff++) {
        const win = node('Slice', [xp, ints([dyOff, dxOff]), ints([dyOff + size, dxOff + size]), ints([1, 2])]);
        const tap = node('MatMul', [dyRows, node('Reshape', [win, ints([-1, cin])])]);
        taps.push(node('Unsqueeze', [tap, ints([2])]));
      }
    }
    return node('Reshape', [node('Concat', taps, { axis: { int: 2 } }), ints([cout, cin, k, k])]);
  };
  /** dx of a stride-1 'same' convolution: the convolution of dy with the kernel flipped in space and transposed in channels. */
  const inputGradient = (dy: string, w: string, k: number): string => {
    const pad = (k - 1) / 2;
    const flipped = k === 1 ? w : node('Slice', [w, ints([-1, -1]), ints([-k - 1, -k - 1]), ints([2, 3]), ints([-1, -1])]);
    const wt = node('Transpose', [flipped], { perm: PERM_SWAP01 });
    return node('Conv', [dy, wt], { kernel_shape: { ints: [k, k] }, pads: { ints: [pad, pad, pad, pad] } });
  };
  const conv = (x: string, layer: string, cin: number, cout: number, k: number, needInputGrad: boolean): string => {
    const w = param(`${layer}/kernel`, [k, k, cin, cout], true, true);
    const pad = (k - 1) / 2;
    const y = node('Conv', [x, w], { kernel_shape: { ints: [k, k] }, pads: { ints: [pad, pad, pad, pad] } });
    backward.push(() => {
      const dy = gradOf(y);
      accumulate(w, kernelGradient(x, dy, cin, cout, k));
      if (needInputGrad) accumulate(x, inputGradient(dy, w, k));
    });
    return y;
  };
  const batchNorm = (x: string, layer: string, channels: number): string => {
    const gamma = param(`${layer}/gamma`, [channels], true);
    const beta = param(`${layer}/beta`, [channels], true);
    const movingMean = param(`${layer}/moving_mean`, [channels], false);
    const movingVar = param(`${layer}/moving_variance`, [channels], false);
    const axes = { ints: [0, 2, 3] };
    const bshape = ints([1, channels, 1, 1]);
    const mean = node('ReduceMean', [x], { axes, keepdims: { int: 1 } });
    const xc = node('Sub', [x, mean]);
    const variance = node('ReduceMean', [node('Mul', [xc, xc])], { axes, keepdims: { int: 1 } });
    const invStd = node('Reciprocal', [node('Sqrt', [node('Add', [variance, scalar(BN_EPSILON)])])]);
    const xhat = node('Mul', [xc, invStd]);
    const gammaB = node('Reshape', [gamma, bshape]);
    const y = node('Add', [node('Mul', [xhat, gammaB]), node('Reshape', [beta, bshape])]);
    const flat = ints([channels]);
    const batchMean = node('Reshape', [mean, flat]);
    const batchVar = node('Reshape', [variance, flat]);
    bnStatOutputs.push({ input: movingMean, output: `new_${movingMean}`, batch: batchMean });
    bnStatOutputs.push({ input: movingVar, output: `new_${movingVar}`, batch: batchVar });
    bnLayers.push({ layer, mean: g.node('Identity', [batchMean], {}, `batch_mean_${layer}`), variance: g.node('Identity', [batchVar], {}, `batch_var_${layer}`) });
    g.output(`batch_mean_${layer}`, [channels]);
    g.output(`batch_var_${layer}`, [channels]);
    backward.push(() => {
      const dy = gradOf(y);
      const sumAxes = ints([0, 2, 3]);
      accumulate(beta, node('ReduceSum', [dy, sumAxes], { keepdims: { int: 0 } }));
      const dyXhat = node('Mul', [dy, xhat]);
      accumulate(gamma, node('ReduceSum', [dyXhat, sumAxes], { keepdims: { int: 0 } }));
      const meanDy = node('ReduceMean', [dy], { axes, keepdims: { int: 1 } });
      const meanDyXhat = node('ReduceMean', [dyXhat], { axes, keepdims: { int: 1 } });
      const inner = node('Sub', [node('Sub', [dy, meanDy]), node('Mul', [xhat, meanDyXhat])]);
      accumulate(x, node('Mul', [inner, node('Mul', [gammaB, invStd])]));
    });
    return y;
  };
  const relu = (x: string): string => {
    const y = node('Relu', [x]);
    backward.push(() => {
      const dy = gradOf(y);
      accumulate(x, node('Where', [node('Greater', [y, scalar(0)]), dy, scalar(0)]));
    });
    return y;
  };
  const add = (a: string, b: string): string => {
    const y = node('Add', [a, b]);
    backward.push(() => {
      const dy = gradOf(y);
      accumulate(a, dy);
      accumulate(b, dy);
    });
    return y;
  };
  const flattenNhwc = (x: string): string => {
    const t = node('Transpose', [x], { perm: { ints: [0, 2, 3, 1] } });
    const y = node('Reshape', [t, ints([0, -1])]);
    backward.push(() => {
      const dt = node('Reshape', [gradOf(y), node('Shape', [t])]);
      accumulate(x, node('Transpose', [dt], { perm: { ints: [0, 3, 1, 2] } }));
    });
    return y;
  };
  const dense = (x: string, layer: string, inputs: number, units: number): string => {
    const w = param(`${layer}/kernel`, [inputs, units], true);
    const b = param(`${layer}/bias`, [units], true);
    const y = node('Gemm', [x, w, b]);
    backward.push(() => {
      const dy = gradOf(y);
      accumulate(w, node('Gemm', [x, dy], { transA: { int: 1 } }));
      accumulate(b, node('ReduceSum', [dy, ints([0])], { keepdims: { int: 0 } }));
      accumulate(x, node('Gemm', [dy, w], { transB: { int: 1 } }));
    });
    return y;
  };
  const convBnRelu = (x: string, name: string, cin: number, cout: number, k: number, needInputGrad: boolean): string =>
    relu(batchNorm(conv(x, `${name}_conv`, cin, cout, k, needInputGrad), `${name}_bn`, cout));

  // ---------------------------------------------------------------- forward (same layers as src/nn/model.ts)
  const f = config.filters;
  let x = convBnRelu(x0, 'stem', planes, f, 3, false);
  for (let b = 0; b < config.blocks; b++) {
    const name = `block${b}`;
    let y = relu(batchNorm(conv(x, `${name}_conv1`, f, f, 3, true), `${name}_bn1`, f));
    y = batchNorm(conv(y, `${name}_conv2`, f, f, 3, true), `${name}_bn2`, f);
    x = relu(add(x, y));
  }
  const p = flattenNhwc(convBnRelu(x, 'policy', f, config.policyFilters, 1, true));
  const logits = dense(p, 'policy_dense', area * config.policyFilters, area + 1);
  const vflat = flattenNhwc(convBnRelu(x, 'value', f, config.valueFilters, 1, true));
  const hidden = relu(dense(vflat, 'value_dense1', area * config.valueFilters, config.valueHidden));
  const vpre = dense(hidden, 'value_dense2', config.valueHidden, 1);
  const v = node('Tanh', [vpre]);

  // ---------------------------------------------------------------- losses and their gradients
  const invN = node('Reciprocal', [node('Cast', [node('Gather', [node('Shape', [logits]), ints([0])])], { to: { int: 1 } })]);
  const logp = node('LogSoftmax', [logits], { axis: { int: 1 } });
  const ce = node('Neg', [node('ReduceSum', [node('Mul', [piTarget, logp]), ints([1])], { keepdims: { int: 0 } })]);
  g.node('ReduceMean', [ce], { keepdims: { int: 0 } }, 'policy_loss');
  const diff = node('Sub', [v, zTarget]);
  g.node('ReduceMean', [node('Mul', [diff, diff])], { keepdims: { int: 0 } }, 'value_loss');
  const piSum = node('ReduceSum', [piTarget, ints([1])], { keepdims: { int: 1 } });
  accumulate(logits, node('Mul', [node('Sub', [node('Mul', [node('Exp', [logp]), piSum]), piTarget]), invN]));
  const dv = node('Mul', [diff, node('Mul', [invN, scalar(2)])]);
  accumulate(vpre, node('Mul', [dv, node('Sub', [scalar(1), node('Mul', [v, v])])]));
  for (let i = backward.length - 1; i >= 0; i--) backward[i]!();

  // ---------------------------------------------------------------- L2 and the momentum update
  const l2Terms: string[] = [];
  for (const s of params) {
    if (!s.trainable) continue;
    let grad = gradOf(s.input);
    if (isKernel(s.name) && options.l2 > 0) {
      l2Terms.push(node('ReduceSum', [node('Mul', [s.input, s.input])], { keepdims: { int: 0 } }));
      grad = node('Add', [grad, node('Mul', [s.input, scalar(2 * options.l2)])]);
    }
    g.node('Add', [node('Mul', [s.velocityInput!, scalar(options.momentum)]), grad], {}, s.velocityOutput!);
    g.node('Sub', [s.input, node('Mul', [s.velocityOutput!, lr])], {}, s.output);
  }
  const l2Sum = l2Terms.length === 0 ? scalar(0) : l2Terms.length === 1 ? l2Terms[0]! : node('Sum', l2Terms);
  g.node('Mul', [l2Sum, scalar(options.l2)], {}, 'l2_loss');
  for (const s of bnStatOutputs) {
    g.node('Add', [node('Mul', [s.input, scalar(BN_MOMENTUM)]), node('Mul', [s.batch, scalar(1 - BN_MOMENTUM)])], {}, s.output);
  }
  for (const s of params) {
    const dims = s.isConvKernel ? [s.shape[3]!, s.shape[2]!, s.shape[0]!, s.shape[1]!] : s.shape;
    g.output(s.output, dims);
    if (s.trainable) g.output(s.velocityOutput!, dims);
  }
  g.output('policy_loss', []);
  g.output('value_loss', []);
  g.output('l2_loss', []);
  return { bytes: g.toModelBytes('tengen-train'), params, batchNorms: bnLayers };
}

/** tfjs conv kernel (kh, kw, cin, cout) → ONNX (cout, cin, kh, kw). */
export function hwioToOihw(src: Float32Array, shape: readonly number[]): Float32Array {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const out = new Float32Array(src.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = src[((y * kw + x) * cin + i) * cout + o]!;
  return out;
}

export function oihwToHwio(src: Float32Array, shape: readonly number[]): Float32Array {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const out = new Float32Array(src.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((y * kw + x) * cin + i) * cout + o] = src[((o * cin + i) * kh + y) * kw + x]!;
  return out;
}

export class OnnxTrainer implements Trainer {
  readonly kind = 'onnx' as const;
  private readonly values = new Map<string, Float32Array>();
  private readonly velocities = new Map<string, Float32Array>();

  private constructor(
    private readonly runtime: typeof ort,
    private readonly session: ort.InferenceSession,
    private readonly graph: TrainGraph,
    private readonly config: NetConfig,
  ) {}

  static async create(config: NetConfig, options: TrainerOptions, state: TrainerState, threads?: number): Promise<OnnxTrainer> {
    const runtime = await loadOnnxRuntime();
    const graph = buildTrainGraph(config, options);
    const session = await createOnnxSession(graph.bytes, { threads });
    const trainer = new OnnxTrainer(runtime, session, graph, config);
    trainer.load(state);
    return trainer;
  }

  private load(state: TrainerState): void {
    const weights = new Map(state.weights.map((w) => [w.name, w]));
    const velocities = new Map(state.velocities.map((w) => [w.name, w]));
    for (const s of this.graph.params) {
      const w = weights.get(s.name);
      if (w === undefined) throw new Error(`onnx trainer: state has no weight '${s.name}'`);
      if (w.shape.join('x') !== s.shape.join('x')) throw new Error(`onnx trainer: '${s.name}' has shape ${w.shape.join('x')}, expected ${s.shape.join('x')}`);
      this.values.set(s.name, s.isConvKernel ? hwioToOihw(w.data, s.shape) : Float32Array.from(w.data));
      if (s.trainable) {
        const u = velocities.get(s.name);
        const data = u === undefined ? new Float32Array(w.data.length) : u.data;
        this.velocities.set(s.name, s.isConvKernel ? hwioToOihw(data, s.shape) : Float32Array.from(data));
      }
    }
    if (weights.size !== this.graph.params.length) throw new Error(`onnx trainer: state has ${weights.size} weights, the graph ${this.graph.params.length}`);
  }

  async step(batch: TrainingBatch, learningRate: number): Promise<TrainStepResult> {
    const out = await this.session.run(this.feeds(batch, learningRate));
    for (const s of this.graph.params) {
      this.values.set(s.name, out[s.output]!.data as Float32Array);
      if (s.trainable) this.velocities.set(s.name, out[s.velocityOutput!]!.data as Float32Array);
    }
    const scalarOf = (name: string): number => (out[name]!.data as Float32Array)[0]!;
    return { policyLoss: scalarOf('policy_loss'), valueLoss: scalarOf('value_loss'), l2Loss: scalarOf('l2_loss') };
  }

  private feeds(batch: TrainingBatch, learningRate: number): Record<string, ort.Tensor> {
    const { runtime, config } = this;
    const size = config.boardSize;
    const area = size * size;
    const planes = featurePlaneCount(config.featureSet);
    const n = batch.count;
    const feeds: Record<string, ort.Tensor> = {
      planes: new runtime.Tensor('float32', batch.planes.subarray(0, n * planes * area), [n, planes, size, size]),
      policy_target: new runtime.Tensor('float32', batch.policy.subarray(0, n * (area + 1)), [n, area + 1]),
      value_target: new runtime.Tensor('float32', batch.value.subarray(0, n), [n, 1]),
      lr: new runtime.Tensor('float32', new Float32Array([learningRate]), []),
    };
    for (const s of this.graph.params) {
      const dims = s.isConvKernel ? [s.shape[3]!, s.shape[2]!, s.shape[0]!, s.shape[1]!] : s.shape;
      feeds[s.input] = new runtime.Tensor('float32', this.values.get(s.name)!, dims);
      if (s.trainable) feeds[s.velocityInput!] = new runtime.Tensor('float32', this.velocities.get(s.name)!, dims);
    }
    return feeds;
  }

  async batchNormStatistics(batch: TrainingBatch): Promise<Map<string, BatchNormStatistics>> {
    // A step with learning rate 0 computes the statistics; its outputs are dropped, so the state is untouched.
    const out = await this.session.run(this.feeds(batch, 0));
    const stats = new Map<string, BatchNormStatistics>();
    for (const b of this.graph.batchNorms) {
      stats.set(b.layer, { mean: Float32Array.from(out[b.mean]!.data as Float32Array), variance: Float32Array.from(out[b.variance]!.data as Float32Array) });
    }
    return stats;
  }

  state(): TrainerState {
    const weights: NamedTensor[] = [];
    const velocities: NamedTensor[] = [];
    for (const s of this.graph.params) {
      const w = this.values.get(s.name)!;
      weights.push({ name: s.name, shape: s.shape.slice(), data: s.isConvKernel ? oihwToHwio(w, s.shape) : Float32Array.from(w) });
      if (s.trainable) {
        const u = this.velocities.get(s.name)!;
        velocities.push({ name: s.name, shape: s.shape.slice(), data: s.isConvKernel ? oihwToHwio(u, s.shape) : Float32Array.from(u) });
      }
    }
    return { weights, velocities };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
