/**
 * `npm run bench -- lee-search [--set DIR] [--seconds S] [--threads N]`: the AlphaGo-Lee search (lee-search.ts)
 * on 9x9 positions: visits/s, rollouts/s and net positions/s in one search thread, for several n_thr
 * (expandThreshold) and λ, next to rollout-only MCTS. The set defaults to models/9x9-lee.
 * Wall-clock rates (the nets run on onnxruntime's own threads while the rollouts use the JS thread), and
 * visits per CPU-second of this process (all its threads), which stays comparable on a shared machine.
 */
import { existsSync } from 'node:fs';
import { Game } from '../engine/index.js';
import { leeSearch, rolloutSearch, type LeePlayer } from '../src/lee/lee-search.js';
import type { LeeEvaluator } from '../src/lee/lee-evaluator.js';
import { printTable } from './table.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** A few opening moves so the search is not on the empty board only. */
function position(moves: number[]): Game {
  const game = new Game(9, { komi: 7.5 });
  for (const m of moves) game.play(m);
  return game;
}

async function measure(player: LeePlayer, seconds: number): Promise<Record<string, number>> {
  const games = [position([]), position([40, 30, 32, 50]), position([40, 30, 32, 50, 22, 58, 48, 24, 31, 39])];
  await player.search.run(games[0]!, { visits: 50 }); // warm-up (sessions, JIT)
  player.search.reset();
  const rollouts0 = player.leaf.rollouts;
  const moves0 = player.leaf.rolloutMoves;
  const lee = player.mode === 'lee' ? (player.evaluator as LeeEvaluator) : null;
  const positions0 = lee?.positions ?? 0;
  let visits = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (const game of games) {
    player.search.reset();
    player.leaf.setKomi(game.effectiveKomi);
    const r = await player.search.run(game, { timeMs: (seconds * 1000) / games.length, visits: 1e9 });
    visits += r.stats.playouts;
  }
  const sec = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const rollouts = player.leaf.rollouts - rollouts0;
  return {
    'visits/s': visits / sec,
    'visits/cpu-s': visits / cpuSec,
    'cpu use': cpuSec / sec,
    'rollouts/s': rollouts / sec,
    'rollout moves': (player.leaf.rolloutMoves - moves0) / Math.max(1, rollouts),
    'net pos/s': lee === null ? 0 : (lee.positions - positions0) / sec,
  };
}

export async function run(args: string[]): Promise<void> {
  const set = option(args, 'set') ?? 'models/9x9-lee';
  const seconds = Number(option(args, 'seconds') ?? 6);
  const threads = option(args, 'threads') === undefined ? undefined : Number(option(args, 'threads'));
  const rows: Record<string, string | number>[] = [];
  if (!existsSync(set)) console.log(`no model set at ${set}: only rollout-only MCTS is measured (give --set DIR)`);
  else {
    console.log(`model set: ${set}, ${seconds} s per row over 3 positions`);
    for (const [lambda, n] of [
      [0.5, 1],
      [0.5, 4],
      [0.5, 8],
      [0.5, 16],
      [0, 1],
      [1, 4],
    ] as const) {
      const player = await leeSearch(set, 7.5, { threads, seed: 1, config: { lambda, expandThreshold: n }, params: { seed: 1 } });
      try {
        rows.push({ search: `lee λ=${lambda}`, n_thr: n, ...(await measure(player, seconds)) });
      } finally {
        await player.dispose();
      }
    }
  }
  for (const n of [1, 4]) {
    const player = rolloutSearch(9, 7.5, { seed: 1, config: { expandThreshold: n }, params: { seed: 1 } });
    rows.push({ search: 'rollout-only', n_thr: n, ...(await measure(player, seconds)) });
    await player.dispose();
  }
  printTable(rows);
}
