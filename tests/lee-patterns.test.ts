import { describe, expect, it } from 'vitest';
import { BLACK, Board, PASS, Rng, WHITE, type StoneColor } from '../engine/index.js';
import { LibertyCounter } from '../engine/liberties-after.js';
import {
  PatternIndex,
  RESPONSE_LIBS_SHIFT,
  RESPONSE_SLOT_SHIFT,
  STATE_EMPTY,
  STATE_OFF,
  canonicalPattern3,
  canonicalResponse,
} from '../src/lee/patterns.js';
import { FEATURE, RolloutFeatures, nakadeVitalPoint } from '../src/lee/rollout-features.js';
import { RolloutPolicy } from '../src/lee/rollout-policy.js';
import { boardFromDiagram, v } from './helpers.js';

const OWN1 = 2, OWN2 = 3, OWN3 = 4, OPP1 = 5, OPP2 = 6, OPP3 = 7;
/** The 8 states of a 3x3 code, clockwise from the top-left. */
const states = (code: number): number[] => Array.from({ length: 8 }, (_, i) => (code >>> (3 * i)) & 7);
const has = (mask: number, f: keyof typeof FEATURE): boolean => (mask & (1 << FEATURE[f])) !== 0;

/** The diagram turned a quarter clockwise / mirrored / colour-swapped. */
function transform(diagram: string, kind: 'rotate' | 'mirror' | 'swap'): string {
  const rows = diagram.trim().split('\n').map((r) => r.trim());
  const n = rows.length;
  const at = (r: number, c: number): string => rows[r]![c]!;
  const out: string[] = [];
  for (let r = 0; r < n; r++) {
    let line = '';
    for (let c = 0; c < n; c++) {
      if (kind === 'rotate') line += at(n - 1 - c, r);
      else if (kind === 'mirror') line += at(r, n - 1 - c);
      else line += at(r, c) === 'X' ? 'O' : at(r, c) === 'O' ? 'X' : '.';
    }
    out.push(line);
  }
  return out.join('\n');
}

describe('3x3 patterns', () => {
  const diagram = `
    .....
    .XO..
    .X.O.
    ..OX.
    .....`;

  it('reads stone colours relative to the mover and liberty buckets', () => {
    const board = boardFromDiagram(diagram);
    const f = new RolloutFeatures(5);
    f.staticMask(board, v('C3', 5), BLACK);
    // Clockwise from C3's top-left: B4 X, C4 O, D4 empty, D3 O, D2 X, C2 O, B2 empty, B3 X.
    // Liberties: B4-B3 chain 6, C4 3 (C5 D4 C3), D3 3 (D4 E3 C3), D2 2 (E2 D1), C2 3 (C1 B2 C3).
    expect(states(f.pattern3)).toEqual([OWN3, OPP3, STATE_EMPTY, OPP3, OWN2, OPP3, STATE_EMPTY, OWN3]);
    f.staticMask(board, v('C3', 5), WHITE);
    expect(states(f.pattern3)).toEqual([OPP3, OWN3, STATE_EMPTY, OWN3, OPP2, OWN3, STATE_EMPTY, OPP3]);
  });

  it('marks off-board neighbours in corners and on edges', () => {
    const board = new Board(5);
    const f = new RolloutFeatures(5);
    f.staticMask(board, v('A5', 5), BLACK); // top-left corner
    expect(states(f.pattern3)).toEqual([STATE_OFF, STATE_OFF, STATE_OFF, 0, 0, 0, STATE_OFF, STATE_OFF]);
    f.staticMask(board, v('C1', 5), BLACK); // bottom edge
    expect(states(f.pattern3)).toEqual([0, 0, 0, 0, STATE_OFF, STATE_OFF, STATE_OFF, 0]);
  });

  it('gives rotated, mirrored and colour-swapped positions the same canonical pattern', () => {
    const f = new RolloutFeatures(5);
    const codeOf = (d: string, p: string, c: StoneColor): number => {
      f.staticMask(boardFromDiagram(d), v(p, 5), c);
      return f.pattern3;
    };
    const base = codeOf(diagram, 'C3', BLACK);
    // C3 is the centre, so it stays put under every symmetry.
    const rotated = codeOf(transform(diagram, 'rotate'), 'C3', BLACK);
    const mirrored = codeOf(transform(diagram, 'mirror'), 'C3', BLACK);
    const swapped = codeOf(transform(diagram, 'swap'), 'C3', WHITE);
    expect(rotated).not.toBe(base);
    expect(canonicalPattern3(rotated)).toBe(canonicalPattern3(base));
    expect(canonicalPattern3(mirrored)).toBe(canonicalPattern3(base));
    expect(swapped).toBe(base);
    // Black and White to move see different patterns in the same position.
    expect(canonicalPattern3(codeOf(diagram, 'C3', WHITE))).not.toBe(canonicalPattern3(base));
  });
});

describe('tactical features', () => {
  it('flags capture, saving from atari, self-atari and atari', () => {
    const board = boardFromDiagram(`
      .OX..
      OXX..
      .OO..
      .....
      .....`);
    const f = new RolloutFeatures(5);
    // White B5's only liberty is A5; white A4 has A5 and A3.
    const a5Black = f.staticMask(board, v('A5', 5), BLACK);
    expect(has(a5Black, 'capture')).toBe(true);
    expect(has(a5Black, 'captureMany')).toBe(false); // one stone
    // For White, A5 is an own eye-like point: filling it would join B5 (in atari) to A4 but leave the
    // chain one liberty (A3), so it is no rollout candidate.
    expect(f.isCandidate(board, v('A5', 5), WHITE)).toBe(false);
    expect(f.staticMask(board, v('A5', 5), WHITE)).toBe(-1);
    // White C5 extends B5 (in atari) but the chain keeps one liberty, C4: no rescue, a self-atari.
    const extend = boardFromDiagram(`
      XO.X.
      .X...
      .....
      .....
      .....`);
    const c5White = f.staticMask(extend, v('C5', 5), WHITE);
    expect(has(c5White, 'saveAtari')).toBe(false);
    expect(has(c5White, 'selfAtariChain')).toBe(true);
    // D4 for White: black B4-C4-C5 has liberties D5, D4: playing D4 puts it in atari.
    expect(has(f.staticMask(board, v('D4', 5), WHITE), 'atari')).toBe(true);
    // D4 for Black extends the 2-liberty chain: not a self-atari, nothing to save.
    const d4Black = f.staticMask(board, v('D4', 5), BLACK);
    expect(has(d4Black, 'selfAtariChain') || has(d4Black, 'selfAtariSingle')).toBe(false);
  });

  it('lets a ko be connected: an own eye-like point is a candidate only when filling it saves a chain in atari', () => {
    // Black D4 has just taken a white stone at C4; its only liberty is C4.
    const board = boardFromDiagram(`
      ..XO.
      .X.XO
      ..XO.
      .....
      .....`);
    const f = new RolloutFeatures(5);
    const c4 = v('C4', 5);
    expect(board.isEyeLike(c4, BLACK)).toBe(true);
    expect(f.isCandidate(board, c4, BLACK)).toBe(true);
    const connect = f.staticMask(board, c4, BLACK);
    expect(has(connect, 'saveAtari')).toBe(true);
    expect(has(connect, 'selfAtariChain')).toBe(false);
    f.staticMasks(board, c4);
    expect(f.maskOf[BLACK]).toBe(connect);
    // White's retake is an ordinary capture.
    expect(has(f.staticMask(board, c4, WHITE), 'capture')).toBe(true);
    // Once D4 is safe (E4 gone), C4 is a plain eye again.
    const settled = boardFromDiagram(`
      ..XO.
      .X.X.
      ..XO.
      .....
      .....`);
    expect(f.isCandidate(settled, c4, BLACK)).toBe(false);
    expect(f.staticMask(settled, c4, BLACK)).toBe(-1);
  });

  it('recognises saving a chain in atari, and a lone stone played into atari', () => {
    const board = boardFromDiagram(`
      .....
      .OXO.
      ..O..
      .....
      .....`);
    const f = new RolloutFeatures(5);
    // Black C4 has one liberty, C5; extending there gives the chain the liberties B5 and D5.
    const c5 = f.staticMask(board, v('C5', 5), BLACK);
    expect(has(c5, 'saveAtari')).toBe(true);
    expect(has(c5, 'capture')).toBe(false);
    // White C5 captures C4.
    const c5w = f.staticMask(board, v('C5', 5), WHITE);
    expect(has(c5w, 'capture')).toBe(true);
    expect(has(c5w, 'captureMany')).toBe(false);
    const board2 = boardFromDiagram(`
      .O...
      O....
      .....
      .....
      .....`);
    expect(f.isCandidate(board2, v('A5', 5), BLACK)).toBe(false); // suicide
    const board3 = boardFromDiagram(`
      ..O..
      .O...
      .....
      .....
      .....`);
    // B5 for black: neighbours A5 (empty), C5 O, B4 O: one liberty.
    expect(has(f.staticMask(board3, v('B5', 5), BLACK), 'selfAtariSingle')).toBe(true);
  });

  it('counts liberties after a move exactly (checked by playing it)', () => {
    const rng = new Rng(5);
    const counter = new LibertyCounter(9);
    let checked = 0;
    for (let game = 0; game < 4; game++) {
      const board = new Board(9);
      for (let move = 0; move < 100 && board.passes < 2; move++) {
        for (const color of [BLACK, WHITE] as StoneColor[]) {
          for (let p = 0; p < board.area; p++) {
            if (board.stones[p] !== 0) continue;
            const expected = board.hasLibertyAfter(p, color)
              ? (() => {
                  const copy = board.copy();
                  copy.koPoint = -1;
                  copy.playLegal(p, color);
                  return copy.liberties(p);
                })()
              : 0;
            expect(counter.libertiesAfter(board, p, color, 99)).toBe(expected);
            expect(counter.libertiesAfter(board, p, color, 2)).toBe(Math.min(expected, 2));
            checked++;
          }
        }
        board.playLegal(board.randomMove(rng), board.toPlay);
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });
});

describe('response patterns', () => {
  it('encodes the diamond around the previous move, the candidate slot and the liberties', () => {
    const board = boardFromDiagram(`
      .....
      ..X..
      .OO..
      .....
      .....`);
    const f = new RolloutFeatures(5);
    // Previous move C3 (white), candidate D3 for black: adjacent, slot 6 (row 0, col +1).
    const mask = f.responseMask(board, v('D3', 5), BLACK, v('C3', 5), -1);
    expect(has(mask, 'adjacent')).toBe(true);
    expect((f.response >>> RESPONSE_SLOT_SHIFT) & 15).toBe(6);
    expect(f.response >>> RESPONSE_LIBS_SHIFT).toBe(3); // C3-B3 chain: 5 liberties, bucket 3
    // Slot 2 (C4, up) holds a black stone: own for Black.
    expect((f.response >>> 4) & 3).toBe(2);
    // Slot 5 (B3, left) holds a white stone: opponent.
    expect((f.response >>> 10) & 3).toBe(3);
    expect(has(f.responseMask(board, v('D4', 5), BLACK, v('C3', 5), -1), 'diagonal')).toBe(true);
    expect(has(f.responseMask(board, v('E3', 5), BLACK, v('C3', 5), -1), 'jump')).toBe(true);
    const far = f.responseMask(board, v('E1', 5), BLACK, v('C3', 5), -1);
    expect(far).toBe(0);
    expect(f.response).toBe(-1);
    const d3 = f.responseMask(board, v('E2', 5), BLACK, v('C3', 5), -1);
    expect(has(d3, 'distance3')).toBe(true);
    expect(f.response).toBe(-1);
    expect(f.responseMask(board, v('D3', 5), BLACK, PASS, v('D3', 5))).toBe(1 << FEATURE.nakade);
  });

  it('is invariant under symmetry once canonicalised', () => {
    const d = `
      .....
      ..X..
      .OO..
      ...X.
      .....`;
    const f = new RolloutFeatures(5);
    const code = (diagram: string, cand: string): number => {
      f.responseMask(boardFromDiagram(diagram), v(cand, 5), BLACK, v('C3', 5), -1);
      return f.response;
    };
    const a = code(d, 'D3');
    // Rotating the board a quarter clockwise moves D3 (right of centre) to C2 (below it).
    const b = code(transform(d, 'rotate'), 'C2');
    expect(b).not.toBe(a);
    expect(canonicalResponse(b)).toBe(canonicalResponse(a));
    const m = code(transform(d, 'mirror'), 'B3');
    expect(canonicalResponse(m)).toBe(canonicalResponse(a));
    expect(canonicalResponse(code(d, 'B3'))).not.toBe(canonicalResponse(a));
  });
});

describe('nakade', () => {
  const pts = (list: string[]): Int32Array => Int32Array.from(list.map((p) => v(p, 9)));
  it('finds the vital point of killing shapes and none in living ones', () => {
    expect(nakadeVitalPoint(pts(['A1', 'B1', 'C1']), 3, 9)).toBe(v('B1', 9)); // straight three
    expect(nakadeVitalPoint(pts(['A1', 'B1', 'B2']), 3, 9)).toBe(v('B1', 9)); // bent three
    expect(nakadeVitalPoint(pts(['A1', 'B1', 'C1', 'B2']), 4, 9)).toBe(v('B1', 9)); // pyramid four
    expect(nakadeVitalPoint(pts(['B2', 'A2', 'C2', 'B1', 'B3']), 5, 9)).toBe(v('B2', 9)); // crossed five
    expect(nakadeVitalPoint(pts(['A1', 'B1', 'A2', 'B2']), 4, 9)).toBe(-1); // square four
    expect(nakadeVitalPoint(pts(['A1', 'B1', 'C1', 'D1']), 4, 9)).toBe(-1); // straight four lives
    expect(nakadeVitalPoint(pts(['A1', 'B1']), 2, 9)).toBe(-1);
  });
});

describe('pattern tables', () => {
  it('maps codes to ids through growth and reports unknown codes', () => {
    const index = new PatternIndex(4);
    const rng = new Rng(1);
    const codes = Array.from({ length: 5000 }, () => rng.nextU32() >>> 1);
    codes.forEach((c, i) => index.set(c, i));
    const unique = new Map(codes.map((c, i) => [c, i]));
    for (const [c, i] of unique) expect(index.get(c)).toBe(i);
    expect(index.size).toBe(unique.size);
    expect(index.get(0x7ffffffe)).toBe(unique.get(0x7ffffffe) ?? -1);
  });

  it('scores every symmetric variant of a pattern alike and survives a save/load round trip', () => {
    const policy = new RolloutPolicy();
    const f = new RolloutFeatures(5);
    const d = `
      .....
      .XO..
      .X.O.
      ..OX.
      .....`;
    f.staticMask(boardFromDiagram(d), v('C3', 5), BLACK);
    const code = f.pattern3;
    policy.addPattern3(code, 1.25);
    policy.scalarWeights[FEATURE.capture] = -0.5;
    f.staticMask(boardFromDiagram(transform(d, 'rotate')), v('C3', 5), BLACK);
    expect(policy.score(0, f.pattern3, -1)).toBe(1.25);
    const loaded = RolloutPolicy.fromJSON(JSON.parse(JSON.stringify(policy.toJSON())));
    expect(loaded.score(1 << FEATURE.capture, f.pattern3, -1)).toBeCloseTo(0.75, 10);
    expect(() => RolloutPolicy.fromJSON({ format: 'something-else' })).toThrow(/not a rollout policy/);
  });
});
