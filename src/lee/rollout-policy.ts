/**
 * The linear softmax rollout policy's weights: π(a|s) ∝ exp(Σ w·φ(s, a)) over the rollout's candidate
 * moves, φ being the binary features of rollout-features.ts (scalar flags, one 3x3 pattern, one response
 * pattern). Patterns are stored by canonical code (see patterns.ts) and expanded into lookup tables of
 * every symmetric variant when loaded, so scoring a move is two hash probes and a few adds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  PatternIndex,
  RESPONSE_SLOT_COUNT,
  RESPONSE_SLOT_SHIFT,
  canonicalPattern3,
  canonicalResponse,
  pattern3Variants,
  responseVariants,
} from './patterns.js';
import { SCALAR_COUNT, SCALAR_FEATURES } from './rollout-features.js';
import { writeFileAtomic } from '../../selfplay/atomic.js';

export const ROLLOUT_POLICY_FORMAT = 'tengen-rollout-policy';
export const ROLLOUT_POLICY_VERSION = 1;

export interface RolloutPolicyFile {
  format: typeof ROLLOUT_POLICY_FORMAT;
  version: number;
  scalars: Record<string, number>;
  /** [canonical 3x3 code, weight] pairs. */
  pattern3: Array<[number, number]>;
  /** [canonical response code, weight] pairs. */
  response: Array<[number, number]>;
  /** How the weights were obtained (records, accuracy, ...). Informational. */
  training?: Record<string, unknown>;
}

export class RolloutPolicy {
  readonly scalarWeights = new Float64Array(SCALAR_COUNT);
  readonly pattern3Index = new PatternIndex(4096);
  readonly responseIndex = new PatternIndex(4096);
  /**
   * The response ids again, grouped by what the candidates around one previous move share (the code without
   * its slot field, see responseBase): `responseRows[row * RESPONSE_SLOT_COUNT + slot]` is the id of that base
   * with that slot (-1: unknown), row = `responseRowIndex.get(base)` (-1: no known pattern has this base). The
   * rollout then needs one lookup per move instead of one per slot.
   */
  readonly responseRowIndex = new PatternIndex(1024);
  responseRows: Int32Array = new Int32Array(0);
  private responseRowsUsed = 0;

  /** Rows of responseRows in use. */
  get responseRowCount(): number {
    return this.responseRowsUsed;
  }
  /** Weight per pattern id; canonical code per id (for saving). */
  pattern3Weights: Float64Array = new Float64Array(0);
  responseWeights: Float64Array = new Float64Array(0);
  pattern3Codes: number[] = [];
  responseCodes: number[] = [];
  training: Record<string, unknown> = {};

  get pattern3Count(): number {
    return this.pattern3Codes.length;
  }

  get responseCount(): number {
    return this.responseCodes.length;
  }

  /** Adds a pattern (any orientation) with a weight; returns its id. Existing patterns keep their id. */
  addPattern3(code: number, weight = 0): number {
    const known = this.pattern3Index.get(code);
    if (known >= 0) return known;
    const id = this.pattern3Codes.length;
    this.pattern3Codes.push(canonicalPattern3(code));
    for (const v of pattern3Variants(code)) this.pattern3Index.set(v, id);
    this.pattern3Weights = grow(this.pattern3Weights, id + 1);
    this.pattern3Weights[id] = weight;
    return id;
  }

  addResponse(code: number, weight = 0): number {
    const known = this.responseIndex.get(code);
    if (known >= 0) return known;
    const id = this.responseCodes.length;
    this.responseCodes.push(canonicalResponse(code));
    for (const v of responseVariants(code)) {
      this.responseIndex.set(v, id);
      const base = (v & ~(0xf << RESPONSE_SLOT_SHIFT)) >>> 0;
      let row = this.responseRowIndex.get(base);
      if (row < 0) {
        row = this.responseRowsUsed++;
        this.responseRowIndex.set(base, row);
        if (this.responseRows.length < this.responseRowsUsed * RESPONSE_SLOT_COUNT) {
          const rows = new Int32Array(Math.max(64, 2 * this.responseRowsUsed) * RESPONSE_SLOT_COUNT).fill(-1);
          rows.set(this.responseRows);
          this.responseRows = rows;
        }
      }
      this.responseRows[row * RESPONSE_SLOT_COUNT + ((v >>> RESPONSE_SLOT_SHIFT) & 0xf)] = id;
    }
    this.responseWeights = grow(this.responseWeights, id + 1);
    this.responseWeights[id] = weight;
    return id;
  }

  /** Sum of the weights of the features in a (mask, 3x3 code, response code or -1) triple. */
  score(mask: number, pattern3: number, response: number): number {
    let s = 0;
    for (let m = mask, i = 0; m !== 0; m >>>= 1, i++) if (m & 1) s += this.scalarWeights[i]!;
    if (pattern3 >= 0) {
      const id = this.pattern3Index.get(pattern3);
      if (id >= 0) s += this.pattern3Weights[id]!;
    }
    if (response >= 0) {
      const id = this.responseIndex.get(response);
      if (id >= 0) s += this.responseWeights[id]!;
    }
    return s;
  }

  toJSON(): RolloutPolicyFile {
    const scalars: Record<string, number> = {};
    SCALAR_FEATURES.forEach((name, i) => (scalars[name] = round(this.scalarWeights[i]!)));
    return {
      format: ROLLOUT_POLICY_FORMAT,
      version: ROLLOUT_POLICY_VERSION,
      scalars,
      pattern3: this.pattern3Codes.map((c, i) => [c, round(this.pattern3Weights[i]!)]),
      response: this.responseCodes.map((c, i) => [c, round(this.responseWeights[i]!)]),
      training: this.training,
    };
  }

  static fromJSON(data: unknown): RolloutPolicy {
    const file = data as Partial<RolloutPolicyFile>;
    if (file === null || typeof file !== 'object' || file.format !== ROLLOUT_POLICY_FORMAT) {
      throw new Error(`not a rollout policy file (format should be '${ROLLOUT_POLICY_FORMAT}')`);
    }
    if (file.version !== ROLLOUT_POLICY_VERSION) throw new Error(`unsupported rollout policy version ${String(file.version)}`);
    const policy = new RolloutPolicy();
    SCALAR_FEATURES.forEach((name, i) => {
      const w = file.scalars?.[name];
      if (w !== undefined && !Number.isFinite(w)) throw new Error(`rollout policy: bad weight for ${name}`);
      policy.scalarWeights[i] = w ?? 0;
    });
    for (const [code, w] of file.pattern3 ?? []) policy.addPattern3(checkCode(code), checkWeight(w));
    for (const [code, w] of file.response ?? []) policy.addResponse(checkCode(code), checkWeight(w));
    policy.training = file.training ?? {};
    return policy;
  }

  static load(path: string): RolloutPolicy {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read rollout policy ${path}: ${(e as Error).message}`);
    }
    return RolloutPolicy.fromJSON(JSON.parse(text));
  }

  /** Writes the weights; write-then-rename, so a run killed mid-write leaves the old file whole. */
  save(path: string): void {
    writeFileAtomic(path, JSON.stringify(this.toJSON()) + '\n');
  }
}

/** The trained weights shipped with tengen (models/rollout-policy.json), relative to the package root. */
export const SHIPPED_ROLLOUT_POLICY = 'models/rollout-policy.json';

/**
 * The shipped trained policy when present, else the hand-set default. The package root is found by
 * walking up from this module to package.json, so it works from src/ (tests) and dist/ alike.
 */
export function shippedRolloutPolicy(): RolloutPolicy {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) {
      const path = join(dir, SHIPPED_ROLLOUT_POLICY);
      return existsSync(path) ? RolloutPolicy.load(path) : defaultRolloutPolicy();
    }
    dir = dirname(dir);
  }
  return defaultRolloutPolicy();
}

/** Hand-set weights for when no trained file is available: the classic tactical priorities. */
export function defaultRolloutPolicy(): RolloutPolicy {
  const policy = new RolloutPolicy();
  const w: Partial<Record<(typeof SCALAR_FEATURES)[number], number>> = {
    capture: 3,
    captureMany: 1,
    saveAtari: 2.5,
    selfAtariSingle: -1,
    selfAtariChain: -3,
    atari: 0.7,
    adjacent: 1.2,
    diagonal: 0.8,
    jump: 0.4,
    distance3: 0.2,
    nakade: 2,
  };
  SCALAR_FEATURES.forEach((name, i) => (policy.scalarWeights[i] = w[name] ?? 0));
  return policy;
}

function grow(a: Float64Array, n: number): Float64Array {
  if (a.length >= n) return a;
  const b = new Float64Array(Math.max(n, a.length * 2, 64));
  b.set(a);
  return b;
}

function round(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

function checkCode(code: unknown): number {
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 0x7fffffff) {
    throw new Error(`rollout policy: bad pattern code ${String(code)}`);
  }
  return code;
}

function checkWeight(w: unknown): number {
  if (typeof w !== 'number' || !Number.isFinite(w)) throw new Error(`rollout policy: bad weight ${String(w)}`);
  return w;
}
