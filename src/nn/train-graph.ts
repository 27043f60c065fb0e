/**
 * An ONNX *training* graph for the PolicyValueNet: forward pass, loss, backward pass written out as ONNX
 * ops, and the SGD-with-momentum update, so one onnxruntime `session.run` is one optimizer step on CPU
 * (tfjs-node cannot be installed here; tfjs cpu trains at ~0.2 positions/s, tfjs-wasm cannot train).
 *
 * Loss (mean over the batch): policy cross-entropy −Σ π·log softmax(logits), value MSE (z − v)²,
 * plus L2: `l2 · Σ w²` over every convolution and dense kernel (not biases, not BN γ/β).
 * Update (PyTorch-style momentum): m ← momentum·m + g;  w ← w − lr·m.
 *
 * BatchNorm choice: train-mode batch statistics, exactly as tfjs does with `training: true` — each BN
 * normalises with the batch's per-channel mean and biased variance, gradients flow through those
 * statistics, and the moving mean/variance are updated as tfjs does
 * (moving ← moving − (moving − batch)·(1 − bnMomentum)) and returned as outputs. Inference then uses the
 * moving statistics (folded into the convs by onnx-export.ts).
 * With `frozenBatchNorm` every BN normalises with its moving statistics instead, as in inference (tfjs
 * `training: false`): they are constants of the step and come back unchanged. train-rl uses it so that the
 * policy gradient is the gradient of the network that played the games, and the inference network does
 * not drift as moving statistics follow a new distribution of positions.
 *
 * Tensors are NCHW; parameters are kept in ONNX layouts (conv kernels (out, in, kh, kw); head dense
 * kernels with rows in (c, h, w) order); `readTrainState` / `writeTrainState` convert from/to the tfjs
 * model, which stays the format that is saved.
 *
 * Graph inputs:  planes (B, C, N, N), target_policy (B, area+1), target_value (B, 1), lr (1),
 *                every parameter P and its momentum `P.momentum`, every BN statistic S.
 * Graph outputs: loss_policy, loss_value, loss_l2 (scalars), `P.new`, `P.momentum.new`, `S.new`, each BN
 *                layer's batch statistics `L.batch_mean` / `L.batch_variance` (for re-estimating the moving
 *                statistics after training), and with `outputGradients` also `P.grad` (gradients including
 *                the L2 term).
 */
import { BN_EPSILON, policyHeadOf, validateNetConfig, type NetConfig } from './config.js';
import { featurePlaneCount } from './features.js';
import { OnnxGraph } from './onnx-graph.js';

export interface TrainGraphOptions {
  /** L2 coefficient c in c·Σw² (AlphaGo Zero: 1e-4). */
  l2: number;
  /** SGD momentum (AlphaGo Zero: 0.9). */
  momentum: number;
  /** Moving-average momentum of BN statistics; tfjs's BatchNormalization default. */
  bnMomentum: number;
  /** Also output each parameter's gradient (tests, diagnostics). */
  outputGradients: boolean;
  /**
   * Weights of the policy and value losses in the optimised sum (the reported losses stay unweighted):
   * 0 switches a head's loss off, e.g. AlphaGo's policy-only SL/RL nets and value-only value net.
   */
  policyWeight: number;
  valueWeight: number;
  /** Normalise with the moving statistics (inference-mode BN), and leave them unchanged (see above). */
  frozenBatchNorm: boolean;
}

export const DEFAULT_TRAIN_GRAPH: TrainGraphOptions = { l2: 1e-4, momentum: 0.9, bnMomentum: 0.99, outputGradients: false, policyWeight: 1, valueWeight: 1, frozenBatchNorm: false };

export type TrainParamKind = 'conv' | 'gamma' | 'beta' | 'dense' | 'bias';

export interface TrainParamSpec {
  /** Graph input name; outputs are `${name}.new`, `${name}.momentum.new`, `${name}.grad`. */
  name: string;
  /** The tfjs layer holding it and the index in that layer's getWeights(). */
  layer: string;
  weightIndex: number;
  kind: TrainParamKind;
  /** Shape in the graph's (ONNX) layout. */
  shape: number[];
  /** Flattened-head dense kernels: channels of the 1x1 conv feeding them (rows reordered). */
  headChannels?: number;
  /** Whether the L2 term applies. */
  decay: boolean;
}

export interface TrainStatSpec {
  name: string;
  layer: string;
  /** 2: moving mean, 3: moving variance (BatchNormalization getWeights() order). */
  weightIndex: 2 | 3;
  shape: number[];
}

/** Graph outputs holding one BN layer's batch mean and biased batch variance. */
export interface TrainBatchNormOutputs {
  layer: string;
  mean: string;
  variance: string;
}

export interface TrainGraph {
  config: NetConfig;
  options: TrainGraphOptions;
  bytes: Uint8Array;
  params: TrainParamSpec[];
  stats: TrainStatSpec[];
  batchNorms: TrainBatchNormOutputs[];
}

export const TRAIN_INPUT = { planes: 'planes', policy: 'target_policy', value: 'target_value', lr: 'lr' } as const;
export const TRAIN_LOSS = { policy: 'loss_policy', value: 'loss_value', l2: 'loss_l2' } as const;

interface UnitRecord {
  input: string;
  weight: string;
  xhat: string;
  sigma: string;
  gamma4: string;
  gammaName: string;
  betaName: string;
  weightName: string;
  pad: number;
  kernel: number;
  cin: number;
  cout: number;
}

export function buildTrainGraph(config: NetConfig, options: Partial<TrainGraphOptions> = {}): TrainGraph {
  validateNetConfig(config);
  const o = { ...DEFAULT_TRAIN_GRAPH, ...options };
  const size = config.boardSize;
  const area = size * size;
  const planesCount = featurePlaneCount(config.featureSet);
  const g = new OnnxGraph('tengen_policy_value_train_step');
  const params: TrainParamSpec[] = [];
  const stats: TrainStatSpec[] = [];
  /** Gradient value name per parameter name. */
  const grads = new Map<string, string>();
  const newStats: { name: string; value: string }[] = [];
  const batchNorms: TrainBatchNormOutputs[] = [];

  const planes = g.input(TRAIN_INPUT.planes, ['batch', planesCount, size, size]);
  const targetPolicy = g.input(TRAIN_INPUT.policy, ['batch', area + 1]);
  const targetValue = g.input(TRAIN_INPUT.value, ['batch', 1]);
  const lr = g.input(TRAIN_INPUT.lr, [1]);

  const channelAxes = g.int64Initializer('axes_nhw', [0, 2, 3]);
  const batchAxis = g.int64Initializer('axes_n', [0]);
  const actionAxis = g.int64Initializer('axes_c', [1]);
  const shapeC1 = g.int64Initializer('shape_1c11', [1, -1, 1, 1]);
  const shapeFlat = g.int64Initializer('shape_flat', [-1]);
  const lastAxis = g.int64Initializer('axes_last', [2]);
  // 0-d constants broadcast against any shape and keep scalar results scalar.
  const scalar = (name: string, v: number): string => g.floatInitializer(name, [], Float32Array.of(v));
  const eps = scalar('bn_epsilon', BN_EPSILON);
  const zero = scalar('zero', 0);
  const one = scalar('one', 1);
  const two = scalar('two', 2);

  const param = (spec: Omit<TrainParamSpec, 'name'> & { name?: string }): string => {
    const name = spec.name ?? `${spec.layer}.${spec.kind}`;
    params.push({ ...spec, name });
    g.input(name, spec.shape);
    return name;
  };
  const stat = (layer: string, weightIndex: 2 | 3, channels: number): string => {
    const name = `${layer}.${weightIndex === 2 ? 'moving_mean' : 'moving_variance'}`;
    stats.push({ name, layer, weightIndex, shape: [channels] });
    g.input(name, [channels]);
    return name;
  };
  const addGrad = (paramName: string, value: string): void => {
    const prev = grads.get(paramName);
    grads.set(paramName, prev === undefined ? value : g.node('Add', [prev, value]));
  };
  const reduceMeanC = (x: string): string => g.node('ReduceMean', [x], { axes: { ints: [0, 2, 3] }, keepdims: { int: 1 } });
  const reluMask = (y: string): string => g.node('Cast', [g.node('Greater', [y, zero])], { to: { int: 1 } });

  // Batch size as a float, for the mean-over-batch losses' gradients.
  const batchF = g.node('Cast', [g.node('Shape', [planes], { start: { int: 0 }, end: { int: 1 } })], { to: { int: 1 } });

  /** conv (no bias) + train-mode BN; returns the BN output and what the backward pass needs. */
  const unitForward = (x: string, convLayer: string, bnLayer: string, cin: number, cout: number, kernel: number): { y: string; rec: UnitRecord } => {
    const weightName = param({ layer: convLayer, weightIndex: 0, kind: 'conv', shape: [cout, cin, kernel, kernel], decay: true, name: `${convLayer}.weight` });
    const gammaName = param({ layer: bnLayer, weightIndex: 0, kind: 'gamma', shape: [cout], decay: false, name: `${bnLayer}.gamma` });
    const betaName = param({ layer: bnLayer, weightIndex: 1, kind: 'beta', shape: [cout], decay: false, name: `${bnLayer}.beta` });
    const movingMean = stat(bnLayer, 2, cout);
    const movingVar = stat(bnLayer, 3, cout);
    const pad = (kernel - 1) / 2;
    const c = g.node('Conv', [x, weightName], { kernel_shape: { ints: [kernel, kernel] }, pads: { ints: [pad, pad, pad, pad] } });
    const mean = reduceMeanC(c);
    const batchCentred = g.node('Sub', [c, mean]);
    const variance = reduceMeanC(g.node('Mul', [batchCentred, batchCentred]));
    const xc = o.frozenBatchNorm ? g.node('Sub', [c, g.node('Reshape', [movingMean, shapeC1])]) : batchCentred;
    const sigma = g.node('Sqrt', [g.node('Add', [o.frozenBatchNorm ? g.node('Reshape', [movingVar, shapeC1]) : variance, eps])]);
    const xhat = g.node('Div', [xc, sigma]);
    const gamma4 = g.node('Reshape', [gammaName, shapeC1]);
    const beta4 = g.node('Reshape', [betaName, shapeC1]);
    const y = g.node('Add', [g.node('Mul', [xhat, gamma4]), beta4]);
    // tfjs: moving ← moving − (moving − batch)·(1 − momentum), with the biased batch variance.
    const decay = o.frozenBatchNorm ? null : scalar(`${bnLayer}.decay`, 1 - o.bnMomentum);
    for (const [s, batchStat] of [
      [movingMean, mean],
      [movingVar, variance],
    ] as const) {
      const flat = g.node('Reshape', [batchStat, shapeFlat]);
      newStats.push({ name: s, value: decay === null ? g.node('Identity', [s]) : g.node('Sub', [s, g.node('Mul', [g.node('Sub', [s, flat]), decay])]) });
    }
    const bn = { layer: bnLayer, mean: `${bnLayer}.batch_mean`, variance: `${bnLayer}.batch_variance` };
    g.node('Reshape', [mean, shapeFlat], {}, bn.mean);
    g.node('Reshape', [variance, shapeFlat], {}, bn.variance);
    g.output(bn.mean, [cout]);
    g.output(bn.variance, [cout]);
    batchNorms.push(bn);
    return { y, rec: { input: x, weight: weightName, xhat, sigma, gamma4, gammaName, betaName, weightName, pad, kernel, cin, cout } };
  };

  /** Backward through BN (batch statistics) and conv; returns d(input) unless the input is the planes. */
  const unitBackward = (dy: string, r: UnitRecord, needInputGrad: boolean): string | null => {
    addGrad(r.betaName, g.node('ReduceSum', [dy, channelAxes], { keepdims: { int: 0 } }));
    addGrad(r.gammaName, g.node('ReduceSum', [g.node('Mul', [dy, r.xhat]), channelAxes], { keepdims: { int: 0 } }));
    const dxhat = g.node('Mul', [dy, r.gamma4]);
    // Frozen statistics are constants: BN is then a per-channel affine map. Batch statistics depend on
    // every position of the batch, hence the two mean terms.
    const dc = o.frozenBatchNorm
      ? g.node('Div', [dxhat, r.sigma])
      : g.node('Div', [g.node('Sub', [g.node('Sub', [dxhat, reduceMeanC(dxhat)]), g.node('Mul', [r.xhat, reduceMeanC(g.node('Mul', [dxhat, r.xhat]))])]), r.sigma]);
    // dW[o,i,ky,kx] = Σ_b,y,x dc[b,o,y,x]·x[b,i,y+ky−p,x+kx−p]: for each tap (ky,kx) one GEMM
    // (cout, B·HW) × (B·HW, cin) against the input shifted by that tap. Much faster on onnxruntime than
    // a convolution with the batch as channels, and than a full im2col (which copies the input k² times
    // into one big matrix).
    const dcRows = g.node('Reshape', [g.node('Transpose', [dc], { perm: { ints: [1, 0, 2, 3] } }), g.int64Initializer(g.fresh('shape'), [r.cout, -1])]);
    const taps = shiftedInputs(r).map((rows) => g.node('Unsqueeze', [g.node('Gemm', [dcRows, rows]), lastAxis]));
    const gw = taps.length === 1 ? taps[0]! : g.node('Concat', taps, { axis: { int: 2 } });
    addGrad(r.weightName, g.node('Reshape', [gw, g.int64Initializer(g.fresh('shape'), [r.cout, r.cin, r.kernel, r.kernel])]));
    if (!needInputGrad) return null;
    // dx = dc convolved with the kernel transposed (in/out swapped) and rotated 180°: a plain Conv,
    // which onnxruntime runs faster than ConvTranspose.
    const flipped = g.node('Slice', [
      g.node('Transpose', [r.weight], { perm: { ints: [1, 0, 2, 3] } }),
      g.int64Initializer(g.fresh('starts'), [-1, -1]),
      g.int64Initializer(g.fresh('ends'), [-(r.kernel + 1), -(r.kernel + 1)]),
      g.int64Initializer(g.fresh('axes'), [2, 3]),
      g.int64Initializer(g.fresh('steps'), [-1, -1]),
    ]);
    return g.node('Conv', [dc, flipped], { kernel_shape: { ints: [r.kernel, r.kernel] }, pads: { ints: [r.pad, r.pad, r.pad, r.pad] } });
  };

  /** The unit's input shifted by each kernel tap (ky, kx) in row-major tap order, each as (B·HW, cin) rows. */
  const shiftedInputs = (r: UnitRecord): string[] => {
    const nhwc = g.node('Transpose', [r.input], { perm: { ints: [0, 2, 3, 1] } });
    const rowsShape = g.int64Initializer(g.fresh('shape'), [-1, r.cin]);
    if (r.kernel === 1) return [g.node('Reshape', [nhwc, rowsShape])];
    const p = r.pad;
    const padded = g.node('Pad', [nhwc, g.int64Initializer(g.fresh('pads'), [0, p, p, 0, 0, p, p, 0])]);
    const axes = g.int64Initializer(g.fresh('axes'), [1, 2]);
    const out: string[] = [];
    for (let ky = 0; ky < r.kernel; ky++) {
      for (let kx = 0; kx < r.kernel; kx++) {
        const starts = g.int64Initializer(g.fresh('starts'), [ky, kx]);
        const ends = g.int64Initializer(g.fresh('ends'), [ky + size, kx + size]);
        out.push(g.node('Reshape', [g.node('Slice', [padded, starts, ends, axes]), rowsShape]));
      }
    }
    return out;
  };

  const dense = (x: string, layer: string, rows: number, units: number, headChannels?: number): { y: string; w: string; b: string } => {
    const w = param({ layer, weightIndex: 0, kind: 'dense', shape: [rows, units], decay: true, headChannels, name: `${layer}.weight` });
    const b = param({ layer, weightIndex: 1, kind: 'bias', shape: [units], decay: false, name: `${layer}.bias` });
    return { y: g.node('Gemm', [x, w, b]), w, b };
  };
  const denseBackward = (dy: string, x: string, w: string, b: string): string => {
    addGrad(w, g.node('Gemm', [x, dy], { transA: { int: 1 } }));
    addGrad(b, g.node('ReduceSum', [dy, batchAxis], { keepdims: { int: 0 } }));
    return g.node('Gemm', [dy, w], { transB: { int: 1 } });
  };

  // ---- forward ----
  const f = config.filters;
  const stem = unitForward(planes, 'stem_conv', 'stem_bn', planesCount, f, 3);
  const stemOut = g.node('Relu', [stem.y]);
  let x = stemOut;
  const blocks: { input: string; a1: string; u1: UnitRecord; u2: UnitRecord; out: string }[] = [];
  for (let i = 0; i < config.blocks; i++) {
    const u1 = unitForward(x, `block${i}_conv1`, `block${i}_bn1`, f, f, 3);
    const a1 = g.node('Relu', [u1.y]);
    const u2 = unitForward(a1, `block${i}_conv2`, `block${i}_bn2`, f, f, 3);
    const out = g.node('Relu', [g.node('Add', [x, u2.y])]);
    blocks.push({ input: x, a1, u1: u1.rec, u2: u2.rec, out });
    x = out;
  }
  const tower = x;

  const pu = unitForward(tower, 'policy_conv', 'policy_bn', f, config.policyFilters, 1);
  const pa = g.node('Relu', [pu.y]);
  const pfilters = config.policyFilters;
  let logits: string;
  /** Backward from d logits (B, area+1) to d pa (B, P, N, N), before pa's ReLU mask. */
  let policyHeadBackward: (dlogits: string) => string;
  if (policyHeadOf(config) === 'conv') {
    // One logit per point: a 1x1 convolution P → 1 with bias; the pass logit: board means of pa → dense 1.
    const pointW = param({ layer: 'policy_point', weightIndex: 0, kind: 'conv', shape: [1, pfilters, 1, 1], decay: true, name: 'policy_point.weight' });
    const pointB = param({ layer: 'policy_point', weightIndex: 1, kind: 'bias', shape: [1], decay: false, name: 'policy_point.bias' });
    const points = g.node('Flatten', [g.node('Conv', [pa, pointW, pointB], { kernel_shape: { ints: [1, 1] } })], { axis: { int: 1 } });
    const pooled = g.node('ReduceMean', [pa], { axes: { ints: [2, 3] }, keepdims: { int: 0 } });
    const pass = dense(pooled, 'policy_pass', pfilters, 1);
    logits = g.node('Concat', [points, pass.y], { axis: { int: 1 } });
    policyHeadBackward = (dl) => {
      const axis1 = g.int64Initializer(g.fresh('axes'), [1]);
      const dpoints = g.node('Reshape', [
        g.node('Slice', [dl, g.int64Initializer(g.fresh('starts'), [0]), g.int64Initializer(g.fresh('ends'), [area]), axis1]),
        g.int64Initializer(g.fresh('shape'), [-1, 1, size, size]),
      ]);
      const dpass = g.node('Slice', [dl, g.int64Initializer(g.fresh('starts'), [area]), g.int64Initializer(g.fresh('ends'), [area + 1]), axis1]);
      // d W[0,p] = Σ_b,y,x dpoints[b,0,y,x]·pa[b,p,y,x]; d bias = Σ dpoints; d pa = dpoints·W[0,p] (broadcast).
      addGrad(pointW, g.node('Reshape', [g.node('ReduceSum', [g.node('Mul', [dpoints, pa]), channelAxes], { keepdims: { int: 0 } }), g.int64Initializer(g.fresh('shape'), [1, pfilters, 1, 1])]));
      addGrad(pointB, g.node('ReduceSum', [dpoints, channelAxes], { keepdims: { int: 0 } }));
      const fromPoints = g.node('Mul', [dpoints, g.node('Reshape', [pointW, g.int64Initializer(g.fresh('shape'), [1, pfilters, 1, 1])])]);
      // The mean spreads d pooled evenly over the board's points.
      const dpooled = denseBackward(dpass, pooled, pass.w, pass.b);
      const fromPass = g.node('Div', [g.node('Reshape', [dpooled, g.int64Initializer(g.fresh('shape'), [-1, pfilters, 1, 1])]), scalar('policy_area', area)]);
      return g.node('Add', [fromPoints, fromPass]);
    };
  } else {
    const pf = g.node('Flatten', [pa], { axis: { int: 1 } });
    const pd = dense(pf, 'policy_dense', pfilters * area, area + 1, pfilters);
    logits = pd.y;
    policyHeadBackward = (dl) => g.node('Reshape', [denseBackward(dl, pf, pd.w, pd.b), g.node('Shape', [pa])]);
  }

  const vu = unitForward(tower, 'value_conv', 'value_bn', f, config.valueFilters, 1);
  const va = g.node('Relu', [vu.y]);
  const vf = g.node('Flatten', [va], { axis: { int: 1 } });
  const vd1 = dense(vf, 'value_dense1', config.valueFilters * area, config.valueHidden, config.valueFilters);
  const vh = g.node('Relu', [vd1.y]);
  const vd2 = dense(vh, 'value_dense2', config.valueHidden, 1);
  const v = g.node('Tanh', [vd2.y]);

  // ---- losses ----
  const logp = g.node('LogSoftmax', [logits], { axis: { int: 1 } });
  const ce = g.node('Neg', [g.node('ReduceSum', [g.node('Mul', [targetPolicy, logp]), actionAxis], { keepdims: { int: 0 } })]);
  g.node('ReduceMean', [ce], { keepdims: { int: 0 } }, TRAIN_LOSS.policy);
  const verr = g.node('Sub', [v, targetValue]);
  g.node('ReduceMean', [g.node('Mul', [verr, verr])], { keepdims: { int: 0 } }, TRAIN_LOSS.value);
  const l2c = scalar('l2_coefficient', o.l2);
  const decayed = params.filter((p) => p.decay).map((p) => g.node('ReduceSumSquare', [p.name], { keepdims: { int: 0 } }));
  const l2sum = decayed.reduce((acc, t) => g.node('Add', [acc, t]));
  g.node('Mul', [l2sum, l2c], {}, TRAIN_LOSS.l2);

  // ---- backward ----
  // d loss_policy / d logits = (softmax·Σπ − π) / B  (Σπ = 1 for a proper target, kept general).
  const probs = g.node('Softmax', [logits], { axis: { int: 1 } });
  const piSum = g.node('ReduceSum', [targetPolicy, actionAxis], { keepdims: { int: 1 } });
  let dlogits = g.node('Div', [g.node('Sub', [g.node('Mul', [probs, piSum]), targetPolicy]), batchF]);
  if (o.policyWeight !== 1) dlogits = g.node('Mul', [dlogits, scalar('policy_weight', o.policyWeight)]);
  const dpa = g.node('Mul', [policyHeadBackward(dlogits), reluMask(pa)]);
  const dTowerP = unitBackward(dpa, pu.rec, true)!;

  // d loss_value / d u = 2(v − z)/B · (1 − v²)
  let dv = g.node('Div', [g.node('Mul', [verr, two]), batchF]);
  if (o.valueWeight !== 1) dv = g.node('Mul', [dv, scalar('value_weight', o.valueWeight)]);
  const du = g.node('Mul', [dv, g.node('Sub', [one, g.node('Mul', [v, v])])]);
  const dvh = g.node('Mul', [denseBackward(du, vh, vd2.w, vd2.b), reluMask(vh)]);
  const dvf = denseBackward(dvh, vf, vd1.w, vd1.b);
  const dva = g.node('Mul', [g.node('Reshape', [dvf, g.node('Shape', [va])]), reluMask(va)]);
  const dTowerV = unitBackward(dva, vu.rec, true)!;

  let dx = g.node('Add', [dTowerP, dTowerV]);
  for (let i = blocks.length - 1; i >= 0; i--) {
    const b = blocks[i]!;
    const dsum = g.node('Mul', [dx, reluMask(b.out)]);
    const da1 = g.node('Mul', [unitBackward(dsum, b.u2, true)!, reluMask(b.a1)]);
    dx = g.node('Add', [dsum, unitBackward(da1, b.u1, true)!]);
  }
  const dstem = g.node('Mul', [dx, reluMask(stemOut)]);
  unitBackward(dstem, stem.rec, false);

  // ---- outputs: losses, updated parameters, momenta, BN statistics ----
  g.output(TRAIN_LOSS.policy, []);
  g.output(TRAIN_LOSS.value, []);
  g.output(TRAIN_LOSS.l2, []);
  const mu = scalar('sgd_momentum', o.momentum);
  const l2x2 = scalar('l2_coefficient_x2', 2 * o.l2);
  for (const p of params) {
    let grad = grads.get(p.name);
    if (grad === undefined) throw new Error(`train graph: no gradient reaches ${p.name}`);
    if (p.decay) grad = g.node('Add', [grad, g.node('Mul', [p.name, l2x2])]);
    const momentumIn = `${p.name}.momentum`;
    g.input(momentumIn, p.shape);
    const m = g.node('Add', [g.node('Mul', [momentumIn, mu]), grad], {}, `${p.name}.momentum.new`);
    g.node('Sub', [p.name, g.node('Mul', [m, lr])], {}, `${p.name}.new`);
    g.output(`${p.name}.new`, p.shape);
    g.output(`${p.name}.momentum.new`, p.shape);
    if (o.outputGradients) {
      g.node('Identity', [grad], {}, `${p.name}.grad`);
      g.output(`${p.name}.grad`, p.shape);
    }
  }
  for (const s of newStats) {
    g.node('Identity', [s.value], {}, `${s.name}.new`);
    g.output(`${s.name}.new`, stats.find((t) => t.name === s.name)!.shape);
  }
  return { config, options: o, bytes: g.toModelBytes(), params, stats, batchNorms };
}
