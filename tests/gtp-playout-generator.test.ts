/**
 * The no-network move generator (gtp/playout-generator.ts): AMAF bookkeeping, static priors, and what
 * the search chooses and reports.
 */
import { describe, expect, it } from 'vitest';
import { BLACK, Board, Game, PASS, WHITE, parseGtpVertex, type Move } from '../engine/index.js';
import { DEFAULT_PLAYOUT_GENERATOR_CONFIG, PlayoutGenerator, candidatePriors, updateAmaf } from '../gtp/playout-generator.js';

const vertex = (text: string, size: number): Move => parseGtpVertex(text, size)!;

/** Distance of point p from the nearest edge: 0 on the first line. */
const line = (p: Move, size: number): number => {
  const row = Math.floor(p / size);
  const col = p % size;
  return Math.min(row, col, size - 1 - row, size - 1 - col);
};

describe('AMAF statistics', () => {
  it('count a playout for exactly the candidates the given colour played first, pass never', () => {
    // Candidates 0..4 and pass on a 3x3 board; points 0 and 3 went to Black first, 1 and 4 to White, 2 to nobody.
    const moves = Int32Array.from([0, 1, 2, 3, 4, PASS]);
    const first = Uint8Array.from([BLACK, WHITE, 0, BLACK, WHITE, 0, 0, 0, 0]);
    const playouts = new Float64Array(6);
    const wins = new Float64Array(6);
    updateAmaf(moves, first, BLACK, 1, playouts, wins);
    expect(Array.from(playouts)).toEqual([1, 0, 0, 1, 0, 0]);
    expect(Array.from(wins)).toEqual([1, 0, 0, 1, 0, 0]);
    // A lost playout for White: White's first points count it, as a loss.
    updateAmaf(moves, first, WHITE, 0, playouts, wins);
    expect(Array.from(playouts)).toEqual([1, 1, 0, 1, 1, 0]);
    expect(Array.from(wins)).toEqual([1, 0, 0, 1, 0, 0]);
    // A draw counts half.
    updateAmaf(moves, first, BLACK, 0.5, playouts, wins);
    expect(Array.from(wins)).toEqual([1.5, 0, 0, 1.5, 0, 0]);
  });
});

describe('static priors', () => {
  const config = DEFAULT_PLAYOUT_GENERATOR_CONFIG;

  it('discourage first- and second-line moves far from stones, and only those', () => {
    const board = new Board(19);
    board.play(vertex('Q16', 19));
    const moves = ['A1', 'K1', 'K2', 'K3', 'K10', 'T16', 'S16', 'pass'].map((v) => vertex(v, 19));
    const { wins, playouts } = candidatePriors(board, WHITE, moves, config);
    const rate = (i: number): number => wins[i]! / playouts[i]!;
    const even = config.evenPrior;
    expect(playouts[0]).toBe(even + config.edgePrior); // A1: first line, nothing near
    expect(playouts[1]).toBe(even + config.edgePrior); // K1
    expect(playouts[2]).toBe(even + config.edgePrior / 2); // K2: second line
    expect(playouts[3]).toBe(even); // K3: third line
    expect(playouts[4]).toBe(even); // K10
    expect(playouts[5]).toBe(even); // T16: first line, but Q16 is 3 points away
    expect(playouts[6]).toBe(even); // S16
    expect(rate(7)).toBe(0.5); // pass: the even prior only
    expect(rate(0)).toBeLessThan(rate(2));
    expect(rate(2)).toBeLessThan(rate(3));
  });

  it('favour captures and escapes from atari, disfavour self-atari', () => {
    // 7x7: White C4 is in atari (its last liberty D4) among Black C3 C5 B4 B6; Black to play.
    const game = new Game(7);
    for (const v of ['C3', 'C4', 'C5', 'F6', 'B4', 'G1', 'B6', 'pass']) game.play(v === 'pass' ? PASS : vertex(v, 7));
    const board = game.board;
    expect(board.toPlay).toBe(BLACK);
    expect(board.liberties(vertex('C4', 7))).toBe(1);
    const moves = ['D4', 'E2'].map((v) => vertex(v, 7));
    const black = candidatePriors(board, BLACK, moves, config);
    expect(black.wins[0]! / black.playouts[0]!).toBeGreaterThan(0.5); // D4 captures C4
    expect(black.wins[1]! / black.playouts[1]!).toBe(0.5); // E2: nothing tactical, second line but near C3
    // For White: D4 extends C4 out of atari (to 3 liberties); B5 is a self-atari (A5 left) that captures nothing.
    const whiteMoves = ['D4', 'B5'].map((v) => vertex(v, 7));
    const white = candidatePriors(board, WHITE, whiteMoves, config);
    expect(board.isLegal(whiteMoves[1]!, WHITE)).toBe(true);
    expect(white.wins[0]! / white.playouts[0]!).toBeGreaterThan(0.5);
    expect(white.wins[1]! / white.playouts[1]!).toBeLessThan(0.5);
  });
});

describe('the no-network search', () => {
  it('opens an empty 19x19 board away from the first two lines with a few hundred playouts', async () => {
    for (const seed of [1, 2, 3]) {
      const generator = new PlayoutGenerator({ seed });
      const { move, analysis } = await generator.search(new Game(19), { limits: { visits: 300 } });
      expect(move).not.toBe(PASS);
      expect(line(move, 19)).toBeGreaterThanOrEqual(2);
      expect(analysis.visits).toBe(300);
    }
  });

  it('picks by the priors and AMAF, not by board order, when the budget leaves the moves unvisited', async () => {
    // One playout (the pass's): every move has 0 visits of its own.
    for (const seed of [1, 2]) {
      const { move, analysis } = await new PlayoutGenerator({ seed }).search(new Game(19), { limits: { visits: 1 } });
      expect(analysis.candidates.find((c) => c.move === move)!.visits).toBe(0);
      expect(line(move, 19)).toBeGreaterThanOrEqual(2);
    }
  });

  it('answers a corner move on 19x19 away from the first two lines', async () => {
    const game = new Game(19);
    game.play(vertex('Q16', 19));
    const { move } = await new PlayoutGenerator({ seed: 5 }).search(game, { limits: { visits: 400 } });
    expect(move).not.toBe(PASS);
    expect(line(move, 19)).toBeGreaterThanOrEqual(2);
  });

  it('is deterministic for a seed', async () => {
    const game = new Game(9);
    game.play(vertex('E5', 9));
    const run = async (seed: number) => (await new PlayoutGenerator({ seed }).search(game, { limits: { visits: 400 } })).analysis;
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    const visitsOf = (x: typeof a) => x.candidates.map((m) => [m.move, m.visits]);
    expect(visitsOf(b)).toEqual(visitsOf(a));
    expect(b.winrate).toBe(a.winrate);
    expect(Array.from(b.ownership!)).toEqual(Array.from(a.ownership!));
    expect(visitsOf(c)).not.toEqual(visitsOf(a));
  });

  it('reports visits, win rate, score, ownership, a visit policy and priors that sum to one', async () => {
    const game = new Game(9);
    const { move, analysis } = await new PlayoutGenerator().search(game, { limits: { visits: 500 } });
    expect(analysis.visits).toBe(500);
    expect(analysis.candidates.reduce((s, c) => s + c.visits, 0)).toBe(500);
    expect(analysis.candidates[0]!.move).toBe(move);
    expect(analysis.winrate).toBeGreaterThan(0);
    expect(analysis.winrate).toBeLessThan(1);
    expect(analysis.scoreLead).toBeDefined();
    expect(analysis.ownership).toHaveLength(81);
    expect(analysis.policy!.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
    expect(analysis.candidates.reduce((s, c) => s + c.prior, 0)).toBeCloseTo(1, 5);
    // The first-line corner starts below the centre in the priors.
    const prior = (v: string) => analysis.candidates.find((c) => c.move === vertex(v, 9))!.prior;
    expect(prior('A1')).toBeLessThan(prior('E5'));
  });

  it('spreads AMAF playouts where plain flat Monte-Carlo cannot: it concentrates on few moves', async () => {
    // With 300 playouts for 362 candidates, flat UCB1 gives most moves one playout and some none; RAVE
    // puts at least a tenth of them on the move it chooses.
    const flat = await new PlayoutGenerator({ amaf: false }).search(new Game(19), { limits: { visits: 300 } });
    const rave = await new PlayoutGenerator().search(new Game(19), { limits: { visits: 300 } });
    expect(flat.analysis.candidates[0]!.visits).toBe(1);
    expect(rave.analysis.candidates[0]!.visits).toBeGreaterThanOrEqual(30);
  });
});
