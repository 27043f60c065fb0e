import { describe, expect, it } from 'vitest';
import { BLACK, Game, WHITE, type Board } from '../engine/index.js';
import { RolloutLeafEvaluator, mixedLeafValue } from '../src/lee/leaf.js';
import { defaultRolloutPolicy } from '../src/lee/rollout-policy.js';
import { MctsSearch, SimpleEvaluator, type SearchResult } from '../src/search/index.js';
import { checkScoreUtility, defaultScoreScale, outcomeValue } from '../src/search/outcome.js';
import { boardFromDiagram } from './helpers.js';

/** 7x7: Black owns the board but for two white stones with no room to live (one liberty, beside them). */
function blackOwnsTheBoard(): Board {
  return boardFromDiagram(`
    XXXXXXX
    X.X.XXX
    XXXXXXX
    XXOO.XX
    XXXXXXX
    X.X.X.X
    XXXXXXX`);
}

describe('λ-mixed leaf value', () => {
  it('mixes (1 − λ)·v + λ·z', () => {
    expect(mixedLeafValue(0.4, -1, 0)).toBe(0.4);
    expect(mixedLeafValue(0.4, -1, 1)).toBe(-1);
    expect(mixedLeafValue(0.4, -1, 0.5)).toBeCloseTo(-0.3, 12);
    expect(() => mixedLeafValue(0, 0, 1.5)).toThrow(/λ/);
    expect(() => new RolloutLeafEvaluator({ policy: defaultRolloutPolicy(), size: 9, komi: 7, lambda: -0.1 })).toThrow(/λ/);
  });

  it('scores rollouts for the player to move and leaves the board alone', () => {
    const board = blackOwnsTheBoard();
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


describe('score utility (value of a finished game with a score term)', () => {
  it('is ±1 at weight 0; with weight w, (1 − w)·(±1) + w·tanh(margin / scale), for the player to move', () => {
    const none = { weight: 0, scale: 10 };
    expect(outcomeValue(0.5, BLACK, none)).toBe(1);
    expect(outcomeValue(0.5, WHITE, none)).toBe(-1);
    expect(outcomeValue(0, BLACK, none)).toBe(0);
    const u = { weight: 0.25, scale: 10 };
    expect(outcomeValue(5, BLACK, u)).toBeCloseTo(0.75 + 0.25 * Math.tanh(0.5), 12);
    expect(outcomeValue(5, WHITE, u)).toBeCloseTo(-0.75 - 0.25 * Math.tanh(0.5), 12);
    // A bigger win is worth more, a smaller loss costs less; every value stays in [-1, 1].
    expect(outcomeValue(20, BLACK, u)).toBeGreaterThan(outcomeValue(0.5, BLACK, u));
    expect(outcomeValue(-0.5, BLACK, u)).toBeGreaterThan(outcomeValue(-20, BLACK, u));
    expect(outcomeValue(0.5, BLACK, u)).toBeGreaterThan(0.75);
    expect(outcomeValue(-0.5, BLACK, u)).toBeLessThan(-0.75);
    for (const m of [-1000, -3, 3, 1000]) expect(Math.abs(outcomeValue(m, BLACK, { weight: 1, scale: 1 }))).toBeLessThanOrEqual(1);
    expect(defaultScoreScale(9)).toBe(10);
    expect(() => checkScoreUtility({ weight: 1.5, scale: 10 })).toThrow(/weight/);
    expect(() => checkScoreUtility({ weight: 0.5, scale: 0 })).toThrow(/scale/);
  });

  it('rollouts and two passes in the tree are valued with the score term', async () => {
    const board = blackOwnsTheBoard();
    const utility = { weight: 0.5, scale: 8 };
    const leaf = new RolloutLeafEvaluator({ policy: defaultRolloutPolicy(), size: 7, komi: 7, rolloutsPerLeaf: 4, seed: 1, scoreUtility: utility });
    board.toPlay = BLACK;
    // Every rollout ends with Black ahead by 37 (the white stones left on the board) to 42 (captured):
    // each is worth 0.5 + 0.5·tanh(margin / 8), not 1.
    const forBlack = leaf.evaluate(board);
    expect(forBlack).toBeGreaterThanOrEqual(0.5 + 0.5 * Math.tanh(37 / 8) - 1e-12);
    expect(forBlack).toBeLessThanOrEqual(0.5 + 0.5 * Math.tanh(42 / 8) + 1e-12);
    expect(forBlack).toBeLessThan(1);
    board.toPlay = WHITE;
    const forWhite = leaf.evaluate(board);
    expect(forWhite).toBeLessThanOrEqual(-0.5 - 0.5 * Math.tanh(37 / 8) + 1e-12);
    expect(forWhite).toBeGreaterThan(-1);

    // In the tree: White passed; Black's pass ends the game, scored as the board stands: Black 41 stones and
    // 5 eyes, White 2 stones, the point beside them neutral. The pass child's value is that outcome with the
    // score term.
    const game = new Game(7, { komi: 7 });
    const black: number[] = [];
    const white: number[] = [];
    board.stones.forEach((s, p) => (s === BLACK ? black : s === WHITE ? white : []).push(p));
    game.setSetup(black, white, WHITE);
    game.play(-1);
    const mcts = new MctsSearch(new SimpleEvaluator(7, { value: 'zero', komi: 7 }), { seed: 1, earlyStop: false, scoreUtility: 0.5, scoreUtilityScale: 8 });
    const result = await mcts.run(game, { visits: 60 });
    const pass = result.analysis.candidates.find((c) => c.move === -1)!;
    expect(pass.visits).toBeGreaterThan(0);
    // Margin for Black 46 − 2 − 7 = 37, so Black's winrate is (1 + 0.5 + 0.5·tanh(37/8)) / 2.
    expect(pass.winrate).toBeCloseTo((1 + 0.5 + 0.5 * Math.tanh(37 / 8)) / 2, 9);
  });
});
