/**
 * A training run's configuration: typed data, defaults in one place (defaultRunConfig), validated as a
 * whole before any work starts so a bad value is a clear error rather than a crash an hour in.
 * Stored as RUN/config.json; a resumed run reads it back and command-line options may not contradict it.
 */
import { POLICY_HEADS, type PolicyHead } from '../src/nn/config.js';
import { DEFAULT_SPRT, validateSprt, type SprtParams } from './sprt.js';

export type TrainerChoice = 'auto' | 'onnx' | 'tfjs';
/** sprt and threshold decide early; fixed plays every game (evaluation matches). */
export type GateRuleKind = 'sprt' | 'threshold' | 'fixed';

export interface SelfplayConfig {
  /** Games each generation adds before training. */
  gamesPerGeneration: number;
  /** Root visits of a full search. */
  visits: number;
  /** Moves (from the start) played by sampling π with temperature 1; the best move afterwards. */
  temperatureMoves: number;
  /** Dirichlet noise: ε and the total concentration Σα (α per legal move = Σα / legal moves). */
  dirichletWeight: number;
  dirichletTotalAlpha: number;
  /** Resign when the search's winrate for the mover falls below this (0 = never resign). */
  resignThreshold: number;
  /** Fraction of games played to the end without resigning, to measure false resignations. */
  noResignFraction: number;
  /** Playout-cap randomization (KataGo): with probability fullSearchProbability a move gets a full search and
   * is recorded for training; otherwise a fast search of `fastVisits` visits without noise, not recorded. */
  playoutCap: boolean;
  fastVisits: number;
  fullSearchProbability: number;
  /** A game is scored after this many moves (× area) even without two passes. */
  maxMovesPerArea: number;
  /** Games per shard file (a killed run loses at most the games of one unfinished shard). */
  gamesPerShard: number;
  /** Games played at once (their leaf evaluations are batched into one net call). */
  parallelGames: number;
}

export interface TrainConfig {
  trainer: TrainerChoice;
  /** The training window: the latest `windowGames` games (and at most `windowPositions` positions). */
  windowGames: number;
  windowPositions: number;
  /** Optimizer steps per generation. */
  stepsPerGeneration: number;
  batchSize: number;
  /** Learning rate schedule: lr of the first entry whose `untilStep` exceeds the network's total steps. */
  learningRate: { untilStep: number; lr: number }[];
  momentum: number;
  /** L2 weight decay coefficient c in loss = CE + MSE + c·‖θ‖². */
  l2: number;
  /** Write a resumable checkpoint every this many steps. */
  checkpointEvery: number;
  /** Batches used after training to re-estimate the BN moving statistics with the final weights (0 = off). */
  bnCalibrationBatches: number;
  /**
   * Train each candidate from the current best network rather than continuing from the previous candidate.
   * Default false: training continues across generations as in AlphaGo Zero (the optimiser runs on; gating
   * picks which checkpoints play self-play), so a rejected candidate's steps are not thrown away.
   */
  fromBest: boolean;
  /**
   * w in the value target (1 − w)·z + w·q (q: each record's value target, the self-play search's root
   * value or a bootstrap rollout estimate; see shards.ts). Absent or 0: the game outcome z alone, as
   * AlphaGo Zero. Averaging z with q gives each position its own target instead of one noisy bit per game.
   */
  valueTargetWeight?: number;
}

export interface GateConfig {
  rule: GateRuleKind;
  /** Most games in a gating match. */
  games: number;
  /** Promotion win rate for the threshold rule (and the SPRT's fallback at the game cap). */
  threshold: number;
  sprt: SprtParams;
  visits: number;
  /**
   * Resign below this winrate in gating games (0 = play every game out, the default): an early candidate's
   * value head is overconfident, and with 0.05 a 5x5 candidate resigned games it would have won — 36.8% of
   * 95 gating games against 56.7% of 60 games played out, same two networks.
   */
  resignThreshold: number;
  /** Moves at the start of each gating game sampled from the visit counts, so games differ. */
  randomMoves: number;
  /** Skip gating: every candidate is promoted (AlphaZero style). */
  alwaysPromote: boolean;
}

export interface RunConfig {
  format: 'tengen-run';
  version: 1;
  boardSize: number;
  komi: number;
  /** Network shape for generation 0. */
  blocks: number;
  filters: number;
  /**
   * 1x1 filters of the value head (absent: the net default, AlphaGo Zero's 1). A single filter can die
   * at high learning rates (train.ts warns); 2–4 are safer on small data.
   */
  valueFilters?: number;
  /** 1x1 filters of the policy head (absent: the net default, AlphaGo Zero's 2). */
  policyFilters?: number;
  /** Policy head shape (absent: 'dense', AlphaGo Zero's); 'conv' learns far faster on 19x19 (src/nn/config.ts). */
  policyHead?: PolicyHead;
  /** Inference backend for self-play and gating (see src/nn). */
  backend: 'auto' | 'onnx' | 'wasm' | 'cpu' | 'tensorflow' | 'webgpu';
  threads: number;
  seed: number;
  /** Stop after this many generations (0 = run until killed). */
  generations: number;
  selfplay: SelfplayConfig;
  train: TrainConfig;
  gate: GateConfig;
}

/** RunConfig's optional top-level fields (absent from defaultRunConfig). */
const OPTIONAL_RUN_FIELDS: readonly (keyof RunConfig)[] = ['valueFilters', 'policyFilters', 'policyHead'];

export type RunConfigOverrides = Partial<Omit<RunConfig, 'selfplay' | 'train' | 'gate'>> & {
  selfplay?: Partial<SelfplayConfig>;
  train?: Partial<TrainConfig>;
  gate?: Partial<GateConfig>;
};

export function defaultRunConfig(boardSize = 9, overrides: RunConfigOverrides = {}): RunConfig {
  const size = overrides.boardSize ?? boardSize;
  const small = size <= 7;
  const base: RunConfig = {
    format: 'tengen-run',
    version: 1,
    boardSize: size,
    komi: size <= 5 ? 0.5 : size <= 7 ? 8.5 : 7.5,
    blocks: small ? 2 : size >= 13 ? 10 : 6,
    filters: small ? 32 : size >= 13 ? 128 : 64,
    backend: 'auto',
    threads: 2,
    seed: 1,
    generations: 0,
    selfplay: {
      gamesPerGeneration: small ? 200 : 500,
      visits: small ? 64 : 200,
      temperatureMoves: small ? Math.round((size * size) / 3) : 30,
      dirichletWeight: 0.25,
      dirichletTotalAlpha: 0.03 * 361,
      resignThreshold: 0.05,
      noResignFraction: 0.1,
      playoutCap: false,
      fastVisits: small ? 16 : 40,
      fullSearchProbability: 0.25,
      maxMovesPerArea: 3,
      gamesPerShard: 10,
      parallelGames: 8,
    },
    train: {
      trainer: 'auto',
      windowGames: small ? 2000 : 20000,
      windowPositions: 1_000_000,
      stepsPerGeneration: small ? 200 : 1000,
      batchSize: small ? 64 : 128,
      // AlphaGo Zero's 0.01 → 0.001 → 0.0001 (half that on small boards, where batches are small). At 0.02 the
      // single-filter value head of a 5x5 net died within a generation (its BN scale went negative, ReLU off).
      learningRate: [
        { untilStep: 20000, lr: small ? 0.005 : 0.01 },
        { untilStep: 100000, lr: small ? 0.0005 : 0.001 },
        { untilStep: Number.MAX_SAFE_INTEGER, lr: small ? 0.00005 : 0.0001 },
      ],
      momentum: 0.9,
      l2: 1e-4,
      checkpointEvery: 100,
      bnCalibrationBatches: 32,
      fromBest: false,
    },
    gate: {
      rule: 'sprt',
      games: 400,
      threshold: 0.55,
      sprt: { ...DEFAULT_SPRT },
      visits: small ? 64 : 200,
      randomMoves: Math.max(2, Math.round((size * size) / 12)),
      resignThreshold: 0,
      alwaysPromote: false,
    },
  };
  return validateRunConfig({
    ...base,
    ...overrides,
    boardSize: size,
    format: 'tengen-run',
    version: 1,
    selfplay: { ...base.selfplay, ...overrides.selfplay },
    train: { ...base.train, ...overrides.train },
    gate: { ...base.gate, ...overrides.gate, sprt: { ...base.gate.sprt, ...overrides.gate?.sprt } },
  });
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Checks every field; the error names the field, what it must be and what it got. */
export function validateRunConfig(c: RunConfig): RunConfig {
  const fail = (field: string, what: string, got: unknown): never => {
    throw new ConfigError(`run config: ${field} must be ${what}, got ${JSON.stringify(got)}`);
  };
  const int = (field: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(field, `an integer from ${min} to ${max}`, v);
  };
  const num = (field: string, v: unknown, min: number, max: number, openMin = false): void => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (openMin && v === min)) {
      fail(field, `a number in ${openMin ? '(' : '['}${min}, ${max}]`, v);
    }
  };
  const bool = (field: string, v: unknown): void => {
    if (typeof v !== 'boolean') fail(field, 'true or false', v);
  };
  if (c.format !== 'tengen-run') fail('format', "'tengen-run'", c.format);
  if (c.version !== 1) fail('version', '1', c.version);
  int('boardSize', c.boardSize, 2, 19);
  num('komi', c.komi, -1000, 1000);
  if (!Number.isInteger(c.komi * 2)) fail('komi', 'a multiple of 0.5', c.komi);
  int('blocks', c.blocks, 0, 40);
  int('filters', c.filters, 1, 512);
  if (c.valueFilters !== undefined) int('valueFilters', c.valueFilters, 1, 64);
  if (c.policyFilters !== undefined) int('policyFilters', c.policyFilters, 1, 64);
  if (c.policyHead !== undefined && !POLICY_HEADS.includes(c.policyHead)) fail('policyHead', "'dense' or 'conv'", c.policyHead);
  if (!['auto', 'onnx', 'wasm', 'cpu', 'tensorflow', 'webgpu'].includes(c.backend)) {
    fail('backend', 'one of auto, onnx, wasm, cpu, tensorflow, webgpu', c.backend);
  }
  int('threads', c.threads, 1, 256);
  int('seed', c.seed, 0, 2 ** 31 - 1);
  int('generations', c.generations, 0);
  const s = c.selfplay;
  if (typeof s !== 'object' || s === null) fail('selfplay', 'an object', s);
  int('selfplay.gamesPerGeneration', s.gamesPerGeneration, 1);
  int('selfplay.visits', s.visits, 1);
  int('selfplay.temperatureMoves', s.temperatureMoves, 0);
  num('selfplay.dirichletWeight', s.dirichletWeight, 0, 1);
  num('selfplay.dirichletTotalAlpha', s.dirichletTotalAlpha, 0, 1000, true);
  num('selfplay.resignThreshold', s.resignThreshold, 0, 0.5);
  num('selfplay.noResignFraction', s.noResignFraction, 0, 1);
  bool('selfplay.playoutCap', s.playoutCap);
  int('selfplay.fastVisits', s.fastVisits, 1);
  num('selfplay.fullSearchProbability', s.fullSearchProbability, 0, 1, true);
  if (s.playoutCap && s.fastVisits >= s.visits) fail('selfplay.fastVisits', `below selfplay.visits (${s.visits})`, s.fastVisits);
  num('selfplay.maxMovesPerArea', s.maxMovesPerArea, 1, 10);
  int('selfplay.gamesPerShard', s.gamesPerShard, 1, 10000);
  int('selfplay.parallelGames', s.parallelGames, 1, 1024);
  const t = c.train;
  if (typeof t !== 'object' || t === null) fail('train', 'an object', t);
  if (!['auto', 'onnx', 'tfjs'].includes(t.trainer)) fail('train.trainer', 'auto, onnx or tfjs', t.trainer);
  int('train.windowGames', t.windowGames, 1);
  int('train.windowPositions', t.windowPositions, 1);
  int('train.stepsPerGeneration', t.stepsPerGeneration, 1);
  int('train.batchSize', t.batchSize, 1, 65536);
  if (!Array.isArray(t.learningRate) || t.learningRate.length === 0) fail('train.learningRate', 'a non-empty list of {untilStep, lr}', t.learningRate);
  t.learningRate.forEach((e, i) => {
    int(`train.learningRate[${i}].untilStep`, e?.untilStep, 1);
    num(`train.learningRate[${i}].lr`, e?.lr, 0, 10, true);
    if (i > 0 && e.untilStep <= t.learningRate[i - 1]!.untilStep) fail(`train.learningRate[${i}].untilStep`, 'increasing', e.untilStep);
  });
  num('train.momentum', t.momentum, 0, 0.999);
  num('train.l2', t.l2, 0, 1);
  int('train.checkpointEvery', t.checkpointEvery, 1);
  int('train.bnCalibrationBatches', t.bnCalibrationBatches, 0, 10000);
  bool('train.fromBest', t.fromBest);
  if (t.valueTargetWeight !== undefined) num('train.valueTargetWeight', t.valueTargetWeight, 0, 1);
  const g = c.gate;
  if (typeof g !== 'object' || g === null) fail('gate', 'an object', g);
  if (g.rule !== 'sprt' && g.rule !== 'threshold' && g.rule !== 'fixed') fail('gate.rule', "'sprt', 'threshold' or 'fixed'", g.rule);
  int('gate.games', g.games, 1, 100000);
  num('gate.threshold', g.threshold, 0.5, 1);
  int('gate.visits', g.visits, 1);
  int('gate.randomMoves', g.randomMoves, 0, 1000);
  num('gate.resignThreshold', g.resignThreshold, 0, 0.5);
  bool('gate.alwaysPromote', g.alwaysPromote);
  try {
    validateSprt(g.sprt);
  } catch (e) {
    throw new ConfigError(`run config: gate.${(e as Error).message}`);
  }
  return c;
}

/** The learning rate for a network that has taken `step` optimizer steps so far. */
export function learningRateAt(schedule: TrainConfig['learningRate'], step: number): number {
  for (const e of schedule) if (step < e.untilStep) return e.lr;
  return schedule[schedule.length - 1]!.lr;
}

/** Parses config.json text, naming the file in errors. */
export function parseRunConfig(text: string, source: string): RunConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(`${source}: not a JSON object`);
  // The defaults leave optional fields out; a config that sets them must still read back.
  const known = new Set([...Object.keys(defaultRunConfig(9)), ...OPTIONAL_RUN_FIELDS]);
  for (const k of Object.keys(raw)) if (!known.has(k)) throw new ConfigError(`${source}: unknown field '${k}'`);
  const r = raw as RunConfig;
  const d = defaultRunConfig(typeof r.boardSize === 'number' && r.boardSize >= 2 && r.boardSize <= 19 ? r.boardSize : 9);
  for (const section of ['selfplay', 'train', 'gate'] as const) {
    const sec = r[section] as unknown;
    if (sec === undefined) continue;
    if (typeof sec !== 'object' || sec === null) throw new ConfigError(`${source}: ${section} must be an object`);
    for (const k of Object.keys(sec)) if (!(k in d[section])) throw new ConfigError(`${source}: unknown field '${section}.${k}'`);
  }
  try {
    return validateRunConfig({
      ...d,
      ...r,
      selfplay: { ...d.selfplay, ...r.selfplay },
      train: { ...d.train, ...r.train },
      gate: { ...d.gate, ...r.gate, sprt: { ...d.gate.sprt, ...r.gate?.sprt } },
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${source}: ${e.message}`);
    throw e;
  }
}
