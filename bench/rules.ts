/**
 * `npm run bench -- rules [seconds] [--repeat N] [--no-perft]`: single-threaded uniformly random light
 * playouts on empty 9x9 and 19x19 (no own-eye filling, suicide forbidden, until two passes), and perft depth 4
 * on empty 9x9.
 * Reference (same machine class, one core): Pachi 67k playouts/s on 9x9, 16.7k on 19x19.
 * Rows marked `superko-32` play the same playouts with randomPlayout's superko window (a ko-shaped capture
 * recreating a position reached by one of the last 32 ko captures is refused), which ends the multi-ko
 * cycles that otherwise run to the move cap. `cpu playouts/s` divides by this process's CPU time, steadier
 * than wall time on a busy machine. With `--repeat N` each row is timed N times: the table shows the best
 * run and the median of the runs (a busy machine only ever makes a run slower).
 */
import { parseArgs } from 'node:util';
import { Board, Rng, perft, randomPlayout } from '../engine/index.js';
import { printTable } from './table.js';

/** Pachi (C), one core, same machine class: playouts/s and average moves per playout. */
const PACHI: Record<number, { playouts: number; moves: number }> = {
  9: { playouts: 67_000, moves: 107 },
  19: { playouts: 16_700, moves: 451 },
};

interface Timing {
  playoutsPerSecond: number;
  cpuPlayoutsPerSecond: number;
  movesPerPlayout: number;
  cappedFraction: number;
}

/** Plays playouts from `start` for `seconds` and reports the rates. */
function timePlayouts(start: Board, board: Board, rng: Rng, seconds: number, superkoWindow: number): Timing {
  let playouts = 0;
  let moves = 0;
  let capped = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < 50; i++) {
      board.copyFrom(start);
      moves += randomPlayout(board, rng, board.area * 2, superkoWindow);
      if (board.passes < 2) capped++;
      playouts++;
    }
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    playoutsPerSecond: playouts / elapsed,
    cpuPlayoutsPerSecond: playouts / ((cpu.user + cpu.system) / 1e6),
    movesPerPlayout: moves / playouts,
    cappedFraction: capped / playouts,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { repeat: { type: 'string', default: '1' }, 'no-perft': { type: 'boolean', default: false } },
  });
  const seconds = Number(positionals[0] ?? 3);
  const repeat = Number(values.repeat);
  if (!(seconds > 0)) throw new Error(`bench rules: seconds must be a positive number, got ${positionals[0]}`);
  if (!Number.isInteger(repeat) || repeat < 1) {
    throw new Error(`bench rules: --repeat must be a positive integer, got ${values.repeat}`);
  }
  const rows: Record<string, string | number>[] = [];
  for (const [size, superkoWindow] of [[9, 0], [19, 0], [9, 32], [19, 32]] as const) {
    const start = new Board(size);
    const board = new Board(size);
    const rng = new Rng(42);
    // Warm-up so the JIT has compiled the hot paths before timing.
    for (let i = 0; i < 200; i++) {
      board.copyFrom(start);
      randomPlayout(board, rng, board.area * 2, superkoWindow);
    }
    const runs = Array.from({ length: repeat }, () => timePlayouts(start, board, rng, seconds, superkoWindow));
    const best = runs.reduce((a, b) => (b.playoutsPerSecond > a.playoutsPerSecond ? b : a));
    const pachi = PACHI[size]!;
    rows.push({
      board: `${size}x${size}${superkoWindow > 0 ? ` superko-${superkoWindow}` : ''}`,
      'playouts/s': best.playoutsPerSecond,
      ...(repeat > 1 ? { 'median playouts/s': median(runs.map((r) => r.playoutsPerSecond)) } : {}),
      'cpu playouts/s': Math.max(...runs.map((r) => r.cpuPlayoutsPerSecond)),
      'moves/s': best.playoutsPerSecond * best.movesPerPlayout,
      'moves/playout': best.movesPerPlayout,
      'capped (ko cycles)': `${(100 * best.cappedFraction).toFixed(0)}%`,
      'vs Pachi playouts/s': `${(best.playoutsPerSecond / pachi.playouts).toFixed(2)}x`,
      'vs Pachi moves/s': `${((best.playoutsPerSecond * best.movesPerPlayout) / (pachi.playouts * pachi.moves)).toFixed(2)}x`,
    });
  }
  printTable(rows);
  if (!values['no-perft']) {
    const t0 = performance.now();
    const n = perft(new Board(9), 4);
    const s = (performance.now() - t0) / 1000;
    console.log(`\nperft(empty 9x9, 4) = ${n.toLocaleString('en-US')} (expected 39,929,136) in ${s.toFixed(1)} s`);
  }
}
