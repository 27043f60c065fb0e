/**
 * `npm run bench -- rollout [seconds] [--policy FILE]`: single-threaded AlphaGo-Lee rollouts (linear softmax
 * policy over local patterns, incremental weights) from the empty 9x9 and 19x19 board, against the engine's
 * uniformly random light playouts. Prints µs per rollout step and rollouts per second, the cost of one leaf
 * evaluation as the search pays it, and how the policies play against each other (no search) on 9x9.
 * AlphaGo (Silver et al. 2016): ~2 µs per step, ~1,000 full 19x19 rollouts/s per CPU thread.
 * The policy is models/rollout-policy.json when present (else hand-set tactical weights).
 * Times are this process's CPU time (user + system), not wall time, so figures stay comparable on a
 * machine shared with other jobs; on an idle machine the two agree.
 */
import { existsSync } from 'node:fs';
import { Board, Rng, randomPlayout, score, type Move } from '../engine/index.js';
import { RolloutLeafEvaluator } from '../src/lee/leaf.js';
import { Rollout } from '../src/lee/rollout.js';
import { RolloutPolicy, defaultRolloutPolicy } from '../src/lee/rollout-policy.js';
import { printTable } from './table.js';

/** CPU milliseconds used by this process so far. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export async function run(args: string[]): Promise<void> {
  const policyArg = args.indexOf('--policy');
  const policyPath = policyArg >= 0 ? args[policyArg + 1] : 'models/rollout-policy.json';
  const seconds = Number(args.find((a, i) => !a.startsWith('--') && (policyArg < 0 || i !== policyArg + 1)) ?? 3);
  const policy = policyPath !== undefined && existsSync(policyPath) ? RolloutPolicy.load(policyPath) : defaultRolloutPolicy();
  console.log(
    `policy: ${policyPath !== undefined && existsSync(policyPath) ? policyPath : 'hand-set default'} ` +
      `(${policy.pattern3Count} 3x3 patterns, ${policy.responseCount} response patterns)\n`,
  );
  const rows: Record<string, string | number>[] = [];
  for (const size of [9, 19]) {
    const empty = new Board(size);
    const board = new Board(size);
    const rng = new Rng(42);
    const rollout = new Rollout(policy, size);
    const ends = { passes: 0, cap: 0 };
    const once = (): number => {
      board.copyFrom(empty);
      rollout.start(board);
      const n = rollout.playout(rng);
      ends[rollout.lastEnd]++;
      return n;
    };
    for (let i = 0; i < 50; i++) once();
    ends.passes = ends.cap = 0;
    let rollouts = 0;
    let steps = 0;
    let t0 = cpuMs();
    let deadline = t0 + seconds * 1000;
    while (cpuMs() < deadline) {
      for (let i = 0; i < 10; i++) {
        steps += once();
        rollouts++;
      }
    }
    const elapsed = (cpuMs() - t0) / 1000;
    // The per-rollout set-up (every weight computed from scratch) timed apart from the steps.
    const reps = 200;
    t0 = cpuMs();
    for (let i = 0; i < reps; i++) {
      board.copyFrom(empty);
      rollout.start(board);
    }
    const startUs = ((cpuMs() - t0) * 1000) / reps;

    // Uniform random light playouts for comparison.
    for (let i = 0; i < 100; i++) {
      board.copyFrom(empty);
      randomPlayout(board, rng);
    }
    let playouts = 0;
    let moves = 0;
    t0 = cpuMs();
    deadline = t0 + seconds * 1000;
    while (cpuMs() < deadline) {
      for (let i = 0; i < 20; i++) {
        board.copyFrom(empty);
        moves += randomPlayout(board, rng);
        playouts++;
      }
    }
    const randomElapsed = (cpuMs() - t0) / 1000;
    const ms = elapsed * 1e6;
    rows.push({
      board: `${size}x${size}`,
      'rollouts/s': rollouts / elapsed,
      'µs/step': (ms - startUs * rollouts) / steps,
      'µs/step incl. start': ms / steps,
      'start µs': startUs,
      'steps/rollout': steps / rollouts,
      'hit move cap': `${((100 * ends.cap) / rollouts).toFixed(1)}%`,
      'random playouts/s': playouts / randomElapsed,
      'random µs/move': (randomElapsed * 1e6) / moves,
      'random moves/playout': moves / playouts,
      'AlphaGo rollouts/s': size === 19 ? 1000 : '',
    });
  }
  printTable(rows);

  // What the search pays per leaf: copy the leaf position, set the rollout up, play it out, count the score.
  console.log('\nleaf evaluations (RolloutLeafEvaluator: copy + set-up + rollout + area count), from a position 30 moves in:');
  const leafRows: Record<string, string | number>[] = [];
  for (const size of [9, 19]) {
    const rng = new Rng(3);
    const position = new Board(size);
    for (let i = 0; i < 30; i++) position.playLegal(position.randomMove(rng), position.toPlay);
    const leaf = new RolloutLeafEvaluator({ policy, size, komi: 7, seed: 1 });
    for (let i = 0; i < 20; i++) leaf.evaluate(position);
    let n = 0;
    const t0 = cpuMs();
    while (cpuMs() - t0 < seconds * 500) {
      for (let i = 0; i < 10; i++) leaf.evaluate(position);
      n += 10;
    }
    const elapsed = (cpuMs() - t0) / 1000;
    leafRows.push({ board: `${size}x${size}`, 'leaf evaluations/s': n / elapsed, 'µs each': (elapsed * 1e6) / n });
  }
  printTable(leafRows);

  // Playing strength of the policy itself: each side samples its moves (no search) on 9x9, komi 7.
  console.log('\nrollout policies playing each other on 9x9 (no search, colours alternate, komi 7):');
  const games = 400;
  const duel = (name: string, a: RolloutPolicy | null, b: RolloutPolicy | null): Record<string, string | number> => {
    const wins = duelGames(a, b, 9, games, new Rng(7));
    return { match: name, games, 'first wins': `${((100 * wins) / games).toFixed(1)}%` };
  };
  printTable([
    duel(`${policyLabel(policy)} vs uniform random`, policy, null),
    duel('hand-set vs uniform random', defaultRolloutPolicy(), null),
    duel(`${policyLabel(policy)} vs hand-set`, policy, defaultRolloutPolicy()),
  ]);
}

function policyLabel(policy: RolloutPolicy): string {
  return policy.pattern3Count > 0 ? 'trained' : 'hand-set';
}

/**
 * Plays `games` games between two rollout policies (null = uniformly random light playouts), colours
 * alternating; returns the first player's wins. Each player follows the game on its own board.
 */
function duelGames(first: RolloutPolicy | null, second: RolloutPolicy | null, size: number, games: number, rng: Rng): number {
  const players = [first, second].map((policy) => ({ policy, board: new Board(size), rollout: policy === null ? null : new Rollout(policy, size) }));
  const empty = new Board(size);
  let firstWins = 0;
  for (let g = 0; g < games; g++) {
    for (const p of players) {
      p.board.copyFrom(empty);
      p.rollout?.start(p.board);
    }
    const blackIndex = g % 2;
    const board = players[0]!.board;
    let moves = 0;
    while (board.passes < 2 && moves < size * size * 3) {
      const mover = players[(moves + blackIndex) % 2]!;
      const move: Move = mover.rollout !== null ? mover.rollout.selectMove(rng) : mover.board.randomMove(rng);
      for (const p of players) {
        if (p.rollout !== null) p.rollout.play(move);
        else p.board.playLegal(move, p.board.toPlay);
      }
      moves++;
    }
    const margin = score(board, { komi: 7, scoring: 'area' }).margin;
    if (margin > 0 === (blackIndex === 0)) firstWins++;
  }
  return firstWins;
}
