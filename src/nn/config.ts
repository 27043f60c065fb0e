/** Network shape configuration, with the defaults in one place. */
import type { FeatureSet } from './evaluator.js';

export interface NetConfig {
  boardSize: number;
  /** Residual blocks in the tower. */
  blocks: number;
  /** Channels of every tower convolution. */
  filters: number;
  featureSet: FeatureSet;
  /** 1x1 convolution channels feeding the policy head's output layer (2 in AlphaGo Zero). */
  policyFilters: number;
  /**
   * How the policy head turns those channels into area+1 logits: 'dense' (AlphaGo Zero, the default when
   * absent) is one dense layer over the whole board; 'conv' is a 1x1 convolution to one logit per point
   * plus a pass logit from the channels' board averages (KataGo's shape). A dense layer's weights each see
   * a small gradient, and on 19x19 it stays near a uniform policy for thousands of steps; the 1x1
   * convolution shares its weights across the board.
   */
  policyHead?: PolicyHead;
  /** 1x1 convolution channels feeding the value dense layers (1 in AlphaGo Zero). */
  valueFilters: number;
  /** Hidden units of the value head. */
  valueHidden: number;
}

export type PolicyHead = 'dense' | 'conv';
export const POLICY_HEADS: readonly PolicyHead[] = ['dense', 'conv'];

/** A config's policy head, 'dense' when not given (every network saved before the field existed). */
export function policyHeadOf(config: NetConfig): PolicyHead {
  return config.policyHead ?? 'dense';
}

/** BatchNorm epsilon; the ONNX export folds BN with the same value, so it is fixed, not configuration. */
export const BN_EPSILON = 1e-5;

/** Defaults that fit a 2-core CPU: 9x9 6x64, 19x19 10x128; other sizes get the small tower. */
export function defaultNetConfig(boardSize: number, overrides: Partial<NetConfig> = {}): NetConfig {
  const big = boardSize >= 13;
  return validateNetConfig({
    boardSize,
    blocks: big ? 10 : 6,
    filters: big ? 128 : 64,
    featureSet: 'zero',
    policyFilters: 2,
    valueFilters: 1,
    valueHidden: 256,
    ...overrides,
  });
}

export function validateNetConfig(config: NetConfig): NetConfig {
  const positiveInt = (name: keyof NetConfig, min: number, max: number): void => {
    const v = config[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`net config: ${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
    }
  };
  positiveInt('boardSize', 2, 25);
  positiveInt('blocks', 0, 80);
  positiveInt('filters', 1, 1024);
  positiveInt('policyFilters', 1, 64);
  positiveInt('valueFilters', 1, 64);
  positiveInt('valueHidden', 1, 4096);
  if (config.policyHead !== undefined && !POLICY_HEADS.includes(config.policyHead)) {
    throw new RangeError(`net config: policyHead must be 'dense' or 'conv', got ${String(config.policyHead)}`);
  }
  if (config.featureSet !== 'zero' && config.featureSet !== 'lee') {
    throw new RangeError(`net config: featureSet must be 'zero' or 'lee', got ${String(config.featureSet)}`);
  }
  return config;
}
