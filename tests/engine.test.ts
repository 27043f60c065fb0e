import { describe, expect, it } from 'vitest';
import {
  BLACK, Board, EMPTY, Game, IllegalMoveError, PASS, Rng, WHITE, fixedHandicapPoints, gameToSgf, maxFixedHandicap,
  parseGtpVertex, parseSgfPoint, perft, rulesPreset, randomPlayout, score, sgfToGame, SgfError, toGtpVertex, toSgfPoint,
} from '../engine/index.js';
import { boardFromDiagram, v } from './helpers.js';

describe('perft (no passes, suicide forbidden, simple ko)', () => {
  it('empty 9x9, depths 1-3', () => {
    const b = new Board(9);
    expect(perft(b, 1)).toBe(81);
    expect(perft(b, 2)).toBe(6480);
    expect(perft(b, 3)).toBe(511920);
  });
  it('empty 5x5, depths 1-4', () => {
    const b = new Board(5);
    expect([1, 2, 3, 4].map((d) => perft(b, d))).toEqual([25, 600, 13800, 303424]);
  });
});

describe('captures and suicide', () => {
  it('captures a multi-stone chain and counts prisoners', () => {
    const b = boardFromDiagram(`
      . X X . .
      . O O X .
      . X X . .
      . . . . .
      . . . . .`);
    b.toPlay = BLACK;
    expect(b.liberties(v('B4', 5))).toBe(1); // the white pair's one liberty: A4
    b.play(v('A4', 5));
    expect(b.colorAt(v('B4', 5))).toBe(EMPTY);
    expect(b.colorAt(v('C4', 5))).toBe(EMPTY);
    expect(b.captures[BLACK]).toBe(2);
    b.checkInvariants();
  });

  it('a capture that looks like suicide is legal', () => {
    const b = boardFromDiagram(`
      . X O . .
      X O . . .
      . . . . .
      . . . . .
      . . . . .`);
    // White A5 would have no liberty, but it takes the last liberty of black B5 and captures it.
    b.toPlay = WHITE;
    expect(b.liberties(v('B5', 5))).toBe(1);
    expect(b.isLegal(v('A5', 5))).toBe(true);
    b.play(v('A5', 5));
    expect(b.colorAt(v('B5', 5))).toBe(EMPTY);
    expect(b.colorAt(v('A5', 5))).toBe(WHITE);
    b.checkInvariants();
  });

  it('single and multi-stone suicide are illegal by default and allowed with the option', () => {
    const diagram = `
      . X O . .
      X X O . .
      O O O . .
      . . . . .
      . . . . .`;
    // Black A5 would leave the black chain A5 B5 A4 B4 without liberties: multi-stone suicide.
    const strict = boardFromDiagram(diagram);
    strict.toPlay = BLACK;
    expect(strict.illegalReason(v('A5', 5))).toBe('suicide');
    expect(() => strict.play(v('A5', 5))).toThrow(IllegalMoveError);
    const loose = boardFromDiagram(diagram, { suicide: true });
    loose.toPlay = BLACK;
    loose.play(v('A5', 5));
    for (const p of ['A5', 'B5', 'A4', 'B4']) expect(loose.colorAt(v(p, 5))).toBe(EMPTY);
    expect(loose.captures[WHITE]).toBe(4);
    loose.checkInvariants();
    // Single-stone suicide: white at E1 surrounded by black.
    const single = boardFromDiagram(`
      . . . . .
      . . . . .
      . . . . .
      . . . . X
      . . . X .`);
    single.toPlay = WHITE;
    expect(single.isLegal(v('E1', 5))).toBe(false);
  });

  it('snapback: capturing the throw-in, then recapturing three stones', () => {
    const b = boardFromDiagram(`
      . . . . . .
      . . . . . .
      X X X . . .
      O O X . . .
      . . O X . .
      O O O X . .`);
    b.toPlay = BLACK;
    // Black throws in at B2 (in atari); White takes it at A2; Black plays B2 again and captures five.
    b.play(v('B2', 6));
    expect(b.liberties(v('B2', 6))).toBe(1);
    b.play(v('A2', 6)); // white takes the single stone
    expect(b.colorAt(v('B2', 6))).toBe(EMPTY);
    expect(b.koPoint).toBe(-1); // capturing stone is part of a bigger chain: not a ko
    b.play(v('B2', 6)); // snapback
    expect(b.captures[BLACK]).toBeGreaterThanOrEqual(5);
    expect(b.colorAt(v('A2', 6))).toBe(EMPTY);
    b.checkInvariants();
  });
});

describe('ko', () => {
  const koDiagram = `
    . X O . .
    X O . O .
    . X O . .
    . . . . .
    . . . . .`;
  it('forbids the immediate retake and allows it after a threat exchange', () => {
    const b = boardFromDiagram(koDiagram);
    b.toPlay = BLACK;
    b.play(v('C4', 5)); // black captures B4
    expect(b.colorAt(v('B4', 5))).toBe(EMPTY);
    expect(b.koPoint).toBe(v('B4', 5));
    expect(b.illegalReason(v('B4', 5), WHITE)).toBe('ko');
    b.play(v('E1', 5)); // white threat elsewhere
    b.play(v('D1', 5)); // black answers
    expect(b.isLegal(v('B4', 5), WHITE)).toBe(true);
    b.play(v('B4', 5)); // white retakes
    expect(b.colorAt(v('C4', 5))).toBe(EMPTY);
    expect(b.illegalReason(v('C4', 5), BLACK)).toBe('ko');
    b.checkInvariants();
  });

  it('triple ko cycles under simple ko, but positional and situational superko forbid the repetition', () => {
    const diagram = `
      . X O . . . X O .
      X O . O . X . X O
      . X O . . . X O .
      . . . . . . . . .
      . X O . . . . . .
      X O . O . . . . .
      . X O . . . . . .
      . . . . . . . . .
      . . . . . . . . .`;
    const cycle = ['C8', 'G8', 'C4', 'B8', 'H8'];
    const last = 'B4'; // recreates the starting position with Black to move
    for (const ko of ['simple', 'positional', 'situational'] as const) {
      const b = boardFromDiagram(diagram, { ko });
      b.toPlay = BLACK;
      const start = b.positionKey();
      for (const m of cycle) b.play(v(m, 9));
      if (ko === 'simple') {
        b.play(v(last, 9));
        expect(b.positionKey()).toBe(start);
      } else {
        expect(b.illegalReason(v(last, 9))).toBe('superko');
        // A copy without the history (for rollouts, which guard cycles their own way) checks simple ko only.
        const bare = new Board(9, b.rules);
        bare.copyFrom(b, false);
        expect(bare.illegalReason(v(last, 9))).toBeNull();
        const full = new Board(9, b.rules);
        full.copyFrom(b);
        expect(full.illegalReason(v(last, 9))).toBe('superko');
      }
      b.checkInvariants();
    }
  });
});

describe('scoring', () => {
  // Inner black A7 A6 A5 B5 and inner white C7 C6 C5 share the liberties B7 and B6: seki.
  const sekiDiagram = `
    X . O X . . .
    X . O X . . .
    X X O X . . .
    O O X X . . .
    . O X . . . .
    O O X . . . .
    . O X . . . .`;
  it('seki under area scoring: shared liberties are neutral', () => {
    const b = boardFromDiagram(sekiDiagram);
    const s = score(b, { komi: 0, scoring: 'area' });
    expect(s.black).toBe(36);
    expect(s.white).toBe(11);
    expect(s.result).toBe('B+25');
    expect(s.ownership[v('B7', 7)]).toBe(EMPTY);
  });
  it('seki under territory scoring: no territory for seki groups, eyes of living groups count', () => {
    const b = boardFromDiagram(sekiDiagram);
    const s = score(b, { komi: 0.5, scoring: 'territory' });
    expect(s.black).toBe(24);
    expect(s.white).toBe(2.5);
    expect(s.result).toBe('B+21.5');
  });
  it('dead stones count as captured', () => {
    const b = boardFromDiagram(`
      . X . . .
      X X . . .
      . . . O O
      . . O . O
      . . O . X`);
    // The black stone at E1 is dead inside white's area.
    const alive = score(b, { komi: 0, scoring: 'area' });
    const agreed = score(b, { komi: 0, scoring: 'area', dead: [v('E1', 5)] });
    expect(agreed.margin).toBeLessThan(alive.margin);
    expect(agreed.ownership[v('E1', 5)]).toBe(WHITE);
    const japanese = score(b, { komi: 6.5, scoring: 'territory', dead: [v('E1', 5)] });
    expect(japanese.white).toBe(3 + 1 + 6.5); // D2 D1 E1 territory, one prisoner, komi
  });
  it('handicap compensation: N points for White under Chinese rules, N-1 under AGA, none otherwise', () => {
    const count = (rules: Parameters<typeof rulesPreset>[0]) => {
      const g = new Game(9, { ...rulesPreset(rules)!, komi: 0.5 });
      g.setFixedHandicap(4);
      return g.score().margin;
    };
    // Four black stones own the empty board: 81 points for Black.
    expect(count('chinese')).toBe(81 - 0.5 - 4);
    expect(count('aga')).toBe(81 - 0.5 - 3);
    expect(count('tromp-taylor')).toBe(81 - 0.5);
    expect(count('japanese')).toBe(77 - 0.5); // territory: the 77 empty points, stones don't count
  });
  it('result strings', () => {
    const b = new Board(5);
    expect(score(b, { komi: 0, scoring: 'area' }).result).toBe('0');
    expect(score(b, { komi: 7.5, scoring: 'area' }).result).toBe('W+7.5');
  });
});

describe('handicap and coordinates', () => {
  it('places the GTP v2 fixed handicap points on 19x19, 13x13 and 9x9', () => {
    const names = (size: number, n: number) => fixedHandicapPoints(size, n).map((p) => toGtpVertex(p, size)).join(' ');
    expect(names(19, 2)).toBe('D4 Q16');
    expect(names(19, 3)).toBe('D4 Q16 D16');
    expect(names(19, 4)).toBe('D4 Q16 D16 Q4');
    expect(names(19, 5)).toBe('D4 Q16 D16 Q4 K10');
    expect(names(19, 6)).toBe('D4 Q16 D16 Q4 D10 Q10');
    expect(names(19, 7)).toBe('D4 Q16 D16 Q4 D10 Q10 K10');
    expect(names(19, 8)).toBe('D4 Q16 D16 Q4 D10 Q10 K4 K16');
    expect(names(19, 9)).toBe('D4 Q16 D16 Q4 D10 Q10 K4 K16 K10');
    expect(names(13, 9)).toBe('D4 K10 D10 K4 D7 K7 G4 G10 G7');
    expect(names(9, 4)).toBe('C3 G7 C7 G3');
    expect(names(9, 5)).toBe('C3 G7 C7 G3 E5');
    expect(maxFixedHandicap(8)).toBe(4);
    expect(maxFixedHandicap(6)).toBe(0);
    expect(() => fixedHandicapPoints(9, 1)).toThrow(RangeError);
    expect(() => fixedHandicapPoints(9, 10)).toThrow(RangeError);
  });
  it('converts GTP vertices and SGF points', () => {
    expect(parseGtpVertex('A1', 19)).toBe(18 * 19);
    expect(parseGtpVertex('t19', 19)).toBe(18);
    expect(parseGtpVertex('I5', 19)).toBeNull();
    expect(parseGtpVertex('J5', 9)).toBe(4 * 9 + 8);
    expect(parseGtpVertex('K5', 9)).toBeNull();
    expect(parseGtpVertex('Z25', 25)).toBe(24);
    expect(parseGtpVertex('PASS', 9)).toBe(PASS);
    expect(toGtpVertex(parseGtpVertex('Q16', 19)!, 19)).toBe('Q16');
    expect(toSgfPoint(0, 19)).toBe('aa');
    expect(parseSgfPoint('sa', 19)).toBe(18);
    expect(parseSgfPoint('tt', 19)).toBe(PASS);
    expect(parseSgfPoint('zz', 19)).toBeNull();
  });
});

describe('game: undo, history, SGF', () => {
  it('undo restores the previous position exactly', () => {
    const g = new Game(9);
    const rng = new Rng(7);
    const keys: number[] = [g.board.hash];
    for (let i = 0; i < 60; i++) {
      const m = g.board.randomMove(rng);
      g.play(m);
      keys.push(g.board.hash);
    }
    for (let i = 60; i > 0; i--) {
      expect(g.undo()).toBe(true);
      expect(g.board.hash).toBe(keys[i - 1]);
    }
    expect(g.undo()).toBe(false);
  });

  it('SGF round trip keeps size, komi, handicap, moves and result', () => {
    const g = new Game(13, { komi: 0.5 });
    g.setFixedHandicap(3);
    const rng = new Rng(3);
    for (let i = 0; i < 40; i++) g.play(g.board.randomMove(rng));
    g.play(PASS);
    g.resign(BLACK);
    const text = gameToSgf(g, { blackName: 'b', whiteName: 'w' });
    const loaded = sgfToGame(text);
    expect(loaded.game.size).toBe(13);
    expect(loaded.game.rules.komi).toBe(0.5);
    expect(loaded.game.handicap).toBe(3);
    expect(loaded.game.moves).toEqual(g.moves);
    expect(loaded.game.board.hash).toBe(g.board.hash);
    expect(loaded.result).toBe('W+R');
    expect(loaded.blackName).toBe('b');
    expect(gameToSgf(loaded.game, { result: 'W+R', blackName: 'b', whiteName: 'w' })).toBe(text);
  });

  it('malformed or illegal SGF gives a clear error', () => {
    expect(() => sgfToGame('(;GM[1]SZ[9];B[ee')).toThrow(SgfError);
    expect(() => sgfToGame('not sgf at all')).toThrow(SgfError);
    expect(() => sgfToGame('(;GM[1]SZ[99])')).toThrow(/board size/);
    expect(() => sgfToGame('(;GM[1]SZ[9];B[ee];W[ee])')).toThrow(/illegal move/);
    expect(() => sgfToGame('(;GM[1]SZ[9];B[zz])')).toThrow(/bad move/);
    expect(() => sgfToGame('(;GM[1]SZ[9]KM[abc])')).toThrow(/komi/);
  });
});

describe('property: incremental state equals a from-scratch recomputation', () => {
  it('thousands of random games on several sizes and rule sets', () => {
    const rng = new Rng(12345);
    let checks = 0;
    for (let game = 0; game < 2000; game++) {
      const size = [2, 3, 5, 7, 9, 13, 19][game % 7]!;
      const suicide = game % 3 === 0;
      const b = new Board(size, { suicide, ko: game % 5 === 0 ? 'positional' : 'simple' });
      const moves = size * size * 2;
      for (let i = 0; i < moves && b.passes < 2; i++) {
        // Mix uniformly random legal moves (suicide included where allowed) with playout moves.
        let m = PASS;
        if (i % 2 === 0) {
          const p = rng.int(b.area);
          if (b.isLegal(p)) m = p;
        } else {
          m = b.randomMove(rng);
        }
        b.play(m);
        if (size <= 9 || i % 7 === 0) {
          b.checkInvariants();
          checks++;
        }
      }
      b.checkInvariants();
    }
    expect(checks).toBeGreaterThan(50_000);
  });

  it('random playouts end with two passes (or at the cycle cap) and leave only eyes or illegal points', () => {
    const rng = new Rng(1);
    for (const size of [9, 19]) {
      let ended = 0;
      for (let i = 0; i < 40; i++) {
        const b = new Board(size);
        const moves = randomPlayout(b, rng);
        b.checkInvariants();
        if (b.passes < 2) {
          expect(moves).toBe(b.area * 2); // stopped by the ko-cycle cap, nowhere else
          continue;
        }
        ended++;
        expect(moves).toBeGreaterThan(size * size * 0.8);
        for (let p = 0; p < b.area; p++) {
          if (b.colorAt(p) !== EMPTY) continue;
          // The last player to pass had no candidate (no ko point was set after the first pass): every
          // empty point was its own eye or suicide.
          const lastPasser = b.toPlay === BLACK ? WHITE : BLACK;
          expect(b.isEyeLike(p, lastPasser) || !b.hasLibertyAfter(p, lastPasser)).toBe(true);
        }
      }
      expect(ended).toBeGreaterThan(size === 9 ? 30 : 5);
    }
  });
});
