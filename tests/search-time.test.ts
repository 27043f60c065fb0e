import { describe, expect, it } from 'vitest';
import { BLACK, WHITE } from '../engine/index.js';
import { TimeManager, gtpTimeControl } from '../src/search/time-manager.js';

const policy = { safetyMarginMs: 500, minMovesLeft: 10, overtimeShare: 0.8, minMoveMs: 20 };

describe('TimeManager', () => {
  it('GTP time_settings: absolute, no limit, Canadian', () => {
    expect(gtpTimeControl(300, 0, 0)).toEqual({ kind: 'absolute', mainMs: 300_000 });
    expect(gtpTimeControl(0, 1, 0)).toEqual({ kind: 'none' });
    expect(gtpTimeControl(60, 30, 5)).toEqual({ kind: 'canadian', mainMs: 60_000, periodMs: 30_000, stones: 5 });
    expect(() => gtpTimeControl(-1, 0, 0)).toThrow(/non-negative/);
  });

  it('no limit gives null', () => {
    expect(new TimeManager().timeForMove(BLACK, 81, 0)).toBeNull();
  });

  it('absolute time is spread over the expected remaining moves, minus the margin', () => {
    const tm = new TimeManager({ kind: 'absolute', mainMs: 300_000 }, policy);
    // 19x19 at move 0: our moves left = round(0.7*361/2) = 126 → 300000/126 − 500.
    expect(tm.timeForMove(BLACK, 361, 0)).toBe(Math.floor(300_000 / 126 - 500));
    // Late in the game the floor of 10 moves applies.
    expect(tm.timeForMove(BLACK, 81, 200)).toBe(Math.floor(300_000 / 10 - 500));
    tm.recordMove(BLACK, 290_000);
    expect(tm.clock(BLACK).mainMs).toBe(10_000);
    expect(tm.clock(WHITE).mainMs).toBe(300_000);
    // Nearly out of time: never more than what is on the clock minus the margin, never below minMoveMs.
    tm.timeLeft(BLACK, 0.3, 0);
    expect(tm.timeForMove(BLACK, 81, 60)).toBe(20);
  });

  it('byo-yomi: main share plus a period share; in overtime a share of one period; periods lost on overrun', () => {
    const tm = new TimeManager({ kind: 'byoyomi', mainMs: 60_000, periodMs: 10_000, periods: 3 }, policy);
    // 9x9 move 0: movesLeft = max(10, round(56.7/2)=28) → 60000/28 + 0.8*10000 − 500.
    expect(tm.timeForMove(BLACK, 81, 0)).toBe(Math.floor(60_000 / 28 + 8000 - 500));
    tm.recordMove(BLACK, 65_000); // main gone, 5 s into the first period: no period lost
    expect(tm.clock(BLACK)).toMatchObject({ mainMs: 0, inOvertime: true, count: 3, periodMs: 10_000 });
    expect(tm.timeForMove(BLACK, 81, 10)).toBe(8000 - 500);
    tm.recordMove(BLACK, 12_000); // overran one period
    expect(tm.clock(BLACK).count).toBe(2);
    // KGS time_left in byo-yomi: seconds in the period, periods left.
    tm.timeLeft(BLACK, 4, 1);
    expect(tm.timeForMove(BLACK, 81, 20)).toBe(Math.floor(0.8 * 4000 - 500));
  });

  it('Canadian: the period is shared by the stones left in it', () => {
    const tm = new TimeManager({ kind: 'canadian', mainMs: 0, periodMs: 300_000, stones: 25 }, policy);
    expect(tm.clock(BLACK).inOvertime).toBe(true);
    expect(tm.timeForMove(BLACK, 361, 0)).toBe(Math.floor((0.8 * 300_000) / 25 - 500));
    tm.recordMove(BLACK, 10_000);
    expect(tm.clock(BLACK)).toMatchObject({ periodMs: 290_000, count: 24 });
    tm.timeLeft(WHITE, 20, 2); // 20 s for the last 2 stones
    expect(tm.timeForMove(WHITE, 361, 100)).toBe(Math.floor((0.8 * 20_000) / 2 - 500));
    // A period completed: it starts over.
    for (let i = 0; i < 24; i++) tm.recordMove(BLACK, 1000);
    expect(tm.clock(BLACK)).toMatchObject({ periodMs: 300_000, count: 25 });
  });

  it('Canadian with main time: main share plus part of a per-stone share, capped by the clock', () => {
    const tm = new TimeManager({ kind: 'canadian', mainMs: 600_000, periodMs: 60_000, stones: 10 }, policy);
    expect(tm.timeForMove(BLACK, 361, 0)).toBe(Math.floor(600_000 / 126 + 0.8 * 6000 - 500));
    tm.timeLeft(BLACK, 1, 0);
    // 1 s of main time plus one stone's share of the period is all that is safe.
    expect(tm.timeForMove(BLACK, 361, 100)).toBeLessThanOrEqual(1000 + 6000 - 500);
  });

  it('rejects nonsense', () => {
    expect(() => new TimeManager({ kind: 'canadian', mainMs: 0, periodMs: 1000, stones: 0 })).toThrow(/stones/);
    expect(() => new TimeManager({ kind: 'absolute', mainMs: Number.NaN })).toThrow(/main time/);
    expect(() => new TimeManager().timeLeft(BLACK, 1, -1)).toThrow(/time_left/);
  });
});
