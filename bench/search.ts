/**
 * `npm run bench -- search [seconds] [--size 9] [--blocks 6] [--filters 64] [--batch 8] [--backend onnx]`:
 * tree search visits/s against raw net throughput at the same batch size, same run, same random-weight
 * net. Rows:
 *   raw net           evaluate() in a loop on random planes, batch = search batch, all cores
 *   search, in thread one MctsSearch in this thread on that evaluator (GTP's layout)
 *   tree alone        the same search on a free net: the tree's own cost per visit
 *   pool, 1 worker    one worker with its own session (all cores), one search at a time
 *   pool, 2 workers   two workers, a session each (cores / 2 threads), one search each at once
 *   pool, 2 workers, shared net   the net in this thread (batched across workers), trees in workers
 * Goal: search visits/s ≥ 0.8 × raw net positions/s (the tree is not the bottleneck).
 *
 * A pool row is compared with the raw net *in that pool*: the same workers run their own sessions in an
 * evaluate() loop (rawEvaluateJob), interleaved with the row's searches. Two one-thread sessions in two
 * workers are not the same machine as one two-thread session in this thread (here they are faster), so a
 * pool row against the in-thread raw net would measure the layouts, not the tree.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Game } from '../engine/game.js';
import { Rng } from '../engine/rng.js';
import { defaultNetConfig } from '../src/nn/config.js';
import { createEvaluator } from '../src/nn/create-evaluator.js';
import type { BackendName, Evaluator, NetInfo } from '../src/nn/evaluator.js';
import { evaluateFor, planesPerPosition } from '../src/nn/evaluator.js';
import { saveNet } from '../src/nn/model-io.js';
import { createNet } from '../src/nn/model.js';
import { gameFromSpec, gameToSpec, type GameSpec } from '../src/search/game-spec.js';
import { MctsSearch } from '../src/search/mcts.js';
import type { RawEvaluateArgs } from '../src/search/jobs.js';
import { compiledSearchModule, SearchPool } from '../src/search/pool.js';
import type { EvaluatorSource } from '../src/search/pool-types.js';
import { printTable } from './table.js';


export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      size: { type: 'string', default: '9' },
      blocks: { type: 'string' },
      filters: { type: 'string' },
      batch: { type: 'string', default: '8' },
      backend: { type: 'string', default: 'onnx' },
      visits: { type: 'string', default: '1600' },
    },
  });
  const seconds = Number(positionals[0] ?? 4);
  const size = Number(values.size);
  const batch = Number(values.batch);
  const backend = values.backend as BackendName;
  const visitsPerSearch = Number(values.visits);
  const config = defaultNetConfig(size, {
    ...(values.blocks !== undefined ? { blocks: Number(values.blocks) } : {}),
    ...(values.filters !== undefined ? { filters: Number(values.filters) } : {}),
  });
  const cores = availableParallelism();
  const net = createNet(config, { seed: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'tengen-bench-search-'));
  await saveNet(net, dir);
  net.model.dispose();
  console.log(`search bench: ${size}x${size} ${config.blocks}x${config.filters} random weights, backend ${backend}, batch ${batch}, ${cores} cores, ${visitsPerSearch} visits per search, ~${seconds} s per measured kind per row\n`);

  const positions = benchPositions(size);
  const rows: Record<string, string | number>[] = [];
  const evaluator = await createEvaluator({ modelDir: dir, backend, threads: cores });
  // The machine is shared: every figure is measured in short slices alternating with raw-net slices, so a
  // ratio compares two rates taken under the same load.
  const raw = rawSlice(evaluator, batch);
  try {
    const inThread = inThreadSlice(evaluator, positions, batch, visitsPerSearch);
    const [rawRate, searchRate] = await interleave([raw, inThread], seconds);
    rows.push({ row: 'raw net', workers: '-', threads: cores, 'positions|visits/s': rawRate!, 'vs raw': '1.00x' });
    rows.push({ row: 'search, in thread', workers: '-', threads: cores, 'positions|visits/s': searchRate!, 'vs raw': ratio(searchRate!, rawRate!) });
    // The tree alone (a free net with constant outputs): the ceiling the tree puts on any net.
    const [treeRate] = await interleave([inThreadSlice(freeNet(evaluator.info, batch), positions, batch, visitsPerSearch)], Math.min(seconds, 2));
    rows.push({ row: 'tree alone (free net)', workers: '-', threads: 1, 'positions|visits/s': treeRate!, 'vs raw': `${(1e6 / treeRate!).toFixed(1)} us/visit` });
    rows.push({ row: 'pool rows: vs the same workers\' raw net', workers: '', threads: '', 'positions|visits/s': '', 'vs raw': '' });
    for (const [label, workers, source] of [
      ['pool', 1, { kind: 'model', modelDir: dir, backend, threads: cores }],
      ['pool', 2, { kind: 'model', modelDir: dir, backend, threads: Math.max(1, Math.floor(cores / 2)) }],
      ['pool, shared net', 2, { kind: 'shared', evaluator, maxBatch: 4 * batch }],
    ] as [string, number, EvaluatorSource][]) {
      const pool = new SearchPool({ workers, evaluator: source });
      try {
        const reference = source.kind === 'model' ? poolRawSlice(pool, batch) : raw;
        const [rawHere, rate] = await interleave([reference, await poolSlice(pool, positions, batch, source.kind === 'shared' ? 2 : 1, visitsPerSearch)], seconds, 2000);
        const threads = source.kind === 'model' ? `${workers}x${source.threads}` : `${cores} (owner)`;
        if (source.kind === 'model') rows.push({ row: `  raw net in ${label}`, workers, threads, 'positions|visits/s': rawHere!, 'vs raw': '1.00x' });
        rows.push({ row: label, workers, threads, 'positions|visits/s': rate!, 'vs raw': ratio(rate!, rawHere!) });
      } finally {
        await pool.close();
      }
    }
  } finally {
    await evaluator.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
  console.log('\nvs raw: against raw net slices interleaved with that row\'s slices (batch ' + batch + '); a pool row against its own workers\' sessions');
  console.log('goal: search visits/s >= 0.80x raw net throughput at the same batch size');
}

/** Runs for about `ms` and returns how many positions (or visits) it did. */
type Slice = (ms: number) => Promise<number>;

/**
 * Alternates the slices (about `sliceMs` each) for `seconds` per slice kind; returns each one's rate per
 * second. Pool rows use longer slices: a slice ends only when every worker's search has, so workers idle
 * for part of a search at each slice end.
 */
async function interleave(slices: Slice[], seconds: number, sliceMs = 500): Promise<number[]> {
  const done = slices.map(() => 0);
  const time = slices.map(() => 0);
  for (const s of slices) await s(200); // warm-up
  const rounds = Math.max(1, Math.round((seconds * 1000) / sliceMs));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < slices.length; i++) {
      const t0 = performance.now();
      const slice = await slices[i]!(sliceMs);
      done[i]! += slice;
      time[i]! += performance.now() - t0;
    }
  }
  return done.map((d, i) => (d * 1000) / time[i]!);
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}x`;
}

/** Empty board and a few random middle-game positions, so trees are neither trivial nor degenerate. */
function benchPositions(size: number): GameSpec[] {
  const rng = new Rng(7);
  const out: GameSpec[] = [];
  for (const moves of [0, 10, 20, 30]) {
    const game = new Game(size);
    for (let i = 0; i < moves; i++) game.play(game.board.randomMove(rng));
    out.push(gameToSpec(game));
  }
  return out;
}

function rawSlice(evaluator: Evaluator, batch: number): Slice {
  const planes = new Float32Array(batch * planesPerPosition(evaluator.info));
  const rng = new Rng(3);
  for (let i = 0; i < planes.length; i++) planes[i] = rng.next() < 0.2 ? 1 : 0;
  return async (ms) => (await evaluateFor(evaluator, planes, batch, ms)).positions;
}

function inThreadSlice(evaluator: Evaluator, positions: GameSpec[], batch: number, visitsPerSearch: number): Slice {
  const games = positions.map(gameFromSpec);
  const search = new MctsSearch(evaluator, { batchSize: batch, seed: 1, treeReuse: false });
  let next = 0;
  return async (ms) => {
    const start = performance.now();
    let visits = 0;
    while (performance.now() - start < ms) {
      const result = await search.run(games[next++ % games.length]!, { visits: visitsPerSearch });
      visits += result.stats.playouts;
    }
    return visits;
  };
}

async function poolSlice(pool: SearchPool, positions: GameSpec[], batch: number, lanes: number, visitsPerSearch: number): Promise<Slice> {
  const params = { batchSize: batch, treeReuse: false, lanes };
  let next = 0;
  // Every worker builds its evaluator before timing starts.
  await Promise.all(Array.from({ length: pool.workers }, (_, i) => pool.search(positions[i % positions.length]!, { visits: 50 }, params)));
  return async (ms) => {
    const start = performance.now();
    let visits = 0;
    await Promise.all(
      Array.from({ length: pool.workers }, async () => {
        while (performance.now() - start < ms) {
          const i = next++;
          // Await first, then add: `visits += await …` reads `visits` before the await, so two workers'
          // loops would overwrite each other's counts (this bench once reported half the real rate).
          const result = await pool.search(positions[i % positions.length]!, { visits: visitsPerSearch }, { ...params, seed: i });
          visits += result.stats.playouts;
        }
      }),
    );
    return visits;
  };
}

/** Every worker of the pool runs its own session in an evaluate() loop at the same time. */
function poolRawSlice(pool: SearchPool, batch: number): Slice {
  const job = { url: compiledSearchModule('jobs').href, exportName: 'rawEvaluateJob' };
  return async (ms) => {
    const results = await Promise.all(
      Array.from({ length: pool.workers }, () => pool.runJob<RawEvaluateArgs, { positions: number }>(job, { batch, ms })),
    );
    return results.reduce((sum, r) => sum + r.positions, 0);
  };
}

/** An evaluator that costs nothing: uniform priors and small fixed values, outputs allocated once. */
function freeNet(info: NetInfo, batch: number): Evaluator {
  const actions = info.boardSize * info.boardSize + 1;
  const policy = new Float32Array(batch * actions).fill(1 / actions);
  const value = Float32Array.from({ length: batch }, (_, i) => ((i * 37) % 11) / 50 - 0.1);
  return { info, evaluate: async () => ({ policy, value }), dispose: async () => {} };
}
