/**
 * Thinking time per move under a game clock: absolute (sudden death), Japanese byo-yomi and Canadian
 * overtime. Tracks both players' clocks from the time each move took, and takes the controller's
 * `time_left` as the truth whenever it is sent.
 *
 * Budget in main time: the main time left spread over the moves we still expect to play (about half of
 * the ~0.7·area moves of a game, never fewer than `minMovesLeft`), plus the part of one overtime period
 * a move can always use once main time runs out. In overtime: a share of the period (byo-yomi) or of the
 * period's time per remaining stone (Canadian). The safety margin (network lag, start-up, GC) is taken off
 * every budget, and a budget never exceeds what is on the clock minus that margin.
 */
import type { StoneColor } from '../../engine/color.js';

export type TimeControl =
  | { kind: 'none' }
  | { kind: 'absolute'; mainMs: number }
  | { kind: 'byoyomi'; mainMs: number; periodMs: number; periods: number }
  | { kind: 'canadian'; mainMs: number; periodMs: number; stones: number };

export interface TimePolicy {
  /** Kept back from every budget for lag between the controller's clock and ours. */
  safetyMarginMs: number;
  /** Fewest of our moves the main time is assumed to have to cover. */
  minMovesLeft: number;
  /** Fraction of a byo-yomi period, or of a Canadian per-stone share, one move may use. */
  overtimeShare: number;
  /** Shortest budget ever returned (the search needs a few visits to return a move). */
  minMoveMs: number;
}

export const DEFAULT_TIME_POLICY: Readonly<TimePolicy> = Object.freeze({
  safetyMarginMs: 500,
  minMovesLeft: 10,
  overtimeShare: 0.8,
  minMoveMs: 20,
});

/** One player's clock: main time left, then the current overtime period. */
export interface ClockState {
  mainMs: number;
  /** True once main time is spent. */
  inOvertime: boolean;
  /** Time left in the current overtime period. */
  periodMs: number;
  /** Byo-yomi: periods left; Canadian: stones still to play in the current period. */
  count: number;
}

/**
 * GTP `time_settings main byo stones` (seconds): stones 0 with byo 0 is absolute time, stones 0 with
 * byo > 0 means no limit (GTP 2 spec, section 4.2), otherwise Canadian.
 */
export function gtpTimeControl(mainSeconds: number, byoYomiSeconds: number, stones: number): TimeControl {
  if (![mainSeconds, byoYomiSeconds, stones].every((x) => Number.isFinite(x) && x >= 0)) {
    throw new RangeError('time settings must be non-negative numbers');
  }
  if (stones === 0) return byoYomiSeconds > 0 ? { kind: 'none' } : { kind: 'absolute', mainMs: mainSeconds * 1000 };
  return { kind: 'canadian', mainMs: mainSeconds * 1000, periodMs: byoYomiSeconds * 1000, stones };
}

export class TimeManager {
  private control: TimeControl = { kind: 'none' };
  private readonly clocks: [ClockState, ClockState] = [emptyClock(), emptyClock()];
  readonly policy: TimePolicy;

  constructor(control: TimeControl = { kind: 'none' }, policy: Partial<TimePolicy> = {}) {
    this.policy = { ...DEFAULT_TIME_POLICY, ...policy };
    this.setControl(control);
  }

  get timeControl(): TimeControl {
    return this.control;
  }

  /** New time settings: both clocks start full. */
  setControl(control: TimeControl): void {
    validate(control);
    this.control = control;
    for (const c of this.clocks) Object.assign(c, fullClock(control));
  }

  clock(color: StoneColor): Readonly<ClockState> {
    return this.clocks[color - 1]!;
  }

  /**
   * GTP `time_left color seconds stones`: stones 0 means main time; otherwise overtime with `seconds` in
   * the current period and `stones` stones (Canadian) or periods (byo-yomi, KGS convention) left.
   */
  timeLeft(color: StoneColor, seconds: number, stones: number): void {
    if (!(Number.isFinite(seconds) && Number.isInteger(stones) && stones >= 0)) throw new RangeError('time_left needs seconds and a stone count ≥ 0');
    const c = this.clocks[color - 1]!;
    const ms = Math.max(0, seconds * 1000);
    if (stones === 0) {
      c.mainMs = ms;
      c.inOvertime = false;
      const full = fullClock(this.control);
      c.periodMs = full.periodMs;
      c.count = full.count;
    } else {
      c.mainMs = 0;
      c.inOvertime = true;
      c.periodMs = ms;
      c.count = stones;
    }
  }

  /** Charges `usedMs` to `color`'s clock (when the controller sends no time_left). */
  recordMove(color: StoneColor, usedMs: number): void {
    const control = this.control;
    if (control.kind === 'none') return;
    const c = this.clocks[color - 1]!;
    let left = Math.max(0, usedMs);
    if (!c.inOvertime) {
      const fromMain = Math.min(left, c.mainMs);
      c.mainMs -= fromMain;
      left -= fromMain;
      if (c.mainMs > 0 || control.kind === 'absolute') return;
      c.inOvertime = true;
      if (left === 0 && control.kind === 'byoyomi') return;
    }
    if (control.kind === 'byoyomi') {
      // Each period that the move overran is lost; the period then resets for the next move.
      const lost = Math.floor(left / control.periodMs);
      c.count = Math.max(0, c.count - lost);
      c.periodMs = control.periodMs;
    } else if (control.kind === 'canadian') {
      c.periodMs = Math.max(0, c.periodMs - left);
      c.count--;
      if (c.count <= 0) {
        c.count = control.stones;
        c.periodMs = control.periodMs;
      }
    }
  }

  /**
   * Milliseconds `color` may think on its next move, or null when the clock imposes no limit.
   * `movesPlayed` (both colours) and `area` estimate how many of our moves main time must still cover.
   */
  timeForMove(color: StoneColor, area: number, movesPlayed: number): number | null {
    const control = this.control;
    if (control.kind === 'none') return null;
    const p = this.policy;
    const c = this.clocks[color - 1]!;
    const movesLeft = Math.max(p.minMovesLeft, Math.round((0.7 * area - movesPlayed) / 2));
    let budget: number;
    let onClock: number;
    if (control.kind === 'absolute') {
      onClock = c.mainMs;
      budget = c.mainMs / movesLeft;
    } else if (!c.inOvertime) {
      // A move that runs out of main time continues in overtime, so one move's share of a period is
      // always available on top of the main-time share.
      const perMoveOvertime = control.kind === 'byoyomi' ? control.periodMs : control.periodMs / control.stones;
      onClock = c.mainMs + perMoveOvertime * (control.kind === 'byoyomi' && control.periods === 0 ? 0 : 1);
      budget = c.mainMs / movesLeft + p.overtimeShare * perMoveOvertime;
    } else if (control.kind === 'byoyomi') {
      onClock = c.count > 0 ? c.periodMs : 0;
      budget = p.overtimeShare * onClock;
    } else {
      onClock = c.periodMs;
      budget = (p.overtimeShare * c.periodMs) / Math.max(1, c.count);
    }
    const ceiling = onClock - p.safetyMarginMs;
    return Math.max(p.minMoveMs, Math.floor(Math.min(budget - p.safetyMarginMs, ceiling)));
  }
}

function emptyClock(): ClockState {
  return { mainMs: 0, inOvertime: false, periodMs: 0, count: 0 };
}

function fullClock(control: TimeControl): ClockState {
  switch (control.kind) {
    case 'none':
      return emptyClock();
    case 'absolute':
      return { mainMs: control.mainMs, inOvertime: false, periodMs: 0, count: 0 };
    case 'byoyomi':
      return { mainMs: control.mainMs, inOvertime: control.mainMs === 0, periodMs: control.periodMs, count: control.periods };
    case 'canadian':
      return { mainMs: control.mainMs, inOvertime: control.mainMs === 0, periodMs: control.periodMs, count: control.stones };
  }
}

function validate(control: TimeControl): void {
  const nonNegative = (x: number, name: string): void => {
    if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`time control ${name} must be ≥ 0, got ${x}`);
  };
  if (control.kind === 'none') return;
  nonNegative(control.mainMs, 'main time');
  if (control.kind === 'byoyomi') {
    nonNegative(control.periodMs, 'period time');
    if (!Number.isInteger(control.periods) || control.periods < 0) throw new RangeError(`byo-yomi periods must be an integer ≥ 0, got ${control.periods}`);
  } else if (control.kind === 'canadian') {
    nonNegative(control.periodMs, 'period time');
    if (!Number.isInteger(control.stones) || control.stones < 1) throw new RangeError(`Canadian stones per period must be an integer ≥ 1, got ${control.stones}`);
  }
}
