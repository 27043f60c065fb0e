/**
 * Match statistics: win rate with a 95% confidence interval (Wilson score interval, which behaves at 0%
 * and 100% where the normal approximation does not) and the Elo difference it implies.
 * Draws count half a win.
 */
export const Z95 = 1.959963984540054;

export interface MatchTally {
  wins: number;
  losses: number;
  draws: number;
}

export interface WinRateEstimate {
  games: number;
  /** Score rate in [0, 1]: (wins + draws/2) / games. */
  rate: number;
  low: number;
  high: number;
}

export interface EloEstimate {
  elo: number;
  low: number;
  high: number;
}

export function winRate(t: MatchTally): WinRateEstimate {
  const n = t.wins + t.losses + t.draws;
  if (n === 0) return { games: 0, rate: 0.5, low: 0, high: 1 };
  const p = (t.wins + t.draws / 2) / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { games: n, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Elo difference for a score rate; clamped so 0% and 100% give large finite numbers rather than ±∞. */
export function eloFromRate(rate: number): number {
  const p = Math.min(Math.max(rate, 1e-3), 1 - 1e-3);
  return -400 * Math.log10(1 / p - 1);
}

export function rateFromElo(elo: number): number {
  return 1 / (1 + 10 ** (-elo / 400));
}

export function eloEstimate(t: MatchTally): EloEstimate {
  const w = winRate(t);
  return { elo: eloFromRate(w.rate), low: eloFromRate(w.low), high: eloFromRate(w.high) };
}

export function formatWinRate(t: MatchTally): string {
  const w = winRate(t);
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  return `${pct(w.rate)} [95% CI ${pct(w.low)}, ${pct(w.high)}] over ${w.games} games`;
}
