import { describe, expect, it } from 'vitest';
import { BLACK, Board, PositionSet, RecentPositions, Rng, WHITE } from '../engine/index.js';
import { boardFromDiagram, v } from './helpers.js';

describe('PositionSet', () => {
  it('remembers every key added since the last clear, through growth, and forgets them all on clear', () => {
    const set = new PositionSet(4);
    const rng = new Rng(3);
    // 53-bit keys as Board.positionKey gives them, some sharing their low 32 bits.
    const keys = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? (i + 1) * 4294967296 + 77 : rng.nextU32() * 2097152 + i));
    keys.forEach((k, i) => {
      expect(set.has(k)).toBe(false);
      set.add(k);
      set.add(k);
      expect(set.size).toBe(i + 1);
    });
    for (const k of keys) expect(set.has(k)).toBe(true);
    expect(set.has(12345)).toBe(false);
    set.clear();
    expect(set.size).toBe(0);
    for (const k of keys) expect(set.has(k)).toBe(false);
    set.add(keys[5]!);
    expect(set.has(keys[5]!)).toBe(true);
    expect(set.has(keys[6]!)).toBe(false);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new PositionSet(0)).toThrow(RangeError);
    expect(() => new PositionSet(1.5)).toThrow(RangeError);
  });
});

describe('Board.recreatesPosition', () => {
  it('is true exactly for a move whose resulting stones are remembered (here a ko recapture)', () => {
    // Black D4 has just taken a white stone at C4; White retaking at C4 captures D4.
    const ko = boardFromDiagram(`
      ..XO.
      .X.XO
      ..XO.
      .....
      .....`);
    const afterRetake = ko.copy();
    afterRetake.play(v('C4', 5), WHITE);
    expect(afterRetake.stones[v('D4', 5)]).toBe(0);
    const seen = new PositionSet(8);
    seen.add(ko.positionKey());
    expect(ko.recreatesPosition(v('C4', 5), WHITE, seen)).toBe(false);
    seen.add(afterRetake.positionKey());
    expect(ko.recreatesPosition(v('C4', 5), WHITE, seen)).toBe(true);
    expect(ko.recreatesPosition(v('E3', 5), WHITE, seen)).toBe(false);
    expect(ko.recreatesPosition(v('C4', 5), BLACK, seen)).toBe(false);
    // The same check over a RecentPositions window, as random playouts use it.
    const window = new RecentPositions(2);
    window.push(afterRetake.positionKey());
    expect(ko.recreatesPosition(v('C4', 5), WHITE, window)).toBe(true);
    // Asking leaves the board as it was.
    expect(ko.stones[v('D4', 5)]).toBe(BLACK);
  });
});

describe('Board.chains', () => {
  it('are live views that agree with chainId, liberties, chainLength and the stones of each chain', () => {
    const rng = new Rng(5);
    const board = new Board(9);
    const { head, liberties, size, next } = board.chains;
    for (let move = 0; move < 200 && board.passes < 2; move++) {
      board.playLegal(board.randomMove(rng), board.toPlay);
      for (let p = 0; p < board.area; p++) {
        expect(head[p]).toBe(board.chainId(p));
        if (board.stones[p] === 0) continue;
        expect(liberties[head[p]!]).toBe(board.liberties(p));
        expect(size[head[p]!]).toBe(board.chainLength(p));
        const walked: number[] = [];
        let s = p;
        do {
          walked.push(s);
          s = next[s]!;
        } while (s !== p && walked.length <= board.area);
        expect(walked.sort((a, b) => a - b)).toEqual(board.chainStones(p).sort((a, b) => a - b));
      }
    }
    const copy = new Board(9);
    copy.copyFrom(board);
    expect(copy.chains.head).not.toBe(head);
    expect(Array.from(copy.chains.head)).toEqual(Array.from(head));
  });
});
