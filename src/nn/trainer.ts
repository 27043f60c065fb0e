/**
 * The optimizer step behind one interface (Trainer), with two implementations that compute the same thing:
 * - OnnxTrainer (here): the graph of train-graph.ts on onnxruntime, one `session.run` per SGD step.
 *   Parameters, momenta and BN statistics live as onnxruntime tensors between steps (each step's outputs
 *   are the next step's inputs, no copies); `writeBack` puts them into the tfjs model, which is what gets saved.
 * - TfjsTrainer (tfjs-trainer.ts): tfjs autodiff on any tfjs backend; the reference for correctness.
 *
 * `state()` is the resumable state in tfjs layout (every model weight by originalName, plus the momentum
 * buffer of every trainable weight), so a checkpoint written from one trainer resumes in either.
 */
import { availableParallelism } from 'node:os';
import type * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import type { NetConfig } from './config.js';
import { planesPerPosition, policySize } from './evaluator.js';
import { netInfo, type PolicyValueNet } from './model.js';
import { loadOnnxRuntime } from './onnx-evaluator.js';
import { denseKernelChannelsFirst } from './onnx-export.js';
import { buildTrainGraph, TRAIN_INPUT, TRAIN_LOSS, type TrainGraph, type TrainGraphOptions, type TrainParamSpec } from './train-graph.js';

/** One weight in tfjs layout, named by its tfjs originalName (e.g. 'block0_conv1/kernel'). */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** What a checkpoint saves: every model weight (BN moving statistics included) and the momentum buffers. */
export interface TrainerState {
  weights: NamedTensor[];
  /** Momentum buffer per trainable weight, same names and shapes as the weights. */
  velocities: NamedTensor[];
}

export interface BatchNormStatistics {
  mean: Float32Array;
  /** Biased (population) variance over batch and positions. */
  variance: Float32Array;
}

/** The model's weights as named tensors in tfjs layout (BN moving statistics included). */
export function modelWeights(model: tf.LayersModel): NamedTensor[] {
  return model.weights.map((w) => {
    const t = w.read();
    return { name: w.originalName, shape: t.shape.slice(), data: Float32Array.from(t.dataSync() as Float32Array) };
  });
}

/** Writes named weights into a model (which must have exactly these weights). */
export function setModelWeights(model: tf.LayersModel, weights: readonly NamedTensor[]): void {
  const byName = new Map(weights.map((w) => [w.name, w]));
  const tensors = model.weights.map((w) => {
    const src = byName.get(w.originalName);
    if (src === undefined) throw new Error(`trainer state has no weight '${w.originalName}'`);
    if (src.shape.join('x') !== w.shape.join('x')) throw new Error(`weight '${w.originalName}' has shape ${src.shape.join('x')}, model wants ${w.shape.join('x')}`);
    return tf.tensor(src.data, src.shape);
  });
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
}

/** Zero momentum buffers for the model's trainable weights. */
export function zeroVelocities(model: tf.LayersModel): NamedTensor[] {
  return model.trainableWeights.map((w) => ({
    name: w.originalName,
    shape: w.shape.map((d) => d ?? 1),
    data: new Float32Array(w.shape.reduce((a: number, b) => a * (b ?? 1), 1)),
  }));
}

export interface TrainState {
  /** In graph.params order, graph (ONNX) layout. */
  params: Float32Array[];
  momenta: Float32Array[];
  /** In graph.stats order. */
  stats: Float32Array[];
}

/** Inverse of denseKernelChannelsFirst: rows from (c, h, w) back to tfjs's (h, w, c). */
export function denseKernelChannelsLast(kernel: Float32Array, area: number, channels: number, units: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < area; p++) {
      const from = (c * area + p) * units;
      out.set(kernel.subarray(from, from + units), (p * channels + c) * units);
    }
  }
  return out;
}

/** tfjs layout → graph layout for one parameter. */
export function toGraphLayout(spec: TrainParamSpec, tfjsData: Float32Array, config: NetConfig): Float32Array {
  const area = config.boardSize * config.boardSize;
  if (spec.kind === 'conv') {
    const [cout, cin, kh, kw] = spec.shape as [number, number, number, number];
    const out = new Float32Array(tfjsData.length);
    for (let o = 0; o < cout; o++)
      for (let i = 0; i < cin; i++)
        for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((o * cin + i) * kh + y) * kw + x] = tfjsData[((y * kw + x) * cin + i) * cout + o]!;
    return out;
  }
  if (spec.kind === 'dense' && spec.headChannels !== undefined) return denseKernelChannelsFirst(tfjsData, area, spec.headChannels, spec.shape[1]!);
  return Float32Array.from(tfjsData);
}

/** Graph layout → tfjs layout for one parameter. */
export function toTfjsLayout(spec: TrainParamSpec, graphData: Float32Array, config: NetConfig): Float32Array {
  const area = config.boardSize * config.boardSize;
  if (spec.kind === 'conv') {
    const [cout, cin, kh, kw] = spec.shape as [number, number, number, number];
    const out = new Float32Array(graphData.length);
    for (let o = 0; o < cout; o++)
      for (let i = 0; i < cin; i++)
        for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * cin + i) * cout + o] = graphData[((o * cin + i) * kh + y) * kw + x]!;
    return out;
  }
  if (spec.kind === 'dense' && spec.headChannels !== undefined) return denseKernelChannelsLast(graphData, area, spec.headChannels, spec.shape[1]!);
  return Float32Array.from(graphData);
}

function findLayer(model: tf.LayersModel, layer: string): tf.layers.Layer {
  const l = model.layers.find((x) => x.name === layer);
  if (l === undefined) throw new Error(`train state: model has no layer '${layer}'`);
  return l;
}

function layerWeights(model: tf.LayersModel, layer: string): tf.Tensor[] {
  return findLayer(model, layer).getWeights();
}

function layerVariables(model: tf.LayersModel, layer: string): tf.LayerVariable[] {
  return findLayer(model, layer).weights;
}

/** Reads parameters and BN statistics from a tfjs model into the graph's layout; momenta start at zero. */
export function readTrainState(model: tf.LayersModel, graph: TrainGraph): TrainState {
  const params = graph.params.map((p) => toGraphLayout(p, layerWeights(model, p.layer)[p.weightIndex]!.dataSync() as Float32Array, graph.config));
  return {
    params,
    momenta: params.map((p) => new Float32Array(p.length)),
    stats: graph.stats.map((s) => Float32Array.from(layerWeights(model, s.layer)[s.weightIndex]!.dataSync() as Float32Array)),
  };
}

/** Writes parameters and BN statistics back into the tfjs model. */
export function writeTrainState(model: tf.LayersModel, graph: TrainGraph, state: Pick<TrainState, 'params' | 'stats'>): void {
  const replaced = new Map<string, tf.Tensor[]>();
  const slot = (layer: string): tf.Tensor[] => {
    let ws = replaced.get(layer);
    if (ws === undefined) {
      ws = layerWeights(model, layer).slice();
      replaced.set(layer, ws);
    }
    return ws;
  };
  const created: tf.Tensor[] = [];
  graph.params.forEach((p, i) => {
    const ws = slot(p.layer);
    const t = tf.tensor(toTfjsLayout(p, state.params[i]!, graph.config), ws[p.weightIndex]!.shape);
    created.push(t);
    ws[p.weightIndex] = t;
  });
  graph.stats.forEach((s, i) => {
    const ws = slot(s.layer);
    const t = tf.tensor(Float32Array.from(state.stats[i]!), ws[s.weightIndex]!.shape);
    created.push(t);
    ws[s.weightIndex] = t;
  });
  for (const [layer, ws] of replaced) model.layers.find((l) => l.name === layer)!.setWeights(ws);
  created.forEach((t) => t.dispose());
}

export interface StepLosses {
  policy: number;
  value: number;
  l2: number;
}

/** One optimizer step per call; implemented on onnxruntime (OnnxTrainer) and tfjs (TfjsTrainer). */
export interface Trainer {
  readonly kind: 'onnx' | 'tfjs';
  readonly stepCount: number;
  /**
   * One SGD step on `count` positions: planes as in evaluator.ts, `policy` count×(area+1) target
   * distributions, `value` count outcomes in [-1, 1] for the side to move. Returns the losses before the step.
   */
  step(planes: Float32Array, policy: Float32Array, value: Float32Array, count: number, lr: number): Promise<StepLosses>;
  /** Puts the trained weights into `net.model` (what gets saved) and adds the steps to `net.trainingSteps`. */
  writeBack(net: PolicyValueNet): void;
  /** Each BN layer's batch mean and (biased) variance on `count` positions with the current weights; changes nothing. */
  batchNormStatistics(planes: Float32Array, count: number): Promise<Map<string, BatchNormStatistics>>;
  /** Weights and momentum buffers in tfjs layout (copies). */
  state(): TrainerState;
  dispose(): Promise<void>;
}

export interface TrainerOptions extends Partial<Omit<TrainGraphOptions, 'outputGradients'>> {
  /** Momentum buffers to resume from (a checkpoint's); zero when absent. */
  velocities?: readonly NamedTensor[];
}

export interface OnnxTrainerOptions extends TrainerOptions {
  threads?: number;
}

/** Checks a step's inputs against the network; shared by both trainers so they fail alike. */
export function checkStepInput(config: NetConfig, planes: Float32Array, policy: Float32Array, value: Float32Array, count: number, lr: number): void {
  const info = netInfo(config);
  const fp = planesPerPosition(info);
  const actions = policySize(info);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`train step: count must be a positive integer, got ${count}`);
  if (planes.length < count * fp || policy.length < count * actions || value.length < count) {
    throw new RangeError(`train step: ${count} positions need ${count * fp} plane floats, ${count * actions} policy and ${count} value entries`);
  }
  if (!(lr >= 0)) throw new RangeError(`train step: bad learning rate ${lr}`);
}

/** Momentum buffers by name, checked against the expected shape. */
export function velocityLookup(velocities: readonly NamedTensor[] | undefined): (name: string, shape: readonly number[]) => Float32Array | undefined {
  const byName = new Map((velocities ?? []).map((v) => [v.name, v]));
  return (name, shape) => {
    if (velocities === undefined) return undefined;
    const v = byName.get(name);
    if (v === undefined) throw new Error(`trainer state has no momentum buffer for '${name}'`);
    if (v.shape.join('x') !== shape.join('x')) throw new Error(`momentum buffer '${name}' has shape ${v.shape.join('x')}, expected ${shape.join('x')}`);
    return v.data;
  };
}

export class OnnxTrainer implements Trainer {
  readonly kind = 'onnx' as const;
  private steps = 0;
  private disposed = false;

  private constructor(
    readonly graph: TrainGraph,
    private readonly runtime: typeof ort,
    private readonly session: ort.InferenceSession,
    /** Current parameter, momentum and statistic tensors, by graph input name. */
    private readonly current: Map<string, ort.Tensor>,
    /** tfjs originalName and shape of each graph parameter and statistic, in graph.params then graph.stats order. */
    private readonly tfjsWeights: { name: string; shape: number[] }[],
  ) {}

  static async create(net: PolicyValueNet, options: OnnxTrainerOptions = {}): Promise<OnnxTrainer> {
    const runtime = await loadOnnxRuntime();
    const { threads, velocities, ...graphOptions } = options;
    const graph = buildTrainGraph(net.config, graphOptions);
    const session = await runtime.InferenceSession.create(graph.bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads ?? availableParallelism(),
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    const s = readTrainState(net.model, graph);
    const tfjsWeights = [...graph.params, ...graph.stats].map((p) => {
      const w = layerVariables(net.model, p.layer)[p.weightIndex]!;
      return { name: w.originalName, shape: w.shape.map((d) => d ?? 1) };
    });
    const velocity = velocityLookup(velocities);
    const state = new Map<string, ort.Tensor>();
    graph.params.forEach((p, i) => {
      const v = velocity(tfjsWeights[i]!.name, tfjsWeights[i]!.shape);
      state.set(p.name, new runtime.Tensor('float32', s.params[i]!, p.shape));
      state.set(`${p.name}.momentum`, new runtime.Tensor('float32', v === undefined ? s.momenta[i]! : toGraphLayout(p, v, graph.config), p.shape));
    });
    graph.stats.forEach((st, i) => state.set(st.name, new runtime.Tensor('float32', s.stats[i]!, st.shape)));
    return new OnnxTrainer(graph, runtime, session, state, tfjsWeights);
  }

  get stepCount(): number {
    return this.steps;
  }

  /**
   * One SGD step on `count` positions: planes as in evaluator.ts, `policy` count×(area+1) target
   * distributions, `value` count outcomes in [-1, 1] for the side to move. Returns the losses before the step.
   */
  async step(planes: Float32Array, policy: Float32Array, value: Float32Array, count: number, lr: number): Promise<StepLosses> {
    if (this.disposed) throw new Error('trainer was disposed');
    checkStepInput(this.graph.config, planes, policy, value, count, lr);
    const out = await this.session.run(this.feeds(planes, policy, value, count, lr));
    for (const name of this.current.keys()) this.current.set(name, out[`${name}.new`]!);
    this.steps++;
    return {
      policy: (out[TRAIN_LOSS.policy]!.data as Float32Array)[0]!,
      value: (out[TRAIN_LOSS.value]!.data as Float32Array)[0]!,
      l2: (out[TRAIN_LOSS.l2]!.data as Float32Array)[0]!,
    };
  }

  private feeds(planes: Float32Array, policy: Float32Array, value: Float32Array, count: number, lr: number): Record<string, ort.Tensor> {
    const info = netInfo(this.graph.config);
    const n = info.boardSize;
    const fp = planesPerPosition(info);
    const actions = policySize(info);
    const T = this.runtime.Tensor;
    const feeds: Record<string, ort.Tensor> = {
      [TRAIN_INPUT.planes]: new T('float32', planes.subarray(0, count * fp), [count, info.inputPlanes, n, n]),
      [TRAIN_INPUT.policy]: new T('float32', policy.subarray(0, count * actions), [count, actions]),
      [TRAIN_INPUT.value]: new T('float32', value.subarray(0, count), [count, 1]),
      [TRAIN_INPUT.lr]: new T('float32', Float32Array.of(lr), [1]),
    };
    for (const [name, t] of this.current) feeds[name] = t;
    return feeds;
  }

  async batchNormStatistics(planes: Float32Array, count: number): Promise<Map<string, BatchNormStatistics>> {
    if (this.disposed) throw new Error('trainer was disposed');
    const actions = policySize(netInfo(this.graph.config));
    const policy = new Float32Array(count * actions);
    const value = new Float32Array(count);
    checkStepInput(this.graph.config, planes, policy, value, count, 0);
    // A step with learning rate 0 computes the statistics; its outputs are dropped, so the state is untouched.
    const out = await this.session.run(this.feeds(planes, policy, value, count, 0));
    const stats = new Map<string, BatchNormStatistics>();
    for (const b of this.graph.batchNorms) {
      stats.set(b.layer, { mean: Float32Array.from(out[b.mean]!.data as Float32Array), variance: Float32Array.from(out[b.variance]!.data as Float32Array) });
    }
    return stats;
  }

  state(): TrainerState {
    const { graph, tfjsWeights } = this;
    const tensor = (i: number, data: Float32Array): NamedTensor => ({ name: tfjsWeights[i]!.name, shape: tfjsWeights[i]!.shape.slice(), data });
    const data = (name: string): Float32Array => this.current.get(name)!.data as Float32Array;
    return {
      weights: [
        ...graph.params.map((p, i) => tensor(i, toTfjsLayout(p, data(p.name), graph.config))),
        ...graph.stats.map((s, i) => tensor(graph.params.length + i, Float32Array.from(data(s.name)))),
      ],
      velocities: graph.params.map((p, i) => tensor(i, toTfjsLayout(p, data(`${p.name}.momentum`), graph.config))),
    };
  }

  /** Copies the trained weights and BN statistics into `net.model` and counts the steps in `net.trainingSteps`. */
  writeBack(net: PolicyValueNet): void {
    writeTrainState(net.model, this.graph, {
      params: this.graph.params.map((p) => this.current.get(p.name)!.data as Float32Array),
      stats: this.graph.stats.map((s) => this.current.get(s.name)!.data as Float32Array),
    });
    net.trainingSteps += this.steps;
    this.steps = 0;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}
