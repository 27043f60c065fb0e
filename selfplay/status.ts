/** `tengen status --run RUN`: what a run has done so far, from its files alone (safe while it runs). */
import { existsSync } from 'node:fs';
import { generationName, type RunActivity, type RunDir } from './run-dir.js';
import { activityIsLive } from './run-activity.js';
import { pipelineFigures } from './run.js';
import { readGatingRecords, promotionChain } from './run-plots.js';
import { formatWinRate } from './elo.js';
import { listShardFiles, readShardHeader } from './shards.js';

export interface GenerationStatus {
  generation: number;
  games: number;
  positions: number;
  shards: number;
  falseResignations: string;
  /** The networks that played self-play block g (more than one when a promotion came while it was played). */
  playedBy: string[];
  /** The self-play blocks candidate g trained on (windows/genNNNN.json), e.g. '1-3'. */
  trainedOn: string;
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
  selfplayPositionsPerSecond: number | null;
  /** What the running process does now; null when no process has reported or it is gone. */
  running: string[] | null;
  /** The last generation's pipeline figures ('pipeline' metric), and the throughput ratio of training to self-play. */
  pipeline: { mode: string; generationSeconds: number; trainSeconds: number; gateSeconds: number; selfplaySeconds: number | null; learnerWaitSeconds: number; selfplayIdleSeconds: number } | null;
  trainToSelfplayRatio: number | null;
  learnerToSelfplayTime: number | null;
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
  let positionsPerSecond: number | null = null;
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
    if (lastSp && Number(lastSp.games) > 0) {
      gamesPerHour = Number(lastSp.gamesPerHour);
      positionsPerSecond = Number(lastSp.positions) / Number(lastSp.seconds ?? Number.NaN);
      if (!Number.isFinite(positionsPerSecond)) positionsPerSecond = null;
    }
    const rec = gating.get(g);
    const block = run.readSelfplayBlock(g);
    const window = run.readWindow(g);
    const windowBlocks = window?.blocks.map((b) => b.generation) ?? [];
    generations.push({
      generation: g,
      games,
      positions,
      shards: shardFiles.length,
      falseResignations: would > 0 ? `${falseR}/${would}` : '-',
      playedBy: block?.segments.map((seg) => seg.network) ?? [],
      trainedOn: windowBlocks.length === 0 ? '-' : windowBlocks.length === 1 ? `${windowBlocks[0]}` : `${Math.min(...windowBlocks)}-${Math.max(...windowBlocks)}`,
      trainSteps: lastTrain ? Number(lastTrain.step) : 0,
      policyLoss: lastTrain ? Number(lastTrain.policyLoss) : null,
      valueLoss: lastTrain ? Number(lastTrain.valueLoss) : null,
      gate: rec?.decision ? `${formatWinRate(rec.decision.tally)}` : rec ? `${rec.games.length} games so far` : config.gate.alwaysPromote ? 'not gated' : '-',
      promoted: rec?.decision?.done ? rec.decision.promote : config.gate.alwaysPromote && g < last ? true : null,
    });
  }
  // Self-play may run one block ahead of state.json (overlapped pipeline): show that block too.
  const ahead = last + 1;
  if (run.shardIndices(ahead).length > 0 || run.readSelfplayBlock(ahead) !== null) {
    const headers = listShardFiles(run.shardsDir(ahead)).map(readShardHeader);
    generations.push({
      generation: ahead,
      games: headers.reduce((n, h) => n + (h?.gameCount ?? 0), 0),
      positions: headers.reduce((n, h) => n + (h?.recordCount ?? 0), 0),
      shards: headers.length,
      falseResignations: '-',
      playedBy: run.readSelfplayBlock(ahead)?.segments.map((seg) => seg.network) ?? [],
      trainedOn: '-',
      trainSteps: 0,
      policyLoss: null,
      valueLoss: null,
      gate: '-',
      promoted: null,
    });
  }
  const pipelineEvents = metrics.filter((m) => m.kind === 'pipeline');
  const p = pipelineEvents[pipelineEvents.length - 1];
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const pipeline =
    p === undefined
      ? null
      : {
          mode: String(p.pipeline),
          generationSeconds: Number(p.generationSeconds),
          trainSeconds: Number(p.trainSeconds),
          gateSeconds: Number(p.gateSeconds),
          selfplaySeconds: num(p.selfplaySeconds),
          learnerWaitSeconds: Number(p.learnerWaitSeconds),
          selfplayIdleSeconds: Number(p.selfplayIdleSeconds),
        };
  const figures = pipelineFigures(trainRate, positionsPerSecond, pipeline ? pipeline.trainSeconds + pipeline.gateSeconds : null, pipeline?.selfplaySeconds ?? null);
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
    selfplayPositionsPerSecond: positionsPerSecond,
    running: describeActivity(run.readActivity()),
    pipeline,
    trainToSelfplayRatio: figures.trainToSelfplayRatio,
    learnerToSelfplayTime: num(p?.learnerToSelfplayTime) ?? figures.learnerToSelfplayTime,
    plots: ['loss.svg', 'gating.svg', 'elo.svg'].map((f) => `${run.plotsDir}/${f}`).filter((p) => existsSync(p)),
  };
}

/** Lines saying what the run's process is doing, or null when none is running. */
function describeActivity(a: RunActivity | null): string[] | null {
  if (a === null || a.format !== 'tengen-run-activity') return null;
  if (!activityIsLive(a) || (a.learner === null && a.selfplay === null)) return null;
  const lines = [`pid ${a.pid}, ${a.pipeline} pipeline, since ${a.startedAt} (updated ${a.updated})`];
  const sp = a.selfplay;
  lines.push(
    sp !== null
      ? `self-play    block ${sp.generation} by ${sp.network}: ${sp.games}/${sp.total} games` +
          (sp.gamesPerHour !== null ? `, ${sp.gamesPerHour.toFixed(0)} games/h` : '') +
          (sp.workers > 0 ? ` (${sp.workers} worker(s) × ${sp.threadsPerWorker} thread(s))` : ` (this thread, ${sp.threadsPerWorker} thread(s))`)
      : `self-play    idle: ${a.selfplayWaiting ?? '-'}`,
  );
  const l = a.learner;
  if (l !== null) {
    const progress = l.total > 0 ? ` ${l.done}/${l.total}` : '';
    lines.push(`learner      generation ${l.generation} ${l.phase}${progress}: ${l.detail} (${l.threads} thread(s))`);
  }
  return lines;
}

export function formatStatus(s: RunStatus): string {
  const lines = [
    `run          ${s.root}`,
    `board        ${s.boardSize}x${s.boardSize}, komi ${s.komi}, net ${s.net}`,
    `state        ${s.state}`,
    `best         ${s.best}, Elo ${s.bestElo}`,
    `speed        self-play ${s.selfplayGamesPerHour?.toFixed(0) ?? '-'} games/h (${s.selfplayPositionsPerSecond?.toFixed(1) ?? '-'} positions/s), training ${s.trainPositionsPerSecond?.toFixed(0) ?? '-'} positions/s`,
    `ratio        training/self-play throughput ${s.trainToSelfplayRatio?.toFixed(1) ?? '-'}` +
      (s.learnerToSelfplayTime !== null ? `; learner/self-play time per generation ${s.learnerToSelfplayTime.toFixed(2)} (${s.learnerToSelfplayTime <= 1 ? 'training keeps up with self-play' : 'training is the slower side'})` : ''),
  ];
  if (s.pipeline !== null) {
    const p = s.pipeline;
    lines.push(
      `last gen     ${p.generationSeconds.toFixed(1)} s (${p.mode}): train ${p.trainSeconds.toFixed(1)} s, gate ${p.gateSeconds.toFixed(1)} s, ` +
        `self-play ${p.selfplaySeconds?.toFixed(1) ?? '-'} s; learner waited ${p.learnerWaitSeconds.toFixed(1)} s, self-play idle ${p.selfplayIdleSeconds.toFixed(1)} s`,
    );
  }
  lines.push(...(s.running === null ? ['running      no (no live tengen run process for this run)'] : [`running      ${s.running[0]}`, ...s.running.slice(1).map((l) => `  ${l}`)]));
  if (s.corruptShards > 0) lines.push(`corrupt      ${s.corruptShards} corrupt shard report(s) in metrics.jsonl (skipped by training)`);
  lines.push('', 'gen  games  positions  played-by        false-resign  trained-on  steps  policy-loss  value-loss  gating (candidate vs best)                        promoted');
  for (const g of s.generations) {
    lines.push(
      [
        String(g.generation).padStart(3),
        String(g.games).padStart(6),
        String(g.positions).padStart(10),
        ` ${(g.playedBy.join('+') || '-').padEnd(16)}`,
        g.falseResignations.padStart(12),
        g.trainedOn.padStart(11),
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
