/**
 * Loads an AlphaGo-Lee model set for play (the layout is lee-manifest.ts's):
 *   DIR/lee.json              { boardSize, komi, created, sl, rl, value } (required: it marks the directory as a set)
 *   DIR/sl/                   SL policy network, feature set 'lee' (required: the search's priors)
 *   DIR/rl/                   RL policy network (optional; `--policy rl` uses it for the priors instead)
 *   DIR/value/                value network (optional: without it the leaves are scored by rollouts alone, λ = 1)
 *   DIR/rollout-policy.json   rollout policy (optional; default models/rollout-policy.json of the package)
 *
 * Everything is checked before any network is built, so a wrong set is one error that names the file.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BackendChoice } from '../nn/evaluator.js';
import { LEE_PLANES } from '../nn/features.js';
import { readNetMetadata, type NetMetadata } from '../nn/model-io.js';
import { LEE_MANIFEST_FILE, type LeeManifest } from './lee-manifest.js';
import { RolloutPolicy, SHIPPED_ROLLOUT_POLICY } from './rollout-policy.js';

export const ROLLOUT_POLICY_FILE = 'rollout-policy.json';

/** Which trained policy gives the search's priors: AlphaGo Lee used the SL one (it searched better). */
export type PriorPolicy = 'sl' | 'rl';

export class LeeModelSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeeModelSetError';
  }
}

/** The checked paths and metadata of a model set (nothing loaded yet). */
export interface LeeModelSetFiles {
  dir: string;
  manifest: LeeManifest;
  boardSize: number;
  /** The policy network giving priors (sl/ or rl/). */
  policyDir: string;
  policyName: PriorPolicy;
  policyMetadata: NetMetadata;
  /** null when the set has no value network. */
  valueDir: string | null;
  valueMetadata: NetMetadata | null;
  rolloutPolicyPath: string;
}

/** The package's models/rollout-policy.json (dist/src/lee → ../../../, src/lee → ../../). */
export function packageRolloutPolicyPath(): string {
  for (const up of ['../../', '../../../']) {
    const path = resolve(new URL(up, import.meta.url).pathname, SHIPPED_ROLLOUT_POLICY);
    if (existsSync(path)) return path;
  }
  return resolve(SHIPPED_ROLLOUT_POLICY);
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function netMetadata(dir: string, what: string, boardSize: number): Promise<NetMetadata> {
  let m: NetMetadata;
  try {
    m = await readNetMetadata(dir);
  } catch (e) {
    throw new LeeModelSetError(`Lee model set: ${what} network: ${(e as Error).message}`);
  }
  if (m.featureSet !== 'lee' || m.inputPlanes !== LEE_PLANES) {
    throw new LeeModelSetError(`Lee model set: ${join(dir, 'metadata.json')}: the ${what} network uses feature set '${m.featureSet}' (${m.inputPlanes} planes), not 'lee' (${LEE_PLANES})`);
  }
  if (m.boardSize !== boardSize) {
    throw new LeeModelSetError(`Lee model set: ${join(dir, 'metadata.json')}: the ${what} network plays ${m.boardSize}x${m.boardSize}, but ${LEE_MANIFEST_FILE} says ${boardSize}x${boardSize}`);
  }
  return m;
}

/** Reads and checks a model set's manifest and network metadata. */
export async function readLeeModelSet(dir: string, options: { policy?: PriorPolicy; rolloutPolicy?: string } = {}): Promise<LeeModelSetFiles> {
  if (!isDir(dir)) throw new LeeModelSetError(`Lee model set: ${dir} is not a directory`);
  const manifestPath = join(dir, LEE_MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    throw new LeeModelSetError(`Lee model set: ${manifestPath} is missing (a model set holds lee.json, sl/, value/ — made by tengen train-sl / train-rl / train-value)`);
  }
  let manifest: LeeManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as LeeManifest;
  } catch (e) {
    throw new LeeModelSetError(`Lee model set: ${manifestPath} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof manifest !== 'object' || manifest === null || !Number.isInteger(manifest.boardSize) || manifest.boardSize < 2 || manifest.boardSize > 25) {
    throw new LeeModelSetError(`Lee model set: ${manifestPath} has no valid boardSize`);
  }
  if (typeof manifest.komi !== 'number' || !Number.isFinite(manifest.komi)) throw new LeeModelSetError(`Lee model set: ${manifestPath} has no valid komi`);
  const boardSize = manifest.boardSize;
  const policyName = options.policy ?? 'sl';
  if (policyName !== 'sl' && policyName !== 'rl') throw new LeeModelSetError(`Lee model set: policy must be 'sl' or 'rl', got '${String(policyName)}'`);
  const policyDir = join(dir, policyName);
  if (!isDir(policyDir)) throw new LeeModelSetError(`Lee model set: ${policyDir} is missing (the ${policyName.toUpperCase()} policy network gives the search's priors)`);
  const policyMetadata = await netMetadata(policyDir, `${policyName.toUpperCase()} policy`, boardSize);
  // rl/ is not needed for play with SL priors, but a set that has one should have a valid one.
  if (policyName === 'sl' && isDir(join(dir, 'rl'))) await netMetadata(join(dir, 'rl'), 'RL policy', boardSize);
  const valuePath = join(dir, 'value');
  const valueDir = isDir(valuePath) ? valuePath : null;
  const valueMetadata = valueDir === null ? null : await netMetadata(valueDir, 'value', boardSize);
  const rolloutPolicyPath = options.rolloutPolicy ?? (existsSync(join(dir, ROLLOUT_POLICY_FILE)) ? join(dir, ROLLOUT_POLICY_FILE) : packageRolloutPolicyPath());
  if (!existsSync(rolloutPolicyPath)) throw new LeeModelSetError(`Lee model set: rollout policy ${rolloutPolicyPath} is missing`);
  return { dir, manifest, boardSize, policyDir, policyName, policyMetadata, valueDir, valueMetadata, rolloutPolicyPath };
}

/** The rollout policy of a set, with a clear error naming the file when it is unreadable. */
export function loadRolloutPolicy(path: string): RolloutPolicy {
  try {
    return RolloutPolicy.load(path);
  } catch (e) {
    const message = (e as Error).message;
    throw new LeeModelSetError(message.includes(path) ? `Lee model set: ${message}` : `Lee model set: rollout policy ${path}: ${message}`);
  }
}

/** What backend options the set's networks are opened with. */
export interface LeeNetOptions {
  backend?: BackendChoice;
  threads?: number;
}
