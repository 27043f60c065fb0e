/** `tengen status --run RUN`: what a run has done so far, from its files alone (safe while it runs). */
import { existsSync } from 'node:fs';
import { generationName, type RunDir } from './run-dir.js';
import { readGatingRecords, promotionChain } from './run-plots.js';
import { formatWinRate } from './elo.js';
import { listShardFiles, readShardHeader } from './shards.js';

export interface GenerationStatus {
  generation: number;
  games: number;
  positions: number;
  shards: number;
  falseResignations: string;
  trainSteps: number;
  policyLoss: number | null;
  valueLoss: number | null;
  gate: string;
  promoted: boolean | null;
}

export interface RunStatus {
  root: string;
  boardSize: number;
  komi: number;
  net: string;
  state: string;
  best: string;
  bestElo: string;
  generations: GenerationStatus[];
  corruptShards: number;
  trainPositionsPerSecond: number | null;
  selfplayGamesPerHour: number | null;
  plots: string[];
}

export function runStatus(run: RunDir): RunStatus {
  const config = run.readConfig();
  const state = run.readState();
  const best = run.readBest();
  const metrics = run.readMetrics();
  const gating = new Map(readGatingRecords(run).map((r) => [r.generation, r]));
  const last = state?.generation ?? 0;
  const generations: GenerationStatus[] = [];
  let trainRate: number | null = null;
  let gamesPerHour: number | null = null;
  for (let g = 1; g <= last; g++) {
    const sp = metrics.filter((m) => m.kind === 'selfplay' && m.generation === g);
    const tr = metrics.filter((m) => m.kind === 'train' && m.generation === g);
    const shardFiles = listShardFiles(run.shardsDir(g));
    // Counted from the shard headers: a resumed self-play phase logs only the games of its last stretch.
    const headers = shardFiles.map(readShardHeader);
    const games = headers.reduce((n, h) => n + (h?.gameCount ?? 0), 0);
    const positions = headers.reduce((n, h) => n + (h?.recordCount ?? 0), 0);
    const would = sp.reduce((n, m) => n + Number(m.wouldResign ?? 0), 0);
    const falseR = sp.reduce((n, m) => n + Number(m.falseResignations ?? 0), 0);
    const lastTrain = tr[tr.length - 1];
    if (lastTrain) trainRate = Number(lastTrain.positionsPerSecond);
    const lastSp = sp[sp.length - 1];
    if (lastSp) gamesPerHour = Number(lastSp.gamesPerHour);
    const rec = gating.get(g);
    generations.push({
      generation: g,
      games,
      positions,
      shards: shardFiles.length,
      falseResignations: would > 0 ? `${falseR}/${would}` : '-',
      trainSteps: lastTrain ? Number(lastTrain.step) : 0,
      policyLoss: lastTrain ? Number(lastTrain.policyLoss) : null,
      valueLoss: lastTrain ? Number(lastTrain.valueLoss) : null,
      gate: rec?.decision ? `${formatWinRate(rec.decision.tally)}` : rec ? `${rec.games.length} games so far` : config.gate.alwaysPromote ? 'not gated' : '-',
      promoted: rec?.decision?.done ? rec.decision.promote : config.gate.alwaysPromote && g < last ? true : null,
    });
  }
  const chain = promotionChain([...gating.values()]);
  const top = chain[chain.length - 1]!;
  return {
    root: run.root,
    boardSize: config.boardSize,
    komi: config.komi,
    net: `${config.blocks} blocks × ${config.filters} filters`,
    state: state ? `generation ${state.generation}, ${state.phase} (since ${state.updated})` : 'not started',
    best: best?.name ?? '-',
    bestElo: `${top.elo.toFixed(0)} [${top.low.toFixed(0)}, ${top.high.toFixed(0)}] vs ${generationName(0)}`,
    generations,
    corruptShards: metrics.filter((m) => m.kind === 'corrupt-shard').length,
    trainPositionsPerSecond: trainRate,
    selfplayGamesPerHour: gamesPerHour,
    plots: ['loss.svg', 'gating.svg', 'elo.svg'].map((f) => `${run.plotsDir}/${f}`).filter((p) => existsSync(p)),
  };
}

export function formatStatus(s: RunStatus): string {
  const lines = [
    `run          ${s.root}`,
    `board        ${s.boardSize}x${s.boardSize}, komi ${s.komi}, net ${s.net}`,
    `state        ${s.state}`,
    `best         ${s.best}, Elo ${s.bestElo}`,
    `speed        self-play ${s.selfplayGamesPerHour?.toFixed(0) ?? '-'} games/h, training ${s.trainPositionsPerSecond?.toFixed(0) ?? '-'} positions/s`,
  ];
  if (s.corruptShards > 0) lines.push(`corrupt      ${s.corruptShards} corrupt shard report(s) in metrics.jsonl (skipped by training)`);
  lines.push('', 'gen  games  positions  false-resign  steps  policy-loss  value-loss  gating (candidate vs best)                        promoted');
  for (const g of s.generations) {
    lines.push(
      [
        String(g.generation).padStart(3),
        String(g.games).padStart(6),
        String(g.positions).padStart(10),
        g.falseResignations.padStart(13),
        String(g.trainSteps).padStart(6),
        (g.policyLoss?.toFixed(3) ?? '-').padStart(12),
        (g.valueLoss?.toFixed(3) ?? '-').padStart(11),
        `  ${g.gate.padEnd(50)}`,
        g.promoted === null ? '-' : g.promoted ? 'yes' : 'no',
      ].join(' '),
    );
  }
  if (s.plots.length > 0) lines.push('', `plots        ${s.plots.join('\n             ')}`);
  return `${lines.join('\n')}\n`;
}
