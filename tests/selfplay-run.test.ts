/**
 * `tengen run` is killed with SIGKILL at moments in each phase (self-play, training, gating), during the
 * overlapped phase (candidate 1 training or gating while self-play plays block 2), and at random moments
 * under both pipelines, then resumed until it finishes: every shard must validate, no game may be missing
 * or doubled, every network must load with its checksums, the gating records and metrics must parse, and
 * the records of who played and who trained on which games must agree with the games.
 * Runs the compiled CLI (npm test builds it first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNet, readNetMetadata } from '../src/nn/model-io.js';
import { RunDir, shardNetwork } from '../selfplay/run-dir.js';
import { listShardFiles, loadShards } from '../selfplay/shards.js';
import { readGatingRecords } from '../selfplay/run-plots.js';
import { runStatus } from '../selfplay/status.js';
import { defaultRunConfig } from '../selfplay/config.js';
import { blockNetwork } from '../selfplay/run.js';
import { playSelfplayGames, standaloneSgfPath, standaloneShardPath } from '../selfplay/selfplay.js';
import { SearchPool } from '../src/search/pool.js';

const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

const GAMES = 12;
const PER_SHARD = 2;

type Pipeline = 'overlapped' | 'sequential';

function startRun(root: string, config: string, pipeline: Pipeline): { child: ChildProcess; done: Promise<number | null>; output: () => string } {
  const args = [cli, 'run', '--run', root, '--config', config, '--size', '5', '--generations', '2', '--backend', 'onnx', '--threads', '1', '--no-progress', '--pipeline', pipeline];
  // Overlapped: one self-play worker and one training thread, as on a 2-core machine.
  if (pipeline === 'overlapped') args.push('--workers', '1', '--train-threads', '1');
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, done, output: () => out };
}

async function killWhen(root: string, config: string, condition: () => boolean, extraDelayMs = 0, pipeline: Pipeline = 'overlapped'): Promise<string> {
  const r = startRun(root, config, pipeline);
  const deadline = Date.now() + 40_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not reached; output:\n${r.output()}`);
    const exited = await Promise.race([r.done.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), 10))]);
    if (exited) return r.output();
  }
  if (extraDelayMs > 0) await new Promise((res) => setTimeout(res, extraDelayMs));
  r.child.kill('SIGKILL');
  await r.done;
  return `${r.output()}\n[killed]`;
}

describe('tengen run survives SIGKILL', () => {
  it('resumes after kills in self-play, training and gating with no lost or corrupt data', { timeout: 180_000 }, async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run tsc (npm test does) before this test`);
    const base = mkdtempSync(join(tmpdir(), 'tengen-kill-'));
    const root = join(base, 'run');
    const config = join(base, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        komi: 0.5,
        blocks: 1,
        filters: 8,
        selfplay: { gamesPerGeneration: GAMES, gamesPerShard: PER_SHARD, visits: 8, parallelGames: 2 },
        train: { stepsPerGeneration: 150, batchSize: 16, checkpointEvery: 5, bnCalibrationBatches: 4 },
        gate: { rule: 'threshold', games: 6, threshold: 0.5, visits: 8 },
      }),
    );
    const run = new RunDir(root);
    const logs: string[] = [];
    // 1. During self-play of generation 1, once a shard is on disk.
    logs.push(await killWhen(root, config, () => run.shardIndices(1).length >= 1));
    // 2. The overlapped phase: candidate 1 trains (a checkpoint is on disk) while self-play plays block 2.
    const overlapped = await killWhen(
      root,
      config,
      () => run.readState()?.phase === 'train' && existsSync(join(run.trainDir(1), 'checkpoint.tgck')) && run.readSelfplayBlock(2) !== null && !run.blockComplete(2, run.readConfig()),
    );
    logs.push(overlapped);
    // 3. During gating of generation 1, after its first game is recorded.
    logs.push(await killWhen(root, config, () => existsSync(run.gatingPath(1))));
    // 4. Random moments in generation 2, under either pipeline (a run may be resumed with the other one).
    for (const [delay, pipeline] of [[150, 'sequential'], [700, 'overlapped'], [1300, 'sequential']] as const) {
      logs.push(await killWhen(root, config, () => run.readState()?.generation === 2, delay, pipeline));
    }
    // Then to the end.
    const last = startRun(root, config, 'overlapped');
    const code = await last.done;
    const all = logs.join('\n') + last.output();
    expect(code, all).toBe(0);
    expect(overlapped, 'the overlapped phase was reached and killed').toMatch(/\[killed\]$/);
    expect(all).toMatch(/selfplay: block 1 \(12 games\) by gen0000, resuming at game [1-9]/);
    expect(all).toMatch(/train: resuming generation 1 at step [1-9]/);

    expect(run.readState()).toMatchObject({ generation: 3, phase: 'selfplay' });
    for (const g of [1, 2]) {
      const files = listShardFiles(run.shardsDir(g));
      const loaded = loadShards(files, { boardSize: 5 });
      expect(loaded.corrupt).toEqual([]);
      expect(run.shardIndices(g)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(loaded.shards.reduce((n, s) => n + s.header.gameCount, 0)).toBe(GAMES);
      const sgfs = readdirSync(run.gamesDir(g)).filter((f) => f.endsWith('.sgf')).sort();
      expect(sgfs).toHaveLength(GAMES);
      // Every game was played by the network its block record names for its shard, an earlier generation.
      const block = run.readSelfplayBlock(g)!;
      expect(block.segments.length).toBeGreaterThan(0);
      for (const seg of block.segments) expect(seg.networkGeneration).toBeLessThan(g);
      sgfs.forEach((f, i) => {
        const network = shardNetwork(block, Math.floor(i / PER_SHARD));
        expect(readFileSync(join(run.gamesDir(g), f), 'utf8')).toContain(`PB[${network}]`);
      });
      // Candidate g trained on blocks 1..g, every shard of them, and the record names who played each.
      const window = run.readWindow(g)!;
      expect(window.blocks.map((b) => b.generation)).toEqual(g === 1 ? [1] : [1, 2]);
      for (const b of window.blocks) {
        expect(b.shards.map((s) => s.path)).toEqual(run.shardIndices(b.generation).map((i) => join('shards', `gen000${b.generation}`, `shard-0000${i}.tgsh`)));
        b.shards.forEach((s, i) => expect(s.network).toBe(shardNetwork(run.readSelfplayBlock(b.generation), i)));
      }
      expect(window.games).toBe(g * GAMES);
      const meta = await readNetMetadata(run.networkDir(g));
      expect(meta.trainingSteps).toBeGreaterThanOrEqual(40);
      const net = await loadNet(run.networkDir(g));
      net.model.dispose();
    }
    const records = readGatingRecords(run);
    expect(records.map((r) => r.generation)).toEqual([1, 2]);
    for (const r of records) {
      expect(r.decision?.done).toBe(true);
      expect(new Set(r.games.map((g) => g.index)).size).toBe(r.games.length);
      for (const g of r.games) expect(existsSync(join(run.gatingGamesDir(r.generation), g.sgf))).toBe(true);
    }
    expect(readdirSync(run.root, { recursive: true }).some((f) => String(f).includes('.tmp-'))).toBe(false);
    const status = runStatus(run);
    expect(status.generations.slice(0, 2).map((g) => g.games)).toEqual([GAMES, GAMES]);
    expect(status.running).toBeNull();
    expect(run.readMetrics().filter((m) => m.kind === 'pipeline').length).toBeGreaterThanOrEqual(1);
    expect(status.plots.length).toBe(3);
    const best = run.readBest()!;
    expect(['gen0000', 'gen0001', 'gen0002']).toContain(best.name);
  });
});

describe('self-play switches network at a promotion', () => {
  it('drains the workers: games in flight finish, only complete shards are kept, and the next call goes on from there', { timeout: 60_000 }, async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run tsc (npm test does) before this test`);
    const out = mkdtempSync(join(tmpdir(), 'tengen-drain-'));
    const config = defaultRunConfig(5, { komi: 0.5, selfplay: { visits: 8, gamesPerShard: 2, parallelGames: 2, gamesPerGeneration: 16 } });
    const pool = new SearchPool({ workers: 2, evaluator: { kind: 'simple', boardSize: 5, komi: 0.5 } });
    const base = { size: 5, komi: 0.5, config: config.selfplay, shardPath: (i: number) => standaloneShardPath(out, i), sgfPath: (i: number) => standaloneSgfPath(out, i), seed: 5, networkName: 'simple', pool };
    try {
      const drain = new AbortController();
      const first = await playSelfplayGames({ ...base, firstGame: 0, games: 16, drain: drain.signal, onShard: () => drain.abort() });
      const kept = listShardFiles(out).length;
      // Stopped early, with whole shards only: every game counted is in a shard, shards 0..kept-1.
      expect(kept).toBeGreaterThanOrEqual(1);
      expect(kept).toBeLessThan(8);
      expect(first.games).toBe(kept * 2);
      const rest = await playSelfplayGames({ ...base, firstGame: kept * 2, games: 16 - kept * 2 });
      expect(first.games + rest.games).toBe(16);
      const loaded = loadShards(listShardFiles(out), { boardSize: 5 });
      expect(loaded.corrupt).toEqual([]);
      expect(loaded.shards.map((s) => s.header.gameCount)).toEqual(new Array(8).fill(2));
    } finally {
      await pool.close();
    }
  });

  it('records a new segment for the new best from the next shard, and forgets segments no shard was written for', () => {
    const run = new RunDir(join(mkdtempSync(join(tmpdir(), 'tengen-segments-')), 'run'));
    run.create(defaultRunConfig(5));
    const best = (g: number) => run.writeBest({ name: `gen000${g}`, generation: g, elo: 0, eloLow: 0, eloHigh: 0, promotedAt: '' });
    best(0);
    expect(blockNetwork(run, 3, 0).network).toBe('gen0000');
    expect(blockNetwork(run, 3, 2).network).toBe('gen0000');
    best(2);
    expect(blockNetwork(run, 3, 4)).toEqual({ fromShard: 4, network: 'gen0002', networkGeneration: 2 });
    const block = run.readSelfplayBlock(3)!;
    expect([0, 3, 4, 9].map((i) => shardNetwork(block, i))).toEqual(['gen0000', 'gen0000', 'gen0002', 'gen0002']);
    // Killed before shard 4 was written and resumed at shard 1 after another promotion: gen0002 played nothing.
    best(3);
    expect(blockNetwork(run, 3, 1)).toEqual({ fromShard: 1, network: 'gen0003', networkGeneration: 3 });
    expect(run.readSelfplayBlock(3)!.segments.map((s) => [s.fromShard, s.network])).toEqual([
      [0, 'gen0000'],
      [1, 'gen0003'],
    ]);
  });
});
