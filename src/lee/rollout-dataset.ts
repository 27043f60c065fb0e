/**
 * Training positions for the rollout policy, read from game records: for every point move in every
 * record, the features of each candidate move the rollout could have played there (the same candidates
 * and features the rollout samples from) and which candidate was played. Stored flat in typed arrays.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Board } from '../../engine/board.js';
import { BLACK, EMPTY, PASS, WHITE, opponent, type Move, type StoneColor } from '../../engine/color.js';
import type { Game } from '../../engine/game.js';
import { sgfToGame } from '../../engine/sgf.js';
import { RolloutFeatures, nakadeVitalPoint } from './rollout-features.js';

export class RolloutDataset {
  /** Per candidate: feature mask, raw 3x3 code, raw response code (-1 outside the diamond). */
  masks: Int32Array = new Int32Array(1024);
  pattern3: Int32Array = new Int32Array(1024);
  response: Int32Array = new Int32Array(1024);
  candidateCount = 0;
  /** Per position: first candidate, number of candidates, index (within them) of the move played. */
  starts: number[] = [];
  counts: number[] = [];
  targets: number[] = [];
  /** Games read, and moves skipped because the rollout could not have played them (own-eye fills). */
  games = 0;
  skippedMoves = 0;

  get positionCount(): number {
    return this.starts.length;
  }

  /** Adds every position of a game record. */
  addGame(game: Game): void {
    const size = game.size;
    const features = featuresFor(size);
    const board = new Board(size);
    for (const p of game.setupBlack) board.placeSetupStone(p, BLACK);
    for (const p of game.setupWhite) board.placeSetupStone(p, WHITE);
    const before = new Uint8Array(board.area);
    const captured = new Int32Array(board.area);
    let nakadeVital = -1;
    let prev: Move | null = null;
    for (const { color, move } of game.moves) {
      board.toPlay = color;
      if (move !== PASS) this.addPosition(board, features, color, move, prev, nakadeVital);
      before.set(board.stones);
      if (move !== PASS && !board.isLegalIgnoringSuperko(move, color)) break; // not replayable under simple ko
      board.playLegal(move, color);
      // The stones this move captured, for the next position's nakade feature.
      let n = 0;
      const enemy = opponent(color);
      for (let p = 0; p < board.area; p++) if (before[p] === enemy && board.stones[p] === EMPTY) captured[n++] = p;
      nakadeVital = n >= 3 ? nakadeVitalPoint(captured, n, size) : -1;
      prev = move;
    }
    this.games++;
  }

  private addPosition(board: Board, features: RolloutFeatures, color: StoneColor, move: Move, prev: Move | null, nakadeVital: number): void {
    const koBlocked = board.koColor === color ? board.koPoint : -1;
    if (!features.isCandidate(board, move, color) || move === koBlocked) {
      this.skippedMoves++;
      return;
    }
    const start = this.candidateCount;
    let target = -1;
    for (let p = 0; p < board.area; p++) {
      if (p === koBlocked || !features.isCandidate(board, p, color)) continue;
      const staticMask = features.staticMask(board, p, color);
      const responseMask = features.responseMask(board, p, color, prev, nakadeVital);
      this.reserve(this.candidateCount + 1);
      if (p === move) target = this.candidateCount - start;
      this.masks[this.candidateCount] = staticMask | responseMask;
      this.pattern3[this.candidateCount] = features.pattern3;
      this.response[this.candidateCount] = features.response;
      this.candidateCount++;
    }
    this.starts.push(start);
    this.counts.push(this.candidateCount - start);
    this.targets.push(target);
  }

  private reserve(n: number): void {
    if (n <= this.masks.length) return;
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(Math.max(n, a.length * 2));
      b.set(a);
      return b;
    };
    this.masks = grow(this.masks);
    this.pattern3 = grow(this.pattern3);
    this.response = grow(this.response);
  }
}

const featureCache = new Map<number, RolloutFeatures>();
function featuresFor(size: number): RolloutFeatures {
  let f = featureCache.get(size);
  if (f === undefined) {
    f = new RolloutFeatures(size);
    featureCache.set(size, f);
  }
  return f;
}

/** The .sgf files under a folder (recursively), sorted by path. */
export function listSgfFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new Error(`cannot read SGF folder ${dir}: ${(e as Error).message}`);
  }
  const out: string[] = [];
  for (const name of entries.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listSgfFiles(path));
    else if (name.toLowerCase().endsWith('.sgf')) out.push(path);
  }
  return out;
}

/**
 * The SGF files named by repeated `--sgf` options: files as given, folders searched recursively. A missing
 * source, no source or no file at all comes back as a message for the command's usage error.
 */
export function sgfFilesFromSources(sources: readonly string[]): { files: string[] } | { error: string } {
  if (sources.length === 0) return { error: '--sgf is required (a folder of SGF records or a file)' };
  const files: string[] = [];
  for (const s of sources) {
    if (!existsSync(s)) return { error: `--sgf ${s}: no such file or folder` };
    files.push(...(statSync(s).isDirectory() ? listSgfFiles(s) : [s]));
  }
  if (files.length === 0) return { error: `no .sgf files under ${sources.join(', ')}` };
  return { files };
}

/** Parses records; unreadable or illegal ones are skipped and counted. */
export function loadGames(files: readonly string[]): { games: Game[]; rejected: Array<{ file: string; reason: string }> } {
  const games: Game[] = [];
  const rejected: Array<{ file: string; reason: string }> = [];
  for (const file of files) {
    try {
      games.push(sgfToGame(readFileSync(file, 'utf8')).game);
    } catch (e) {
      rejected.push({ file, reason: (e as Error).message });
    }
  }
  return { games, rejected };
}
