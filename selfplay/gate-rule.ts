/**
 * The promotion decision after each gating game. Two rules:
 * - threshold (AlphaGo Zero): promote when the candidate scores ≥ threshold (55%) of `games` (400). The match
 *   stops as soon as the outcome can no longer change: enough wins already, or too few games left to get there.
 * - sprt (Leela Zero): stop when the SPRT accepts H1 (promote) or H0 (reject); if neither by `games`, decide
 *   by the threshold rule on the games played.
 * - fixed: every one of `games` games is played (evaluation matches), then the threshold decides.
 */
import { eloEstimate, winRate, type EloEstimate, type MatchTally, type WinRateEstimate } from './elo.js';
import { sprt, type SprtParams, type SprtState } from './sprt.js';
import type { GateRuleKind } from './config.js';

export interface GateRule {
  rule: GateRuleKind;
  games: number;
  threshold: number;
  sprt: SprtParams;
}

export interface GateDecision {
  done: boolean;
  promote: boolean;
  reason: string;
  tally: MatchTally;
  winRate: WinRateEstimate;
  elo: EloEstimate;
  sprt?: SprtState;
}

export function gateDecision(tally: MatchTally, rule: GateRule): GateDecision {
  const played = tally.wins + tally.losses + tally.draws;
  const score = tally.wins + tally.draws / 2;
  const base = { tally: { ...tally }, winRate: winRate(tally), elo: eloEstimate(tally) };
  // Rounded so floating error (0.55 × 400 = 220.00000000000003) does not demand an extra win.
  const need = Math.ceil(rule.threshold * rule.games - 1e-9);
  const thresholdDecision = (): GateDecision => {
    const remaining = rule.games - played;
    if (score >= need) return { ...base, done: true, promote: true, reason: `scored ${score} ≥ ${need} of ${rule.games} (${pct(rule.threshold)})` };
    if (score + remaining < need) {
      return { ...base, done: true, promote: false, reason: `scored ${score} with ${remaining} games left: cannot reach ${need} of ${rule.games}` };
    }
    return { ...base, done: false, promote: false, reason: 'undecided' };
  };
  if (rule.rule === 'threshold') return thresholdDecision();
  if (rule.rule === 'fixed') {
    if (played < rule.games) return { ...base, done: false, promote: false, reason: 'undecided' };
    const rate = played > 0 ? score / played : 0;
    return { ...base, done: true, promote: rate >= rule.threshold, reason: `${pct(rate)} ${rate >= rule.threshold ? '≥' : '<'} ${pct(rule.threshold)} over all ${played} games` };
  }
  const s = sprt(tally, rule.sprt);
  if (s.verdict === 'accept-h1') {
    return { ...base, sprt: s, done: true, promote: true, reason: `SPRT accepts H1 (Elo ≥ ${rule.sprt.elo1}): LLR ${s.llr.toFixed(2)} ≥ ${s.upper.toFixed(2)}` };
  }
  if (s.verdict === 'accept-h0') {
    return { ...base, sprt: s, done: true, promote: false, reason: `SPRT accepts H0 (Elo ≤ ${rule.sprt.elo0}): LLR ${s.llr.toFixed(2)} ≤ ${s.lower.toFixed(2)}` };
  }
  if (played >= rule.games) {
    const rate = played > 0 ? score / played : 0;
    const promote = rate >= rule.threshold;
    return {
      ...base,
      sprt: s,
      done: true,
      promote,
      reason: `SPRT undecided after ${played} games (LLR ${s.llr.toFixed(2)}); ${pct(rate)} ${promote ? '≥' : '<'} ${pct(rule.threshold)}`,
    };
  }
  return { ...base, sprt: s, done: false, promote: false, reason: 'undecided' };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
