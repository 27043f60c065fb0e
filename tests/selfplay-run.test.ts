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
    // 2. The overlapped phase: candidate 1 has a training checkpoint while self-play has written part of block 2.
    const overlapped = await killWhen(
      root,
      config,
      () => run.readState()?.phase === 'train' && existsSync(join(run.trainDir(1), 'checkpoint.tgck')) && run.shardIndices(2).length >= 1 && !run.blockComplete(2, run.readConfig()),
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
    expect(all).toMatch(/selfplay: block 2 \(12 games\) by gen000[01], resuming at game [1-9]/);
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
