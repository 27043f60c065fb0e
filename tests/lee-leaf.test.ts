import { describe, expect, it } from 'vitest';
import { BLACK, Game, WHITE } from '../engine/index.js';
import { RolloutLeafEvaluator, mixedLeafValue } from '../src/lee/leaf.js';
import { defaultRolloutPolicy } from '../src/lee/rollout-policy.js';
import { MctsSearch, SimpleEvaluator, type SearchResult } from '../src/search/index.js';
import { boardFromDiagram } from './helpers.js';

describe('λ-mixed leaf value', () => {
  it('mixes (1 − λ)·v + λ·z', () => {
    expect(mixedLeafValue(0.4, -1, 0)).toBe(0.4);
    expect(mixedLeafValue(0.4, -1, 1)).toBe(-1);
    expect(mixedLeafValue(0.4, -1, 0.5)).toBeCloseTo(-0.3, 12);
    expect(() => mixedLeafValue(0, 0, 1.5)).toThrow(/λ/);
    expect(() => new RolloutLeafEvaluator({ policy: defaultRolloutPolicy(), size: 9, komi: 7, lambda: -0.1 })).toThrow(/λ/);
  });

  it('scores rollouts for the player to move and leaves the board alone', () => {
    // Black owns the board but for a few white stones with no room to live.
    const board = boardFromDiagram(`
      XXXXXXX
      X.X.XXX
      XXXXXXX
      XXOO.XX
      XXXXXXX
      X.X.X.X
      XXXXXXX`);
    const before = board.toString();
    const leaf = new RolloutLeafEvaluator({ policy: defaultRolloutPolicy(), size: 7, komi: 7, rolloutsPerLeaf: 8, seed: 1 });
    board.toPlay = BLACK;
    expect(leaf.evaluate(board)).toBe(1);
    board.toPlay = WHITE;
    expect(leaf.evaluate(board)).toBe(-1);
    expect(board.toString()).toBe(before);
    expect(leaf.rollouts).toBe(16);
  });

  it('λ = 0 searches as the value net alone, λ = 1 as the rollouts alone', async () => {
    const size = 7;
    const policy = defaultRolloutPolicy();
    const params = { seed: 5, batchSize: 4, rootNoise: false, earlyStop: false };
    const search = async (value: 'zero' | 'area', lambda: number | null): Promise<SearchResult> => {
      const plugins =
        lambda === null ? {} : { leafValue: new RolloutLeafEvaluator({ policy, size, komi: 7, lambda, seed: 9 }) };
      const mcts = new MctsSearch(new SimpleEvaluator(size, { value, komi: 7 }), params, plugins);
      const game = new Game(size, { komi: 7 });
      for (const m of [24, 16, 17]) game.play(m);
      return mcts.run(game, { visits: 120 });
    };
    const visits = (r: SearchResult): string => r.analysis.candidates.map((c) => `${c.move}:${c.visits}`).join(' ');

    const netOnly = await search('area', null);
    expect(visits(await search('area', 0))).toBe(visits(netOnly));
    const rolloutsA = await search('area', 1);
    const rolloutsB = await search('zero', 1);
    // With λ = 1 the net's value is ignored: two different value functions give the same tree.
    expect(visits(rolloutsA)).toBe(visits(rolloutsB));
    expect(rolloutsA.analysis.winrate).toBe(rolloutsB.analysis.winrate);
    // ... and the rollouts do change the search compared with the net alone.
    expect(visits(rolloutsA)).not.toBe(visits(netOnly));
  });
});

