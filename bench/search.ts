/**
 * `npm run bench -- search [seconds] [--size 9] [--blocks 6] [--filters 64] [--batch 8] [--backend onnx]`:
 * tree search visits/s against raw net throughput at the same batch size, same run, same random-weight
 * net. Rows:
 *   raw net           evaluate() in a loop on random planes, batch = search batch, all cores
 *   search, in thread one MctsSearch in this thread on that evaluator (GTP's layout)
 *   pool, 1 worker    one worker with its own session (all cores), one search at a time
 *   pool, 2 workers   two workers, a session each (cores / 2 threads), one search each at once
 *   pool, 2 workers, shared net   the net in this thread (batched across workers), trees in workers
 * Goal: search visits/s ≥ 0.8 × raw net positions/s (the tree is not the bottleneck).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Game } from '../engine/game.js';
import { Rng } from '../engine/rng.js';
import { defaultNetConfig } from '../src/nn/config.js';
import { createEvaluator } from '../src/nn/create-evaluator.js';
import type { BackendName, Evaluator } from '../src/nn/evaluator.js';
import { planesPerPosition } from '../src/nn/evaluator.js';
import { saveNet } from '../src/nn/model-io.js';
import { createNet } from '../src/nn/model.js';
import { gameToSpec, type GameSpec } from '../src/search/game-spec.js';
import { MctsSearch } from '../src/search/mcts.js';
import { SearchPool } from '../src/search/pool.js';
import type { EvaluatorSource } from '../src/search/pool-types.js';
import { printTable } from './table.js';

const VISITS_PER_SEARCH = 800;

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
    },
  });
  const seconds = Number(positionals[0] ?? 4);
  const size = Number(values.size);
  const batch = Number(values.batch);
  const backend = values.backend as BackendName;
  const config = defaultNetConfig(size, {
    ...(values.blocks !== undefined ? { blocks: Number(values.blocks) } : {}),
    ...(values.filters !== undefined ? { filters: Number(values.filters) } : {}),
  });
  const cores = availableParallelism();
  const net = createNet(config, { seed: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'tengen-bench-search-'));
  await saveNet(net, dir);
  net.model.dispose();
  console.log(`search bench: ${size}x${size} ${config.blocks}x${config.filters} random weights, backend ${backend}, batch ${batch}, ${cores} cores, ${VISITS_PER_SEARCH} visits per search, ~${seconds} s per row\n`);

  const positions = benchPositions(size);
  const rows: Record<string, string | number>[] = [];
  const evaluator = await createEvaluator({ modelDir: dir, backend, threads: cores });
  try {
    const raw = await rawRate(evaluator, batch, seconds);
    rows.push({ row: 'raw net', workers: '-', threads: cores, 'positions|visits/s': raw, 'vs raw': '1.00x' });
    const inThread = await inThreadRate(evaluator, positions, batch, seconds);
    rows.push({ row: 'search, in thread', workers: '-', threads: cores, 'positions|visits/s': inThread, 'vs raw': `${(inThread / raw).toFixed(2)}x` });
    for (const [label, workers, source] of [
      ['pool', 1, { kind: 'model', modelDir: dir, backend, threads: cores }],
      ['pool', 2, { kind: 'model', modelDir: dir, backend, threads: Math.max(1, Math.floor(cores / 2)) }],
      ['pool, shared net', 2, { kind: 'shared', evaluator, maxBatch: 4 * batch }],
    ] as [string, number, EvaluatorSource][]) {
      const rate = await poolRate(workers, source, positions, batch, seconds);
      const threads = source.kind === 'model' ? `${workers}x${source.threads}` : `${cores} (owner)`;
      rows.push({ row: label, workers, threads, 'positions|visits/s': rate, 'vs raw': `${(rate / raw).toFixed(2)}x` });
    }
  } finally {
    await evaluator.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
  console.log('\ngoal: search visits/s >= 0.80x raw net throughput at the same batch size');
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

async function rawRate(evaluator: Evaluator, batch: number, seconds: number): Promise<number> {
  const planes = new Float32Array(batch * planesPerPosition(evaluator.info));
  const rng = new Rng(3);
  for (let i = 0; i < planes.length; i++) planes[i] = rng.next() < 0.2 ? 1 : 0;
  for (let i = 0; i < 20; i++) await evaluator.evaluate(planes, batch);
  const start = performance.now();
  let done = 0;
  while (performance.now() - start < seconds * 1000) {
    await evaluator.evaluate(planes, batch);
    done += batch;
  }
  return (done * 1000) / (performance.now() - start);
}

async function inThreadRate(evaluator: Evaluator, positions: GameSpec[], batch: number, seconds: number): Promise<number> {
  const { gameFromSpec } = await import('../src/search/game-spec.js');
  const games = positions.map(gameFromSpec);
  const search = new MctsSearch(evaluator, { batchSize: batch, seed: 1, treeReuse: false });
  await search.run(games[0]!, { visits: 200 }); // warm-up
  const start = performance.now();
  let visits = 0;
  for (let i = 0; performance.now() - start < seconds * 1000; i++) {
    visits += (await search.run(games[i % games.length]!, { visits: VISITS_PER_SEARCH })).stats.playouts;
  }
  return (visits * 1000) / (performance.now() - start);
}

async function poolRate(workers: number, source: EvaluatorSource, positions: GameSpec[], batch: number, seconds: number): Promise<number> {
  const pool = new SearchPool({ workers, evaluator: source });
  try {
    const params = { batchSize: batch, treeReuse: false, lanes: source.kind === 'shared' ? 2 : 1 };
    // Warm-up: every worker builds its evaluator and compiles the search.
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.search(positions[i % positions.length]!, { visits: 100 }, params)));
    const start = performance.now();
    let visits = 0;
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (let i = w; performance.now() - start < seconds * 1000; i += workers) {
          visits += (await pool.search(positions[i % positions.length]!, { visits: VISITS_PER_SEARCH }, { ...params, seed: i })).stats.playouts;
        }
      }),
    );
    return (visits * 1000) / (performance.now() - start);
  } finally {
    await pool.close();
  }
}
