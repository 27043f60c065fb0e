/**
 * Clock settings a controller sends (time_settings, kgs-time_settings, time_left) and how much of the
 * remaining time one move may use.
 *
 * GTP v2 time_settings: main time, then byo-yomi periods of `periodTime` seconds in which `periodStones`
 * stones must be played (Canadian). periodTime 0 and periodStones 0 = absolute time; periodTime > 0 and
 * periodStones 0 = no limit. KGS adds Japanese byo-yomi (`periods` periods of `periodTime` each, one
 * move per period); in that mode KGS's time_left sends periods left in place of stones left.
 */
export type TimeSystem = 'none' | 'absolute' | 'canadian' | 'byoyomi';

export interface TimeSettings {
  system: TimeSystem;
  mainTime: number;
  /** Canadian: length of an overtime period; byo-yomi: length of each period (seconds). */
  periodTime: number;
  /** Canadian: stones per period; byo-yomi: number of periods. */
  periodCount: number;
}

export interface ClockState {
  /** Seconds left (in the current period when in overtime). */
  seconds: number;
  /** 0 in main time; in overtime, stones left in the period (Canadian) or periods left (byo-yomi). */
  count: number;
}

export const NO_TIME_LIMIT: TimeSettings = { system: 'none', mainTime: 0, periodTime: 0, periodCount: 0 };

/** The standard time_settings command's meaning. */
export function gtpTimeSettings(mainTime: number, periodTime: number, periodStones: number): TimeSettings {
  if (periodStones === 0 && periodTime > 0) return NO_TIME_LIMIT;
  if (periodStones === 0) return { system: 'absolute', mainTime, periodTime: 0, periodCount: 0 };
  return { system: 'canadian', mainTime, periodTime, periodCount: periodStones };
}

export interface TimePolicy {
  /** Seconds kept back per move for transmission and start-up lag. */
  lagSeconds: number;
  /** Fewest moves the main time is assumed to have to last. */
  minMovesLeft: number;
  /** Fraction of a byo-yomi period (or of a Canadian period's per-stone share) a move may use. */
  overtimeShare: number;
}

export const DEFAULT_TIME_POLICY: TimePolicy = { lagSeconds: 0.5, minMovesLeft: 10, overtimeShare: 0.8 };

/**
 * Milliseconds the next move may think, or undefined when the clock imposes nothing.
 * `movesPlayed` and `area` estimate how many of our moves the main time still has to cover.
 */
export function moveBudgetMs(
  settings: TimeSettings,
  clock: ClockState | undefined,
  area: number,
  movesPlayed: number,
  policy: TimePolicy = DEFAULT_TIME_POLICY,
): number | undefined {
  if (settings.system === 'none') return undefined;
  const inOvertime = clock !== undefined && clock.count > 0;
  const seconds = clock?.seconds ?? settings.mainTime;
  let budget: number;
  if (!inOvertime) {
    // Our moves left: about half of a game of ~0.7 * area moves, never fewer than minMovesLeft.
    const movesLeft = Math.max(policy.minMovesLeft, Math.round((0.7 * area - movesPlayed) / 2));
    budget = seconds / movesLeft;
    if (settings.system === 'canadian' && settings.periodCount > 0) {
      budget += (policy.overtimeShare * settings.periodTime) / settings.periodCount / 2;
    } else if (settings.system === 'byoyomi') {
      budget += (policy.overtimeShare * settings.periodTime) / 2;
    }
    if (seconds <= 0 && settings.system === 'byoyomi') budget = policy.overtimeShare * settings.periodTime;
  } else if (settings.system === 'byoyomi') {
    budget = policy.overtimeShare * Math.min(seconds, settings.periodTime);
  } else {
    budget = (policy.overtimeShare * seconds) / clock!.count;
  }
  return Math.max(50, Math.round((budget - policy.lagSeconds) * 1000));
}
