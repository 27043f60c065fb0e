/**
 * AlphaGo Lee's SL policy network: a policy-only net on the 48 Lee planes, trained by cross-entropy on the
 * moves of game records (here GNU Go's), with a share of whole games held out to measure top-1 accuracy
 * (AlphaGo: 57.0% on KGS 19x19 games).
 */
import { readFileSync } from 'node:fs';
import { sgfToGame } from '../../engine/sgf.js';
import { Rng } from '../../engine/rng.js';
import type { StoneColor } from '../../engine/color.js';
import { gameWinner } from '../../selfplay/bootstrap.js';
import { LeePositionSet } from './lee-positions.js';

export interface RecordSplit {
  train: LeePositionSet;
  heldOut: LeePositionSet;
  trainGames: number;
  heldOutGames: number;
  rejected: { file: string; reason: string }[];
}

/**
 * Reads SGF records of `size`×`size` games with komi `komi` and splits them by game (shuffled with `seed`):
 * `holdout` of the games (at least one when > 0) go to the held-out set. Other sizes and komi, unreadable
 * or illegal records are rejected with the reason.
 */
export function loadRecordSplit(files: readonly string[], o: { size: number; komi: number; holdout: number; seed: number; minMoves?: number; onFile?: (done: number, total: number) => void }): RecordSplit {
  const accepted: { file: string; text: string }[] = [];
  const rejected: { file: string; reason: string }[] = [];
  files.forEach((file, i) => {
    try {
      const text = readFileSync(file, 'utf8');
      const { game } = sgfToGame(text);
      if (game.size !== o.size) rejected.push({ file, reason: `board size ${game.size}, not ${o.size}` });
      else if (game.rules.komi !== o.komi) rejected.push({ file, reason: `komi ${game.rules.komi}, not ${o.komi}` });
      else if (game.moves.length < (o.minMoves ?? 1)) rejected.push({ file, reason: `only ${game.moves.length} moves` });
      else accepted.push({ file, text });
    } catch (e) {
      rejected.push({ file, reason: (e as Error).message });
    }
    o.onFile?.(i + 1, files.length * 2);
  });
  const rng = new Rng(o.seed);
  for (let i = accepted.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [accepted[i], accepted[j]] = [accepted[j]!, accepted[i]!];
  }
  const heldOutGames = o.holdout > 0 ? Math.min(accepted.length - 1, Math.max(1, Math.round(accepted.length * o.holdout))) : 0;
  const train = new LeePositionSet(o.size, 4096);
  const heldOut = new LeePositionSet(o.size, 1024);
  accepted.forEach(({ text }, i) => {
    const loaded = sgfToGame(text);
    const start = sgfToGame(text, { moveLimit: 0 }).game;
    const winner: StoneColor | null = gameWinner(loaded);
    (i < heldOutGames ? heldOut : train).addGame(loaded.game, start, winner);
    o.onFile?.(files.length + Math.round(((i + 1) * files.length) / accepted.length), files.length * 2);
  });
  return { train, heldOut, trainGames: accepted.length - heldOutGames, heldOutGames, rejected };
}
