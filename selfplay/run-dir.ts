/**
 * A training run's directory and its resumable state.
 *
 *   RUN/config.json              the run's configuration (config.ts), written once
 *   RUN/state.json               where the loop is: generation g and its phase (the state machine below)
 *   RUN/networks/gen0000/        network directories (src/nn model-io format); every generation's candidate is kept
 *   RUN/networks/best.json       which network is the current best, and its Elo against gen0000
 *   RUN/train/gen000g/           the trainer's checkpoints while generation g trains
 *   RUN/games/gen000g/*.sgf      self-play games of generation g (played by the best network of the time)
 *   RUN/shards/gen000g/*.tgsh    their training records (shards.ts)
 *   RUN/gating/gen000g.json      the gating match of candidate g: every game and the decision
 *   RUN/gating/gen000g/*.sgf     its games
 *   RUN/shards/gen000g/selfplay.json  which networks played block g, from which shard on
 *   RUN/windows/gen000g.json     the shards candidate g trained on (and the networks that played them)
 *   RUN/metrics.jsonl            one JSON object per event (training losses, self-play and gating summaries)
 *   RUN/activity.json            what the running `tengen run` process is doing now (for `tengen status`)
 *   RUN/plots/*.svg              loss, gating win rate and Elo plots, redrawn after each phase
 *
 * State machine of `tengen run`, per generation g ≥ 1:
 *   selfplay (best plays games into games/ and shards/) → train (candidate gen g from the window)
 *   → gate (candidate vs best) → promote (best.json updated if it won) → generation g+1, selfplay.
 * Each phase's output is durable before state.json moves on, and each phase resumes from what is on disk
 * (complete shards, the last checkpoint, the games of the gating record), so a SIGKILL at any moment loses
 * at most the work in flight: a shard being filled, the steps since the last checkpoint, unfinished games.
 *
 * Self-play "block" g = the gamesPerGeneration games that candidate g is the first to train on. state.json
 * is the learner's state (train → gate → promote of generation g; 'selfplay' = waiting for block g). Blocks
 * are tracked by their shards alone, so in the overlapped pipeline (run.ts) block g+1 is played while
 * candidate g trains and is gated, without a second state file: a block is complete when all its shards are.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readJsonIfExists, readJsonLines, appendLine, writeJsonAtomic, writeFileAtomic } from './atomic.js';
import { ConfigError, parseRunConfig, type RunConfig } from './config.js';
import { SHARD_EXTENSION } from './shards.js';

export type RunPhase = 'selfplay' | 'train' | 'gate' | 'promote';
export const RUN_PHASES: readonly RunPhase[] = ['selfplay', 'train', 'gate', 'promote'];

export interface RunState {
  format: 'tengen-run-state';
  /** The generation being produced (its self-play games, its candidate network). */
  generation: number;
  phase: RunPhase;
  /** ISO time of the last transition. */
  updated: string;
}

export interface BestPointer {
  name: string;
  generation: number;
  /** Elo against gen0000, summed over the promotions' gating estimates, with a rough 95% interval. */
  elo: number;
  eloLow: number;
  eloHigh: number;
  promotedAt: string;
}

export function generationName(g: number): string {
  return `gen${String(g).padStart(4, '0')}`;
}

export class RunDir {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get configPath(): string {
    return join(this.root, 'config.json');
  }
  get statePath(): string {
    return join(this.root, 'state.json');
  }
  get bestPath(): string {
    return join(this.root, 'networks', 'best.json');
  }
  get metricsPath(): string {
    return join(this.root, 'metrics.jsonl');
  }
  get plotsDir(): string {
    return join(this.root, 'plots');
  }
  networkDir(g: number): string {
    return join(this.root, 'networks', generationName(g));
  }
  trainDir(g: number): string {
    return join(this.root, 'train', generationName(g));
  }
  gamesDir(g: number): string {
    return join(this.root, 'games', generationName(g));
  }
  shardsDir(g: number): string {
    return join(this.root, 'shards', generationName(g));
  }
  gatingPath(g: number): string {
    return join(this.root, 'gating', `${generationName(g)}.json`);
  }
  gatingGamesDir(g: number): string {
    return join(this.root, 'gating', generationName(g));
  }
  /** The self-play block record of block g (which network plays it). */
  selfplayBlockPath(g: number): string {
    return join(this.shardsDir(g), 'selfplay.json');
  }
  windowPath(g: number): string {
    return join(this.root, 'windows', `${generationName(g)}.json`);
  }
  get activityPath(): string {
    return join(this.root, 'activity.json');
  }
  shardPath(g: number, index: number): string {
    return join(this.shardsDir(g), `shard-${String(index).padStart(5, '0')}${SHARD_EXTENSION}`);
  }

  exists(): boolean {
    return existsSync(this.configPath);
  }

  /** Creates the directory tree and writes config.json; refuses to overwrite another run's config. */
  create(config: RunConfig): void {
    if (this.exists()) throw new ConfigError(`${this.root} already holds a run (config.json exists)`);
    for (const d of ['networks', 'train', 'games', 'shards', 'gating', 'windows', 'plots']) mkdirSync(join(this.root, d), { recursive: true });
    writeJsonAtomic(this.configPath, config);
  }

  readConfig(): RunConfig {
    if (!this.exists()) throw new ConfigError(`${this.root} is not a tengen run directory (no config.json)`);
    return parseRunConfig(readFileSync(this.configPath, 'utf8'), this.configPath);
  }

  readState(): RunState | null {
    const s = readJsonIfExists<RunState>(this.statePath);
    if (s === null) return null;
    if (s.format !== 'tengen-run-state' || !Number.isInteger(s.generation) || s.generation < 1 || !RUN_PHASES.includes(s.phase)) {
      throw new Error(`${this.statePath}: not a valid run state`);
    }
    return s;
  }

  writeState(generation: number, phase: RunPhase): RunState {
    const state: RunState = { format: 'tengen-run-state', generation, phase, updated: new Date().toISOString() };
    writeJsonAtomic(this.statePath, state);
    return state;
  }

  readBest(): BestPointer | null {
    return readJsonIfExists<BestPointer>(this.bestPath);
  }

  writeBest(best: BestPointer): void {
    writeJsonAtomic(this.bestPath, best);
  }

  /** Shard indices already written for generation g (complete files only; temp files are ignored). */
  shardIndices(g: number): number[] {
    const dir = this.shardsDir(g);
    if (!existsSync(dir)) return [];
    const out: number[] = [];
    for (const f of readdirSync(dir)) {
      const m = /^shard-(\d+)\.tgsh$/.exec(f);
      if (m) out.push(Number(m[1]));
    }
    return out.sort((a, b) => a - b);
  }

  /** Number of shards a complete block has. */
  static shardsPerBlock(config: RunConfig): number {
    return Math.ceil(config.selfplay.gamesPerGeneration / config.selfplay.gamesPerShard);
  }

  /** Whether every shard of self-play block g is on disk. */
  blockComplete(g: number, config: RunConfig): boolean {
    const have = new Set(this.shardIndices(g));
    for (let i = 0; i < RunDir.shardsPerBlock(config); i++) if (!have.has(i)) return false;
    return true;
  }

  readSelfplayBlock(g: number): SelfplayBlock | null {
    return readJsonIfExists<SelfplayBlock>(this.selfplayBlockPath(g));
  }

  writeSelfplayBlock(block: SelfplayBlock): void {
    writeJsonAtomic(this.selfplayBlockPath(block.generation), block);
  }

  readWindow(g: number): TrainingWindowRecord | null {
    return readJsonIfExists<TrainingWindowRecord>(this.windowPath(g));
  }

  writeWindow(record: TrainingWindowRecord): void {
    writeJsonAtomic(this.windowPath(record.candidate), record);
  }

  readActivity(): RunActivity | null {
    try {
      return readJsonIfExists<RunActivity>(this.activityPath);
    } catch {
      return null;
    }
  }

  writeActivity(activity: RunActivity): void {
    writeJsonAtomic(this.activityPath, activity);
  }

  /** Generations with a shards directory, newest first. */
  shardGenerations(): number[] {
    const dir = join(this.root, 'shards');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .map((f) => /^gen(\d+)$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => b - a);
  }

  /**
   * Deletes temp files left by writes a kill interrupted ('.tmp-' names from atomic.ts, '.tmp-' suffixes
   * from src/nn's saveNet). Their targets were never replaced, so nothing is lost. Returns how many.
   */
  removeTempFiles(): number {
    let removed = 0;
    const walk = (dir: string): void => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (entry.name.startsWith('.tmp-') || /\.tmp-\d+-[0-9a-f]+$/.test(entry.name)) {
          rmSync(p, { force: true });
          removed++;
        }
      }
    };
    walk(this.root);
    return removed;
  }

  appendMetric(event: Record<string, unknown>): void {
    appendLine(this.metricsPath, JSON.stringify({ time: new Date().toISOString(), ...event }));
  }

  readMetrics(): MetricEvent[] {
    return readJsonLines<MetricEvent>(this.metricsPath);
  }

  writeSgf(path: string, sgf: string): void {
    writeFileAtomic(path, sgf);
  }
}

/**
 * RUN/shards/genNNNN/selfplay.json: the networks that play self-play block `generation`. Self-play always
 * uses the current best, so a promotion while a block is being played starts a new segment at the block's
 * next shard: shard i was played by the last segment with fromShard ≤ i. A segment is recorded before any
 * of its games is played, so the record is right after a kill at any moment.
 */
export interface SelfplayBlock {
  format: 'tengen-selfplay-block';
  generation: number;
  startedAt: string;
  segments: SelfplaySegment[];
}

export interface SelfplaySegment {
  fromShard: number;
  network: string;
  networkGeneration: number;
}

/** The network that played shard `shard` of a block. */
export function shardNetwork(block: SelfplayBlock | null, shard: number): string | null {
  let name: string | null = null;
  for (const s of block?.segments ?? []) if (s.fromShard <= shard) name = s.network;
  return name;
}

/** RUN/windows/genNNNN.json: what candidate `candidate` trained on. Paths are relative to the run. */
export interface TrainingWindowRecord {
  format: 'tengen-training-window';
  candidate: number;
  parent: string;
  games: number;
  positions: number;
  /** Per self-play block in the window: its shards, each with the network that played it. */
  blocks: { generation: number; shards: { path: string; network: string | null }[] }[];
}

/** RUN/activity.json, rewritten by the running process (at most about once a second). */
export interface RunActivity {
  format: 'tengen-run-activity';
  pid: number;
  pipeline: 'overlapped' | 'sequential';
  startedAt: string;
  updated: string;
  /** Self-play: the block being played, or null when self-play waits (the reason in selfplayWaiting). */
  selfplay: { generation: number; network: string; games: number; total: number; gamesPerHour: number | null; workers: number; threadsPerWorker: number } | null;
  selfplayWaiting: string | null;
  /** The learner: the generation and phase (state.json) with the progress of the phase. */
  learner: { generation: number; phase: RunPhase; done: number; total: number; detail: string; threads: number } | null;
}

export interface MetricEvent {
  time: string;
  kind: 'train' | 'selfplay' | 'gate' | 'promote' | 'corrupt-shard' | 'pipeline';
  generation?: number;
  [key: string]: unknown;
}
