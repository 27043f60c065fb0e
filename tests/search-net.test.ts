// The search on a real (tiny, random-weight) network through onnxruntime: the feature planes, policy
// layout and value range of a real Evaluator, not a fake.
import { describe, expect, it } from 'vitest';
import { Game, PASS } from '../engine/index.js';
import { defaultNetConfig } from '../src/nn/config.js';
import { createEvaluator } from '../src/nn/create-evaluator.js';
import { createNet } from '../src/nn/model.js';
import { MctsSearch } from '../src/search/mcts.js';

describe('MctsSearch on a real onnx evaluator', () => {
  it('searches a 7x7 position to the visit limit and plays a legal move', async () => {
    const net = createNet(defaultNetConfig(7, { blocks: 1, filters: 8, valueHidden: 16 }), { seed: 3 });
    const evaluator = await createEvaluator({ model: net, backend: 'onnx', threads: 1 });
    try {
      const game = new Game(7, { komi: 7.5 });
      const search = new MctsSearch(evaluator, { seed: 1, batchSize: 4, resignThreshold: 0 });
      for (let i = 0; i < 6; i++) {
        const r = await search.run(game, { visits: 64 });
        expect(r.analysis.visits).toBe(64);
        expect(r.analysis.policy!.length).toBe(50);
        expect(r.analysis.policy!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
        const move = r.move as number;
        expect(move === PASS || game.board.isLegal(move)).toBe(true);
        game.play(move);
      }
    } finally {
      await evaluator.dispose();
      net.model.dispose();
    }
  }, 30_000);
});
