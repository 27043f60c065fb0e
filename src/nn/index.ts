// The policy-value net: features, symmetries, model, save/load, ONNX export, backends, batching.
export * from './evaluator.js';
export * from './config.js';
export * from './features.js';
export * from './symmetry.js';
export { buildModel, createNet, cloneModel, inferNetConfig, netInfo, randomizeWeights, POLICY_OUTPUT, VALUE_OUTPUT, type PolicyValueNet } from './model.js';
export * from './model-io.js';
export { exportOnnx, ONNX_INPUT, ONNX_POLICY, ONNX_VALUE } from './onnx-export.js';
export { createEvaluator, probeBackend, measureRate, type CreateEvaluatorOptions, type BackendEvaluator } from './create-evaluator.js';
export { OnnxEvaluator, createOnnxSession, loadOnnxRuntime } from './onnx-evaluator.js';
export { TfjsEvaluator, type TfjsGraph } from './tfjs-evaluator.js';
export { BackendUnavailableError } from './tfjs-runtime.js';
export * from './batching.js';
export * from './remote.js';
export { buildTrainGraph, DEFAULT_TRAIN_GRAPH, TRAIN_INPUT, TRAIN_LOSS, type TrainGraph, type TrainGraphOptions, type TrainParamSpec, type TrainStatSpec } from './train-graph.js';
export {
  OnnxTrainer,
  modelWeights,
  readTrainState,
  setModelWeights,
  writeTrainState,
  zeroVelocities,
  type BatchNormStatistics,
  type NamedTensor,
  type OnnxTrainerOptions,
  type StepLosses,
  type Trainer,
  type TrainerOptions,
  type TrainerState,
  type TrainState,
} from './trainer.js';
export { TfjsTrainer } from './tfjs-trainer.js';
export { SymmetricEvaluator, type SymmetricEvaluatorOptions } from './symmetric-evaluator.js';
