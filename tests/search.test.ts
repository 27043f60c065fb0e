import { describe, expect, it } from 'vitest';
import { BLACK, Game, PASS, WHITE, toGtpVertex, type Move, type StoneColor } from '../engine/index.js';
import type { EvalOutput, Evaluator, NetInfo } from '../src/nn/evaluator.js';
import { ZERO_PLANE, ZERO_PLANES } from '../src/nn/features.js';
import { MctsSearch, isTrueEye } from '../src/search/mcts.js';
import { NodeState, type SearchNode } from '../src/search/node.js';
import type { CandidateAnalysis } from '../src/search/analysis.js';
import { resolveSearchParams } from '../src/search/params.js';
import { holdBackFirstPass } from '../src/search/pass-policy.js';
import { SimpleEvaluator } from '../src/search/simple-evaluator.js';
import { v } from './helpers.js';

/** A game whose setup is the diagram (X black, O white), `toPlay` to move. */
function gameFrom(diagram: string, toPlay: StoneColor, komi = 0.5): Game {
  const rows = diagram.trim().split('\n').map((r) => r.replace(/\s+/g, ''));
  const size = rows.length;
  const black: number[] = [];
  const white: number[] = [];
  rows.forEach((row, r) => [...row].forEach((ch, c) => (ch === 'X' ? black : ch === 'O' ? white : []).push(r * size + c)));
  const game = new Game(size, { komi });
  game.setSetup(black, white, toPlay);
  return game;
}

/**
 * Fake net: uniform priors except `biased` actions, which get `bias` of the mass each; values from the
 * area count (or zero). Optionally async with a delay, to interleave lanes, and counting calls.
 */
class FakeEvaluator implements Evaluator {
  readonly info: NetInfo;
  calls = 0;
  positions = 0;
  private readonly simple: SimpleEvaluator;
  constructor(
    size: number,
    private readonly opts: { value?: 'zero' | 'area'; komi?: number; biased?: number[]; bias?: number; delayMs?: () => number; failAfter?: number } = {},
  ) {
    this.info = { boardSize: size, featureSet: 'zero', inputPlanes: ZERO_PLANES };
    this.simple = new SimpleEvaluator(size, { value: opts.value ?? 'area', komi: opts.komi ?? 0.5, scale: 3 });
  }
  async evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    this.calls++;
    this.positions += count;
    if (this.opts.failAfter !== undefined && this.calls > this.opts.failAfter) throw new Error('fake net failure');
    const delay = this.opts.delayMs?.();
    if (delay !== undefined) await new Promise((r) => setTimeout(r, delay));
    const out = await this.simple.evaluate(planes, count);
    const n = this.info.boardSize ** 2 + 1;
    const biased = this.opts.biased ?? [];
    if (biased.length > 0) {
      const bias = this.opts.bias ?? 0.9;
      for (let i = 0; i < count; i++) {
        const rest = (1 - bias * biased.length) / (n - biased.length);
        for (let a = 0; a < n; a++) out.policy[i * n + a] = biased.includes(a) ? bias : rest;
      }
    }
    return out;
  }
  async dispose(): Promise<void> {}
}

function* nodes(root: SearchNode): Generator<SearchNode> {
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    yield n;
    for (const c of n.children) if (c !== undefined) stack.push(c);
  }
}

const vtx = (m: Move | 'resign', size: number): string => (m === 'resign' ? 'resign' : toGtpVertex(m, size));

describe('tactics with a fake evaluator on tiny boards', { timeout: 20_000 }, () => {
  it('finds the immediate capture of a big group', async () => {
    const game = gameFrom(
      `
      O O O X .
      O O O X .
      X X . X .
      . . X . .
      . . . . .`,
      BLACK,
    );
    const search = new MctsSearch(new FakeEvaluator(5), { seed: 1, resignThreshold: 0 });
    const result = await search.run(game, { visits: 300 });
    expect(vtx(result.move, 5)).toBe('C3');
    expect(result.analysis.winrate).toBeGreaterThan(0.8);
  });

  it('avoids self-atari of a big group even when the prior favours it', async () => {
    // Black's 7 stones have two liberties, B4 and A4 (a two-point eye); filling either is self-atari and
    // White captures. Komi is set so the position is about even, keeping values away from saturation.
    const game = gameFrom(
      `
      X X X O .
      . . X O .
      X X X O .
      O O O O .
      . . . . .`,
      BLACK,
      -6.5,
    );
    const selfAtari = [v('A4', 5), v('B4', 5)];
    const net = new FakeEvaluator(5, { komi: -6.5, biased: selfAtari, bias: 0.3 });
    const search = new MctsSearch(net, { seed: 2, resignThreshold: 0 });
    const result = await search.run(game, { visits: 400 });
    expect(selfAtari).not.toContain(result.move);
    const root = search.rootNode!;
    for (const m of selfAtari) {
      const s = root.slotOf(m);
      expect(root.prior[s]).toBeGreaterThan(0.25);
      // Searched, and found losing: well below the chosen move.
      expect(root.childVisits[s]).toBeGreaterThan(0);
      const chosen = root.slotOf(result.move as Move);
      expect(root.childValueSum[s]! / root.childVisits[s]!).toBeLessThan(root.childValueSum[chosen]! / root.childVisits[chosen]! - 0.3);
    }
  });

  it('finds the only move that saves a group in atari', async () => {
    const game = gameFrom(
      `
      . . . . .
      . O O . .
      O X X . .
      . O O . .
      . . . . .`,
      BLACK,
    );
    const search = new MctsSearch(new FakeEvaluator(5), { seed: 3, resignThreshold: 0 });
    const result = await search.run(game, { visits: 400 });
    expect(vtx(result.move, 5)).toBe('D3');
  });

  it('white finds the capture too (values are from the side to move)', async () => {
    const game = gameFrom(
      `
      X X X O .
      X X X O .
      O O . O .
      . . O . .
      . . . . .`,
      WHITE,
    );
    const search = new MctsSearch(new FakeEvaluator(5), { seed: 4, resignThreshold: 0 });
    const result = await search.run(game, { visits: 300 });
    expect(vtx(result.move, 5)).toBe('C3');
  });
});

describe('tree bookkeeping', { timeout: 20_000 }, () => {
  it('policyTemperature T: priors over the legal moves are p^(1/T) renormalised', async () => {
    const game = new Game(5, { komi: 0.5 });
    // One action (C3 = 12) gets 0.5 of the mass, the other 25 actions share the rest equally.
    const priorsAt = async (policyTemperature: number): Promise<Map<number, number>> => {
      const search = new MctsSearch(new FakeEvaluator(5, { biased: [12], bias: 0.5 }), { seed: 1, policyTemperature });
      await search.run(game, { visits: 2 });
      const root = search.rootNode!;
      return new Map(Array.from(root.actions, (a, s) => [a, root.prior[s]!] as const));
    };
    const plain = await priorsAt(1);
    expect(plain.get(12)).toBeCloseTo(0.5, 6);
    const flat = await priorsAt(2);
    // 0.5^(1/2) against 25 × (0.5/25)^(1/2), renormalised.
    const big = Math.sqrt(0.5);
    const small = Math.sqrt(0.5 / 25);
    expect(flat.get(12)).toBeCloseTo(big / (big + 25 * small), 6);
    expect(flat.get(0)).toBeCloseTo(small / (big + 25 * small), 6);
    expect(flat.get(12)!).toBeLessThan(plain.get(12)!);
  });

  it('visit counts sum: root visits = limit, every node = 1 + its edges, edges match children', async () => {
    const game = new Game(5, { komi: 0.5 });
    const search = new MctsSearch(new FakeEvaluator(5), { seed: 5, batchSize: 8 });
    const result = await search.run(game, { visits: 500 });
    const root = search.rootNode!;
    expect(root.visits).toBe(500);
    expect(result.stats.playouts).toBe(500);
    for (const n of nodes(root)) {
      if (n.state === NodeState.Terminal) continue;
      if (n.state !== NodeState.Expanded) {
        expect(n.visits).toBe(0);
        continue;
      }
      let sum = 0;
      for (let s = 0; s < n.actions.length; s++) {
        sum += n.childVisits[s]!;
        const child = n.children[s];
        if (child !== undefined) {
          expect(child.visits).toBe(n.childVisits[s]);
          expect(child.valueSum).toBeCloseTo(-n.childValueSum[s]!, 6);
        } else expect(n.childVisits[s]).toBe(0);
      }
      expect(n.visits).toBe(1 + sum);
      let priorSum = 0;
      for (const p of n.prior) priorSum += p;
      expect(priorSum).toBeCloseTo(1, 5);
    }
    const dist = result.visitDistribution;
    expect(dist.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(dist[root.actions[0]!]).toBeCloseTo(root.childVisits[0]! / 499, 6);
  });

  it('virtual loss is fully undone with several lanes and an out-of-order async net', async () => {
    const game = new Game(5, { komi: 0.5 });
    let k = 0;
    const net = new FakeEvaluator(5, { delayMs: () => (k++ * 7) % 5 });
    const search = new MctsSearch(net, { seed: 6, batchSize: 6, lanes: 3, virtualLoss: 3 });
    const result = await search.run(game, { visits: 400 });
    expect(search.rootNode!.visits).toBe(400);
    for (const n of nodes(search.rootNode!)) {
      expect(n.inFlight).toBe(0);
      for (const f of n.childInFlight) expect(f).toBe(0);
      expect(n.state).not.toBe(NodeState.Pending);
    }
    // Batching really happened: fewer net calls than evaluated positions.
    expect(net.calls).toBeLessThan(net.positions);
    expect(result.stats.evaluated).toBe(net.positions);
  });

  it('a failing net rejects with its error and leaves no virtual loss or pending leaf behind', async () => {
    const game = new Game(5, { komi: 0.5 });
    const search = new MctsSearch(new FakeEvaluator(5, { failAfter: 5 }), { seed: 7, batchSize: 4, lanes: 2 });
    await expect(search.run(game, { visits: 1000 })).rejects.toThrow('fake net failure');
    for (const n of nodes(search.rootNode!)) {
      expect(n.inFlight).toBe(0);
      expect(n.state).not.toBe(NodeState.Pending);
    }
  });

  it('is deterministic with a fixed seed and one lane (noise and temperature included)', async () => {
    const once = async (seed: number) => {
      const game = new Game(5, { komi: 0.5 });
      const search = new MctsSearch(new FakeEvaluator(5), { seed, rootNoise: true, temperature: 1, temperatureMoves: 10 });
      const moves: (Move | 'resign')[] = [];
      const dists: number[][] = [];
      for (let i = 0; i < 4; i++) {
        const r = await search.run(game, { visits: 120 });
        moves.push(r.move);
        dists.push(Array.from(r.visitDistribution));
        if (r.move === 'resign') break;
        game.play(r.move);
      }
      return { moves, dists };
    };
    const a = await once(42);
    const b = await once(42);
    expect(b).toEqual(a);
    const c = await once(43);
    expect(c.dists).not.toEqual(a.dists);
  });

  it('reuses the subtree of the moves played since the last search, and drops it after undo', async () => {
    const game = new Game(5, { komi: 0.5 });
    const search = new MctsSearch(new FakeEvaluator(5), { seed: 8 });
    const first = await search.run(game, { visits: 300 });
    const mine = first.move as Move;
    const root = search.rootNode!;
    const mySlot = root.slotOf(mine);
    const child = root.children[mySlot]!;
    // The opponent answers with its most visited reply in our tree.
    let reply = -1;
    let replyVisits = 0;
    for (let s = 0; s < child.actions.length; s++) {
      if (child.childVisits[s]! > replyVisits) {
        replyVisits = child.childVisits[s]!;
        reply = child.actions[s]!;
      }
    }
    const expected = child.children[child.slotOf(reply)]!.visits;
    game.play(mine);
    game.play(reply === 25 ? PASS : reply);
    const second = await search.run(game, { visits: 300 });
    expect(second.stats.reusedVisits).toBe(expected);
    expect(expected).toBeGreaterThan(0);
    expect(search.rootNode!.visits).toBe(300);
    expect(second.stats.playouts).toBe(300 - expected);

    game.undo();
    const third = await search.run(game, { visits: 50 });
    expect(third.stats.reusedVisits).toBe(0);

    const noReuse = new MctsSearch(new FakeEvaluator(5), { seed: 8, treeReuse: false });
    await noReuse.run(game, { visits: 50 });
    game.play(PASS);
    expect((await noReuse.run(game, { visits: 50 })).stats.reusedVisits).toBe(0);
  });

  it('explicit advance() moves the root to the played child', async () => {
    const game = new Game(5, { komi: 0.5 });
    const search = new MctsSearch(new FakeEvaluator(5), { seed: 9 });
    const r = await search.run(game, { visits: 200 });
    const root = search.rootNode!;
    const child = root.children[root.slotOf(r.move as Move)]!;
    search.advance(r.move as Move);
    expect(search.rootNode).toBe(child);
    expect(child.parent).toBeNull();
    const before = child.visits;
    expect(before).toBeGreaterThan(0);
    game.play(r.move as Move);
    expect((await search.run(game, { visits: 250 })).stats.reusedVisits).toBe(before);
  });
});

describe('passing and the end of the game', { timeout: 20_000 }, () => {
  // Black owns the left, white the right; black's area 15 vs white's 10 + komi 0.5.
  const settled = `
    X X X O .
    X . X O O
    X X X O .
    X . X O O
    X X X O .`;

  it('passes when the opponent passed and passing wins by area', async () => {
    const game = gameFrom(settled, WHITE);
    game.play(PASS, WHITE);
    const search = new MctsSearch(new FakeEvaluator(5, { value: 'zero' }), { seed: 10 });
    const result = await search.run(game, { visits: 200 });
    expect(result.move).toBe(PASS);
    expect(result.analysis.winrate).toBeGreaterThan(0.9);
  });

  it('does not pass when passing would lose the area count', async () => {
    // White owns more than Black; Black, to move after White's pass, must not end the game by passing
    // while it can still play (here in White's lower-left area).
    const game = gameFrom(
      `
      O O O X .
      O . O X X
      O O O X .
      . . O X X
      . . O X .`,
      WHITE,
    );
    game.play(PASS, WHITE);
    const search = new MctsSearch(new FakeEvaluator(5, { value: 'zero' }), { seed: 11, resignThreshold: 0 });
    const result = await search.run(game, { visits: 200 });
    expect(result.move).not.toBe(PASS);
    expect(result.move).not.toBe('resign');
  });

  it('never fills its own true eyes; with only eyes left it passes', async () => {
    const game = gameFrom(settled, BLACK);
    const board = game.board;
    expect(isTrueEye(board, v('B4', 5), BLACK)).toBe(true);
    expect(isTrueEye(board, v('B2', 5), BLACK)).toBe(true);
    const search = new MctsSearch(new FakeEvaluator(5, { value: 'zero' }), { seed: 12 });
    const result = await search.run(game, { visits: 100 });
    const root = search.rootNode!;
    expect(root.slotOf(v('B4', 5))).toBe(-1);
    expect(root.slotOf(v('B2', 5))).toBe(-1);
    // White's eyes are legal for black only as suicide (excluded as illegal); so black may pass or
    // play into white's side, but never into its own eyes.
    expect([v('B4', 5), v('B2', 5)]).not.toContain(result.move);
  });

  it('holds back a first pass the network finds unlikely (firstPassMinPrior), not a pass after a pass', () => {
    const board = gameFrom(settled, BLACK).board;
    const candidate = (move: Move, visits: number, prior: number): CandidateAnalysis => ({ move, visits, winrate: 0.9, prior, lcb: 0.85, pv: [move] });
    const candidates = [candidate(PASS, 50, 0.3), candidate(v('E5', 5), 30, 0.2), candidate(v('E1', 5), 40, 0.1)];
    const fallback = (): Move => v('A1', 5);
    expect(holdBackFirstPass(PASS, candidates, board, 0, fallback)).toBe(PASS); // rule off
    expect(holdBackFirstPass(PASS, candidates, board, 0.25, fallback)).toBe(PASS); // prior 0.3 is enough
    // Below the minimum: the most visited non-pass candidate (the list is in visit order as analysis gives it).
    expect(holdBackFirstPass(PASS, [candidates[0]!, candidates[2]!, candidates[1]!], board, 0.5, fallback)).toBe(v('E1', 5));
    expect(holdBackFirstPass(PASS, [candidates[0]!], board, 0.5, fallback)).toBe(v('A1', 5));
    expect(holdBackFirstPass(v('E5', 5), candidates, board, 0.5, fallback)).toBe(v('E5', 5));
    // After the opponent's pass the rule stands aside (the area pass policy decides).
    const afterPass = gameFrom(settled, WHITE);
    afterPass.play(PASS, WHITE);
    expect(holdBackFirstPass(PASS, candidates, afterPass.board, 0.5, fallback)).toBe(PASS);
    expect(() => resolveSearchParams({ firstPassMinPrior: 1.5 })).toThrow(/firstPassMinPrior/);
  });

  it('with firstPassMinPrior on, still passes when only its own eyes are left', async () => {
    const game = gameFrom(settled, BLACK);
    const search = new MctsSearch(new FakeEvaluator(5, { value: 'zero' }), { seed: 12, firstPassMinPrior: 0.5 });
    expect((await search.run(game, { visits: 50 })).move).toBe(PASS);
  });

  it('values terminal positions exactly: after two passes the winner sees +1', async () => {
    const game = gameFrom(settled, BLACK);
    game.play(PASS, BLACK);
    const search = new MctsSearch(new FakeEvaluator(5, { value: 'zero' }), { seed: 13, batchSize: 1 });
    await search.run(game, { visits: 300 });
    const root = search.rootNode!;
    const passChild = root.children[root.slotOf(25)]!;
    expect(passChild.state).toBe(NodeState.Terminal);
    // White to move at the root; the pass ends the game with black ahead: -1 for white.
    expect(root.childValueSum[root.slotOf(25)]! / root.childVisits[root.slotOf(25)]!).toBe(-1);
  });

  it('resigns when hopeless after resignMinMove, not before', async () => {
    class Hopeless extends FakeEvaluator {
      override async evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
        const out = await super.evaluate(planes, count);
        for (let i = 0; i < count; i++) out.value[i] = planes[i * ZERO_PLANES * 25 + ZERO_PLANE.blackToMove * 25]! > 0.5 ? -0.99 : 0.99;
        return out;
      }
    }
    const game = new Game(5, { komi: 0.5 });
    const early = new MctsSearch(new Hopeless(5), { seed: 14, resignThreshold: 0.1, resignMinMove: 2 });
    expect((await early.run(game, { visits: 50 })).move).not.toBe('resign');
    game.play(v('C3', 5));
    game.play(v('D3', 5));
    const late = new MctsSearch(new Hopeless(5), { seed: 14, resignThreshold: 0.1, resignMinMove: 2 });
    expect((await late.run(game, { visits: 50 })).move).toBe('resign');
  });
});

describe('analysis, limits and parameters', { timeout: 20_000 }, () => {
  it('reports sorted candidates with winrate, prior, LCB and PV, periodically and at the end', async () => {
    const game = new Game(5, { komi: 0.5 });
    const reports: number[] = [];
    const search = new MctsSearch(new FakeEvaluator(5, { delayMs: () => 1 }), { seed: 15, batchSize: 4 });
    const result = await search.run(game, { visits: 400 }, { onAnalysis: (a) => reports.push(a.visits), analysisIntervalMs: 20 });
    expect(reports.length).toBeGreaterThan(2);
    expect(reports.at(-1)).toBe(400);
    const a = result.analysis;
    expect(a.color).toBe(BLACK);
    expect(a.policy!.length).toBe(26);
    for (let i = 1; i < a.candidates.length; i++) expect(a.candidates[i - 1]!.visits).toBeGreaterThanOrEqual(a.candidates[i]!.visits);
    expect(a.candidates.reduce((s, c) => s + c.visits, 0)).toBe(399);
    for (const c of a.candidates) {
      expect(c.pv[0]).toBe(c.move);
      expect(c.winrate).toBeGreaterThanOrEqual(0);
      expect(c.winrate).toBeLessThanOrEqual(1);
      expect(c.lcb).toBeLessThanOrEqual(c.winrate);
      expect(c.prior).toBeCloseTo(1 / 26, 5);
    }
    expect(a.candidates[0]!.pv.length).toBeGreaterThan(1);
  });

  it('stops on a time limit and on an abort signal', async () => {
    const game = new Game(5, { komi: 0.5 });
    const slow = () => new FakeEvaluator(5, { delayMs: () => 5 });
    const t0 = performance.now();
    const timed = await new MctsSearch(slow(), { seed: 16 }).run(game, { timeMs: 150 });
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(140);
    // Generous: the machine running the tests may be busy.
    expect(took).toBeLessThan(2000);
    expect(timed.stats.playouts).toBeGreaterThan(1);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 60);
    const aborted = await new MctsSearch(slow(), { seed: 17 }).run(game, { visits: 1_000_000 }, { signal: controller.signal });
    expect(aborted.stats.playouts).toBeLessThan(1_000_000);
    expect(aborted.stats.elapsedMs).toBeLessThan(3000);
  });

  it('root noise changes the root priors but analysis reports the clean ones', async () => {
    const game = new Game(5, { komi: 0.5 });
    const search = new MctsSearch(new FakeEvaluator(5), { seed: 18, rootNoise: true });
    const r = await search.run(game, { visits: 50 });
    const root = search.rootNode!;
    const spread = Math.max(...root.prior) - Math.min(...root.prior);
    expect(spread).toBeGreaterThan(0.01);
    expect(root.prior.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
    for (const c of r.analysis.candidates) expect(c.prior).toBeCloseTo(1 / 26, 5);
  });

  it('rejects bad parameters and limits with clear errors', async () => {
    expect(() => resolveSearchParams({ cPuct: -1 })).toThrow(/cPuct/);
    expect(() => resolveSearchParams({ batchSize: 0 })).toThrow(/batchSize/);
    expect(() => resolveSearchParams({ nonsense: 1 } as never)).toThrow(/unknown search parameter 'nonsense'/);
    const search = new MctsSearch(new FakeEvaluator(5));
    await expect(search.run(new Game(5), { visits: 0 })).rejects.toThrow(/visits/);
    await expect(search.run(new Game(9), { visits: 5 })).rejects.toThrow(/5x5.*9x9/);
  });

  it('early stop ends a search whose best move can no longer change', async () => {
    const game = gameFrom(
      `
      O O O X .
      O O O X .
      X X . X .
      . . X . .
      . . . . .`,
      BLACK,
    );
    const full = await new MctsSearch(new FakeEvaluator(5), { seed: 19 }).run(game, { visits: 2000 });
    const early = await new MctsSearch(new FakeEvaluator(5), { seed: 19, earlyStop: true }).run(game, { visits: 2000 });
    expect(early.move).toBe(full.move);
    expect(early.stats.playouts).toBeLessThan(2000);
  });
});

describe('pluggable leaf evaluation (AlphaGo Lee rollouts)', { timeout: 20_000 }, () => {
  const extraValue = (weight: number, seen: number[]) => ({
    weight,
    // A fixed "rollout" result: +0.5 for black to move, -0.5 for white, recorded per call.
    start: (board: { toPlay: number; stones: Uint8Array }) => {
      seen.push(board.toPlay);
      return Promise.resolve(board.toPlay === BLACK ? 0.5 : -0.5);
    },
  });

  it('weight 0 equals the pure net search, weight 1 uses only the extra value', async () => {
    const game = new Game(5, { komi: 0.5 });
    const pure = new MctsSearch(new FakeEvaluator(5), { seed: 20, batchSize: 1 });
    const rPure = await pure.run(game, { visits: 60 });
    const seen0: number[] = [];
    const mixed0 = new MctsSearch(new FakeEvaluator(5), { seed: 20, batchSize: 1 }, { leafValue: extraValue(0, seen0) });
    const r0 = await mixed0.run(game, { visits: 60 });
    expect(r0.visitDistribution).toEqual(rPure.visitDistribution);
    expect(r0.analysis.winrate).toBeCloseTo(rPure.analysis.winrate, 12);
    expect(seen0.length).toBe(60);

    const seen1: number[] = [];
    const mixed1 = new MctsSearch(new FakeEvaluator(5, { value: 'zero' }), { seed: 20, batchSize: 1 }, { leafValue: extraValue(1, seen1) });
    const r1 = await mixed1.run(game, { visits: 60 });
    // Every leaf below the root has white to move (value -0.5 for white = +0.5 for black); the root +0.5.
    expect(r1.analysis.winrate).toBeCloseTo(0.75, 6);
  });

  it('expandThreshold (n_thr): a node is re-evaluated by the plug-in until it has n_thr visits', async () => {
    const game = new Game(5, { komi: 0.5 });
    const seen: number[] = [];
    const net = new FakeEvaluator(5);
    const search = new MctsSearch(net, { seed: 21, batchSize: 4, expandThreshold: 4 }, { leafValue: extraValue(0.5, seen) });
    const r = await search.run(game, { visits: 300 });
    expect(r.analysis.visits).toBe(300);
    // One plug-in value per visit; one net evaluation per node that exists.
    expect(seen.length).toBe(300);
    let expanded = 0;
    for (const n of nodes(search.rootNode!)) {
      if (n.state === NodeState.Expanded) expanded++;
      const grown = n.children.some((c) => c !== undefined);
      if (n !== search.rootNode && grown) expect(n.visits).toBeGreaterThanOrEqual(4);
      expect(n.inFlight).toBe(0);
    }
    expect(net.positions).toBe(expanded);
    expect(r.stats.evaluated).toBe(expanded);
    expect(expanded).toBeLessThan(150);
  });
});
