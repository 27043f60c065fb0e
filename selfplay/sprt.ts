/**
 * Sequential probability ratio test for gating, as Leela Zero's validation does it: H0 "the candidate is
 * no stronger" (Elo 0) against H1 "it is stronger by 35 Elo", α = β = 0.05, checked after every game so a
 * clear result stops the match early either way. Games are Bernoulli trials (a draw counts as half a win
 * and half a loss), so the log-likelihood ratio after W wins and L losses is
 *   LLR = W·ln(p1/p0) + L·ln((1−p1)/(1−p0)),  p = 1/(1+10^(−elo/400)),
 * compared with Wald's bounds ln(β/(1−α)) (accept H0: reject the candidate) and ln((1−β)/α) (accept H1).
 */
import { rateFromElo, type MatchTally } from './elo.js';

export interface SprtParams {
  elo0: number;
  elo1: number;
  alpha: number;
  beta: number;
}

export const DEFAULT_SPRT: SprtParams = { elo0: 0, elo1: 35, alpha: 0.05, beta: 0.05 };

export type SprtVerdict = 'accept-h1' | 'accept-h0' | 'continue';

export interface SprtState {
  llr: number;
  lower: number;
  upper: number;
  verdict: SprtVerdict;
}

export function validateSprt(p: SprtParams): SprtParams {
  if (!(p.elo1 > p.elo0)) throw new RangeError(`sprt: elo1 (${p.elo1}) must be greater than elo0 (${p.elo0})`);
  for (const k of ['alpha', 'beta'] as const) {
    if (!(p[k] > 0 && p[k] < 0.5)) throw new RangeError(`sprt: ${k} must be in (0, 0.5), got ${p[k]}`);
  }
  return p;
}

export function sprt(t: MatchTally, params: SprtParams = DEFAULT_SPRT): SprtState {
  const p0 = rateFromElo(params.elo0);
  const p1 = rateFromElo(params.elo1);
  const wins = t.wins + t.draws / 2;
  const losses = t.losses + t.draws / 2;
  const llr = wins * Math.log(p1 / p0) + losses * Math.log((1 - p1) / (1 - p0));
  const lower = Math.log(params.beta / (1 - params.alpha));
  const upper = Math.log((1 - params.beta) / params.alpha);
  const verdict: SprtVerdict = llr >= upper ? 'accept-h1' : llr <= lower ? 'accept-h0' : 'continue';
  return { llr, lower, upper, verdict };
}
