/** The run's plots, redrawn from metrics.jsonl and the gating records. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, writeFileAtomic } from './atomic.js';
import type { GatingRecord } from './gating.js';
import { lineChartSvg, movingAverage, type Point } from './plots.js';
import type { RunDir } from './run-dir.js';

export function readGatingRecords(run: RunDir): GatingRecord[] {
  const dir = join(run.root, 'gating');
  if (!existsSync(dir)) return [];
  const out: GatingRecord[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!/^gen\d+\.json$/.test(f)) continue;
    try {
      out.push(readJson<GatingRecord>(join(dir, f)));
    } catch {
      // unreadable record: status reports it; plots skip it
    }
  }
  return out;
}

export interface PromotionPoint {
  generation: number;
  network: string;
  elo: number;
  low: number;
  high: number;
}

/**
 * Elo of each promoted network against gen0000: the sum of the gating Elo estimates along the chain of
 * promotions; the interval adds the half-widths in quadrature (independent matches).
 */
export function promotionChain(records: readonly GatingRecord[]): PromotionPoint[] {
  const chain: PromotionPoint[] = [{ generation: 0, network: 'gen0000', elo: 0, low: 0, high: 0 }];
  let elo = 0;
  let variance = 0;
  for (const r of [...records].sort((a, b) => a.generation - b.generation)) {
    if (!r.decision?.done || !r.decision.promote) continue;
    elo += r.decision.elo.elo;
    const half = (r.decision.elo.high - r.decision.elo.low) / 2;
    variance += half * half;
    const sd = Math.sqrt(variance);
    chain.push({ generation: r.generation, network: r.candidate, elo, low: elo - sd, high: elo + sd });
  }
  return chain;
}

export function writeRunPlots(run: RunDir): string[] {
  const metrics = run.readMetrics();
  // A resumed training job logs its steps again from the last checkpoint: keep the latest value per step.
  const byStep = new Map<number, { policyLoss: number; valueLoss: number }>();
  for (const m of metrics) {
    if (m.kind === 'train' && typeof m.step === 'number') byStep.set(m.step, { policyLoss: Number(m.policyLoss), valueLoss: Number(m.valueLoss) });
  }
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  const policy: Point[] = steps.map((s) => ({ x: s, y: byStep.get(s)!.policyLoss }));
  const value: Point[] = steps.map((s) => ({ x: s, y: byStep.get(s)!.valueLoss }));
  const smooth = Math.max(1, Math.round(steps.length / 50));
  const files: string[] = [];
  const write = (name: string, svg: string): void => {
    const path = join(run.plotsDir, name);
    writeFileAtomic(path, svg);
    files.push(path);
  };
  write(
    'loss.svg',
    lineChartSvg({
      title: 'Training loss',
      xLabel: 'optimizer step',
      yLabel: 'loss',
      yMin: 0,
      series: [
        { name: 'policy (CE)', color: '#1f77b4', points: movingAverage(policy, smooth) },
        { name: 'value (MSE)', color: '#d62728', points: movingAverage(value, smooth) },
      ],
    }),
  );
  const records = readGatingRecords(run).filter((r) => r.decision !== null);
  const promoted = records.filter((r) => r.decision!.promote);
  const rejected = records.filter((r) => !r.decision!.promote);
  const rate = (r: GatingRecord): Point => ({ x: r.generation, y: r.decision!.winRate.rate, low: r.decision!.winRate.low, high: r.decision!.winRate.high });
  write(
    'gating.svg',
    lineChartSvg({
      title: 'Gating: candidate win rate against the best (95% CI)',
      xLabel: 'generation',
      yLabel: 'win rate',
      yMin: 0,
      yMax: 1,
      guides: [
        { y: 0.5, label: '50%' },
        { y: records[0]?.rule.threshold ?? 0.55, label: 'promotion threshold' },
      ],
      series: [
        { name: 'promoted', color: '#2ca02c', markers: true, line: false, points: promoted.map(rate) },
        { name: 'rejected', color: '#d62728', markers: true, line: false, points: rejected.map(rate) },
      ],
    }),
  );
  const chain = promotionChain(records);
  write(
    'elo.svg',
    lineChartSvg({
      title: 'Elo of promoted networks against gen0000',
      xLabel: 'generation',
      yLabel: 'Elo',
      series: [{ name: 'best network', color: '#9467bd', markers: true, points: chain.map((c) => ({ x: c.generation, y: c.elo, low: c.low, high: c.high })) }],
    }),
  );
  return files;
}
