import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Game } from '../engine/index.js';
import { Rng } from '../engine/rng.js';
import { defaultNetConfig } from '../src/nn/config.js';
import { saveNet } from '../src/nn/model-io.js';
import { createNet } from '../src/nn/model.js';
import { readShard, ShardWriter, SHARD_EXTENSION } from '../selfplay/shards.js';
import { TrainingWindow } from '../selfplay/train-data.js';
import { measureValueSpread } from '../selfplay/value-check.js';

/** A shard of a few random 5x5 games, one record per position. */
function randomWindow(dir: string): TrainingWindow {
  const size = 5;
  const writer = new ShardWriter(size, 'zero', 8);
  const rng = new Rng(3);
  for (let g = 0; g < 4; g++) {
    const game = new Game(size);
    for (let m = 0; m < 20; m++) {
      const policy = new Array<number>(size * size + 1).fill(1);
      writer.add(game.stonesHistory(8), game.toPlay, policy, g % 2 === 0 ? 1 : -1);
      game.play(game.board.randomMove(rng));
    }
    writer.endGame();
  }
  const path = join(dir, `s${SHARD_EXTENSION}`);
  writer.writeTo(path);
  return new TrainingWindow([readShard(path)]);
}

describe('value head check', () => {
  it('tells a value head that varies from a dead one (BatchNorm drove its ReLU to zero)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-value-check-'));
    const data = randomWindow(dir);
    const config = defaultNetConfig(5, { blocks: 1, filters: 8, valueHidden: 16 });

    const alive = createNet(config, { seed: 2 });
    // Random BN statistics are identity; scale the value dense layer so outputs clearly differ.
    const d1 = alive.model.getLayer('value_dense1');
    d1.setWeights(d1.getWeights().map((w, i) => (i === 0 ? tf.mul(w, 4) : w)));
    await saveNet(alive, join(dir, 'alive'));
    const liveSpread = await measureValueSpread(join(dir, 'alive'), data, 64);
    expect(liveSpread.positions).toBe(64);
    expect(liveSpread.constant).toBe(false);
    expect(liveSpread.max).toBeGreaterThan(liveSpread.min);

    const dead = createNet(config, { seed: 2 });
    const bn = dead.model.getLayer('value_bn');
    const [gamma, beta, mean, variance] = bn.getWeights() as tf.Tensor[];
    bn.setWeights([tf.zerosLike(gamma!), tf.fill(beta!.shape, -1), mean!, variance!]);
    await saveNet(dead, join(dir, 'dead'));
    const deadSpread = await measureValueSpread(join(dir, 'dead'), data, 64);
    expect(deadSpread.constant).toBe(true);
    expect(deadSpread.std).toBeLessThan(1e-4);
  });
});
