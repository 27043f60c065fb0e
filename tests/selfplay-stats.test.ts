import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eloEstimate, eloFromRate, rateFromElo, winRate } from '../selfplay/elo.js';
import { DEFAULT_SPRT, sprt } from '../selfplay/sprt.js';
import { gateDecision } from '../selfplay/gate-rule.js';
import { lineChartSvg, niceTicks } from '../selfplay/plots.js';
import { ConfigError, defaultRunConfig, learningRateAt, parseRunConfig } from '../selfplay/config.js';
import { RunDir } from '../selfplay/run-dir.js';

const rule = { rule: 'sprt' as const, games: 400, threshold: 0.55, sprt: DEFAULT_SPRT };

describe('win rates and Elo', () => {
  it('gives Wilson intervals that contain the rate and shrink with more games', () => {
    const a = winRate({ wins: 6, losses: 4, draws: 0 });
    const b = winRate({ wins: 600, losses: 400, draws: 0 });
    expect(a.rate).toBeCloseTo(0.6);
    expect(a.low).toBeLessThan(0.6);
    expect(a.high).toBeGreaterThan(0.6);
    expect(b.high - b.low).toBeLessThan(a.high - a.low);
    // Known value: 60/100 → Wilson [0.502, 0.691].
    const c = winRate({ wins: 60, losses: 40, draws: 0 });
    expect(c.low).toBeCloseTo(0.502, 3);
    expect(c.high).toBeCloseTo(0.691, 3);
    const perfect = winRate({ wins: 10, losses: 0, draws: 0 });
    expect(perfect.high).toBeCloseTo(1, 9);
    expect(perfect.low).toBeGreaterThan(0.6);
  });

  it('converts between Elo and expected score', () => {
    expect(eloFromRate(0.5)).toBeCloseTo(0);
    expect(rateFromElo(400)).toBeCloseTo(10 / 11);
    expect(eloFromRate(rateFromElo(35))).toBeCloseTo(35);
    const e = eloEstimate({ wins: 30, losses: 10, draws: 0 });
    expect(e.elo).toBeCloseTo(190.8, 0);
    expect(e.low).toBeLessThan(e.elo);
    expect(Number.isFinite(eloEstimate({ wins: 5, losses: 0, draws: 0 }).high)).toBe(true);
  });
});

describe('SPRT gating', () => {
  it('uses the Leela Zero bounds and log-likelihood ratio', () => {
    const s = sprt({ wins: 0, losses: 0, draws: 0 });
    expect(s.upper).toBeCloseTo(Math.log(19));
    expect(s.lower).toBeCloseTo(-Math.log(19));
    const w = sprt({ wins: 1, losses: 0, draws: 0 });
    expect(w.llr).toBeCloseTo(Math.log(rateFromElo(35) / 0.5));
  });

  it('stops early for a clearly stronger candidate and for a clearly weaker one', () => {
    let t = { wins: 0, losses: 0, draws: 0 };
    let d = gateDecision(t, rule);
    let n = 0;
    while (!d.done) {
      t = { ...t, wins: t.wins + (n % 5 === 4 ? 0 : 1), losses: t.losses + (n % 5 === 4 ? 1 : 0) }; // 80%
      d = gateDecision(t, rule);
      n++;
    }
    expect(d.promote).toBe(true);
    expect(n).toBeLessThan(80);
    t = { wins: 0, losses: 0, draws: 0 };
    d = gateDecision(t, rule);
    n = 0;
    while (!d.done) {
      t = { ...t, wins: t.wins + (n % 3 === 2 ? 1 : 0), losses: t.losses + (n % 3 === 2 ? 0 : 1) }; // 33%
      d = gateDecision(t, rule);
      n++;
    }
    expect(d.promote).toBe(false);
    expect(d.reason).toMatch(/H0/);
    expect(n).toBeLessThan(80);
  });

  it('falls back to the 55% rule at the game cap when the SPRT is undecided', () => {
    const capped = { ...rule, games: 20 };
    expect(gateDecision({ wins: 11, losses: 9, draws: 0 }, capped)).toMatchObject({ done: true, promote: true });
    expect(gateDecision({ wins: 10, losses: 10, draws: 0 }, capped)).toMatchObject({ done: true, promote: false });
    expect(gateDecision({ wins: 5, losses: 4, draws: 0 }, capped).done).toBe(false);
  });

  it('decides the threshold rule as soon as the outcome is certain', () => {
    const r = { ...rule, rule: 'threshold' as const, games: 400 };
    expect(gateDecision({ wins: 220, losses: 10, draws: 0 }, r)).toMatchObject({ done: true, promote: true });
    expect(gateDecision({ wins: 219, losses: 10, draws: 0 }, r).done).toBe(false);
    expect(gateDecision({ wins: 0, losses: 181, draws: 0 }, r)).toMatchObject({ done: true, promote: false });
    expect(gateDecision({ wins: 0, losses: 180, draws: 0 }, r).done).toBe(false);
  });
});

describe('plots', () => {
  it('draws series, error bars, guides and a legend as well-formed SVG', () => {
    const svg = lineChartSvg({
      title: 'Gating <win rate>',
      xLabel: 'generation',
      yLabel: 'win rate',
      series: [{ name: 'candidate', color: '#c00', markers: true, points: [{ x: 1, y: 0.6, low: 0.5, high: 0.7 }, { x: 2, y: 0.4, low: 0.3, high: 0.5 }] }],
      guides: [{ y: 0.55, label: '55%' }],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Gating &lt;win rate&gt;');
    expect(svg.match(/<circle/g)).toHaveLength(2);
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toMatch(/<path d="M[\d.]+ [\d.]+ L[\d.]+ [\d.]+"/);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).toContain('no data yet');
  });

  it('picks round tick values', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97)).toEqual([20, 40, 60, 80]);
  });
});

describe('run configuration', () => {
  it('has valid defaults and names the bad field in errors', () => {
    const c = defaultRunConfig(9);
    expect(c.gate.sprt).toEqual({ elo0: 0, elo1: 35, alpha: 0.05, beta: 0.05 });
    expect(() => defaultRunConfig(9, { selfplay: { visits: 0 } })).toThrow(/selfplay\.visits must be an integer from 1/);
    expect(() => defaultRunConfig(30)).toThrow(/boardSize/);
    expect(() => defaultRunConfig(9, { gate: { threshold: 0.4 } })).toThrow(/gate\.threshold/);
    expect(() => defaultRunConfig(9, { selfplay: { playoutCap: true, fastVisits: 500 } })).toThrow(/fastVisits/);
    expect(() => defaultRunConfig(9, { komi: 7.3 })).toThrow(/komi must be a multiple of 0.5/);
    expect(() => parseRunConfig('{"boardSize": 9, "trian": {}}', 'x.json')).toThrow(/unknown field 'trian'/);
    expect(() => parseRunConfig('{"train": {"batchsize": 3}}', 'x.json')).toThrow(/train\.batchsize/);
    expect(() => parseRunConfig('{oops', 'x.json')).toThrow(ConfigError);
    expect(parseRunConfig(JSON.stringify(c), 'x.json')).toEqual(c);
    // Optional fields read back too: a run created with --value-filters must reopen.
    const withValueFilters = defaultRunConfig(19, { valueFilters: 4 });
    expect(parseRunConfig(JSON.stringify(withValueFilters), 'x.json')).toEqual(withValueFilters);
  });

  it('follows the learning-rate schedule', () => {
    const s = [{ untilStep: 10, lr: 0.1 }, { untilStep: 20, lr: 0.01 }];
    expect(learningRateAt(s, 0)).toBe(0.1);
    expect(learningRateAt(s, 10)).toBe(0.01);
    expect(learningRateAt(s, 99)).toBe(0.01);
  });

  it('creates a run directory once and reads its config back', () => {
    const root = join(mkdtempSync(join(tmpdir(), 'tengen-run-')), 'run');
    const run = new RunDir(root);
    const c = defaultRunConfig(7);
    run.create(c);
    expect(run.readConfig()).toEqual(c);
    expect(() => run.create(c)).toThrow(/already holds a run/);
    expect(run.readState()).toBeNull();
    run.writeState(3, 'gate');
    expect(run.readState()).toMatchObject({ generation: 3, phase: 'gate' });
    writeFileSync(run.configPath, readFileSync(run.configPath, 'utf8').replace('"visits": 64', '"visits": -1'));
    expect(() => run.readConfig()).toThrow(/selfplay\.visits/);
  });
});
