/**
 * `npm run bench -- rules [seconds]`: single-threaded uniformly random light playouts on empty 9x9 and
 * 19x19 (no own-eye filling, suicide forbidden, until two passes), and perft depth 4 on empty 9x9.
 * Reference (same machine class, one core): Pachi 67k playouts/s on 9x9, 16.7k on 19x19.
 * Rows marked `superko-32` play the same playouts with randomPlayout's superko window (a ko-shaped capture
 * recreating a position reached by one of the last 32 ko captures is refused), which ends the multi-ko
 * cycles that otherwise run to the move cap. `cpu playouts/s` divides by this process's CPU time, steadier than wall time on a busy machine.
 */
import { Board, Rng, perft, randomPlayout } from '../engine/index.js';
import { printTable } from './table.js';

/** Pachi (C), one core, same machine class: playouts/s and average moves per playout. */
const PACHI: Record<number, { playouts: number; moves: number }> = {
  9: { playouts: 67_000, moves: 107 },
  19: { playouts: 16_700, moves: 451 },
};

export async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 3);
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
    rows.push({
      board: `${size}x${size}${superkoWindow > 0 ? ` superko-${superkoWindow}` : ''}`,
      'playouts/s': playouts / elapsed,
      'cpu playouts/s': playouts / ((cpu.user + cpu.system) / 1e6),
      'moves/s': moves / elapsed,
      'moves/playout': moves / playouts,
      'capped (ko cycles)': `${((100 * capped) / playouts).toFixed(0)}%`,
      'vs Pachi playouts/s': `${(playouts / elapsed / PACHI[size]!.playouts).toFixed(2)}x`,
      'vs Pachi moves/s': `${(moves / elapsed / (PACHI[size]!.playouts * PACHI[size]!.moves)).toFixed(2)}x`,
    });
  }
  printTable(rows);
  if (!args.includes('--no-perft')) {
    const t0 = performance.now();
    const n = perft(new Board(9), 4);
    const s = (performance.now() - t0) / 1000;
    console.log(`\nperft(empty 9x9, 4) = ${n.toLocaleString('en-US')} (expected 39,929,136) in ${s.toFixed(1)} s`);
  }
}
