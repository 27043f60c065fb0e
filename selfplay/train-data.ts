/**
 * Training batches from a window of shards: uniform sampling over every record in the window, each
 * position under a random one of the 8 board symmetries (the rules of Go are invariant under them, so this
 * is 8× the data for free, as in AlphaGo Zero). Features are encoded by src/nn so training and play see
 * identical planes.
 */
import { Rng } from '../engine/rng.js';
import { encodeZeroFeatures, featurePlaneCount } from '../src/nn/features.js';
import { SYMMETRY_COUNT, transformPlanes, transformPolicy } from '../src/nn/symmetry.js';
import { recordHistory, recordOutcome, recordPolicy, recordToPlay, recordValueTarget, type ShardData } from './shards.js';

export interface TrainingBatch {
  count: number;
  /** count × planes × area, NCHW (evaluator.ts layout). */
  planes: Float32Array;
  /** count × (area+1) probabilities. */
  policy: Float32Array;
  /** count value targets for the side to move: the outcome z, mixed with q when valueTargetWeight > 0. */
  value: Float32Array;
}

/** The records of several shards addressed as one list. */
export class TrainingWindow {
  readonly boardSize: number;
  readonly area: number;
  readonly planeCount: number;
  readonly positions: number;
  readonly games: number;
  private readonly starts: Int32Array;
  private readonly history: Uint8Array;
  private readonly historyViews: Uint8Array[];
  private readonly scratchPlanes: Float32Array;
  private readonly scratchPolicy: Float32Array;

  /**
   * @param valueTargetWeight w: the value target is (1 − w)·z + w·q, q the record's value target (the
   *   search's root value in self-play, a rollout estimate in bootstrap data; q = z in shards without one).
   *   0 is AlphaGo Zero's target, the game outcome alone.
   */
  constructor(
    readonly shards: readonly ShardData[],
    readonly valueTargetWeight = 0,
  ) {
    if (!(valueTargetWeight >= 0 && valueTargetWeight <= 1)) throw new RangeError(`training window: valueTargetWeight must be in [0, 1], got ${valueTargetWeight}`);
    if (shards.length === 0) throw new Error('training window: no shards');
    const first = shards[0]!.header;
    for (const s of shards) {
      if (s.header.boardSize !== first.boardSize || s.header.featureSet !== first.featureSet || s.header.historyLength !== first.historyLength) {
        throw new Error(`training window: ${s.path} has a different board size, feature set or history length than ${shards[0]!.path}`);
      }
    }
    if (first.featureSet !== 'zero') throw new Error(`training window: feature set '${first.featureSet}' is not supported by the trainer`);
    this.boardSize = first.boardSize;
    this.area = first.boardSize ** 2;
    this.planeCount = featurePlaneCount(first.featureSet);
    this.starts = new Int32Array(shards.length + 1);
    let games = 0;
    shards.forEach((s, i) => {
      this.starts[i + 1] = this.starts[i]! + s.header.recordCount;
      games += s.header.gameCount;
    });
    this.positions = this.starts[shards.length]!;
    this.games = games;
    if (this.positions === 0) throw new Error('training window: the shards hold no records');
    this.history = new Uint8Array(first.historyLength * this.area);
    this.historyViews = Array.from({ length: first.historyLength }, (_, t) => this.history.subarray(t * this.area, (t + 1) * this.area));
    this.scratchPlanes = new Float32Array(this.planeCount * this.area);
    this.scratchPolicy = new Float32Array(this.area + 1);
  }

  createBatch(count: number): TrainingBatch {
    return {
      count,
      planes: new Float32Array(count * this.planeCount * this.area),
      policy: new Float32Array(count * (this.area + 1)),
      value: new Float32Array(count),
    };
  }

  /** Writes record `index` (0..positions-1) under symmetry `symmetry` into slot `slot` of the batch. */
  writeExample(batch: TrainingBatch, slot: number, index: number, symmetry: number): void {
    let lo = 0;
    let hi = this.shards.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    const shard = this.shards[lo]!;
    const i = index - this.starts[lo]!;
    recordHistory(shard, i, this.history);
    const planeFloats = this.planeCount * this.area;
    const toPlay = recordToPlay(shard, i);
    if (symmetry === 0) {
      encodeZeroFeatures(batch.planes, slot * planeFloats, this.boardSize, this.historyViews, toPlay);
      recordPolicy(shard, i, batch.policy, slot * (this.area + 1));
    } else {
      encodeZeroFeatures(this.scratchPlanes, 0, this.boardSize, this.historyViews, toPlay);
      transformPlanes(this.scratchPlanes, 0, batch.planes, slot * planeFloats, this.planeCount, this.boardSize, symmetry);
      recordPolicy(shard, i, this.scratchPolicy, 0);
      transformPolicy(this.scratchPolicy, 0, batch.policy, slot * (this.area + 1), this.boardSize, symmetry);
    }
    const z = recordOutcome(shard, i);
    const w = this.valueTargetWeight;
    batch.value[slot] = w === 0 ? z : (1 - w) * z + w * recordValueTarget(shard, i);
  }

  /** Fills a batch with uniformly sampled records, each under a random symmetry. */
  sample(batch: TrainingBatch, rng: Rng): void {
    for (let k = 0; k < batch.count; k++) this.writeExample(batch, k, rng.int(this.positions), rng.int(SYMMETRY_COUNT));
  }
}

/**
 * Picks the newest shards until the window holds `maxGames` games or `maxPositions` positions (whichever
 * comes first; at least one shard). `shards` must be ordered oldest to newest.
 */
export function selectWindow(shards: readonly ShardData[], maxGames: number, maxPositions: number): ShardData[] {
  const out: ShardData[] = [];
  let games = 0;
  let positions = 0;
  for (let i = shards.length - 1; i >= 0; i--) {
    const s = shards[i]!;
    if (out.length > 0 && (games + s.header.gameCount > maxGames || positions + s.header.recordCount > maxPositions)) break;
    out.push(s);
    games += s.header.gameCount;
    positions += s.header.recordCount;
  }
  return out.reverse();
}
