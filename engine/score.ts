/**
 * Scoring. Area scoring (Chinese / Tromp-Taylor): stones plus empty regions that reach only one colour.
 * Territory scoring (Japanese): empty regions surrounded by one colour plus prisoners; points in seki and
 * the eyes of groups in seki count for nobody. Dead stones are given by the caller (GTP final_status_list,
 * an SGF, or the engine's own estimate) and are treated as captured before counting.
 */
import type { Board } from './board.js';
import { BLACK, EMPTY, WHITE, type StoneColor } from './color.js';
import { geometry } from './geometry.js';
import type { ScoringRule } from './rules.js';

export interface ScoreOptions {
  komi: number;
  scoring: ScoringRule;
  /** Points of stones agreed dead; each whole chain is taken off. */
  dead?: Iterable<number>;
  /** Territory scoring only: points of stones in seki (detected automatically when omitted). */
  seki?: Iterable<number>;
}

export interface Score {
  black: number;
  white: number;
  /** black - white (komi included). */
  margin: number;
  /** Owner of each point after scoring: BLACK, WHITE or EMPTY (neutral / seki). */
  ownership: Uint8Array;
  /** 'B+3.5', 'W+0.5', '0' for a draw (SGF RE / GTP final_score form). */
  result: string;
}

export function formatResult(margin: number): string {
  if (margin === 0) return '0';
  return `${margin > 0 ? 'B' : 'W'}+${formatNumber(Math.abs(margin))}`;
}

function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 10) / 10);
}

export function score(board: Board, options: ScoreOptions): Score {
  const size = board.size;
  const area = board.area;
  const { neighbors, neighborStart } = geometry(size);
  const stones = Uint8Array.from(board.stones);
  const prisoners = [0, board.captures[BLACK]!, board.captures[WHITE]!];
  // Remove dead chains: their points become empty and count as prisoners for the other side.
  const deadSet = new Set<number>();
  for (const p of options.dead ?? []) board.forEachChainStone(p, (s) => deadSet.add(s));
  for (const s of deadSet) {
    const c = stones[s]!;
    if (c === EMPTY) continue;
    prisoners[3 - c]!++;
    stones[s] = EMPTY;
  }

  // Empty regions: which colours each touches.
  const region = new Int32Array(area).fill(-1);
  const regionReach: number[] = [];
  const regionPoints: number[][] = [];
  for (let p = 0; p < area; p++) {
    if (stones[p] !== EMPTY || region[p] !== -1) continue;
    const id = regionReach.length;
    let reach = 0;
    const pts: number[] = [];
    const stack = [p];
    region[p] = id;
    while (stack.length > 0) {
      const s = stack.pop()!;
      pts.push(s);
      for (let k = neighborStart[s]!; k < neighborStart[s + 1]!; k++) {
        const q = neighbors[k]!;
        const c = stones[q]!;
        if (c !== EMPTY) reach |= c;
        else if (region[q] === -1) {
          region[q] = id;
          stack.push(q);
        }
      }
    }
    regionReach.push(reach);
    regionPoints.push(pts);
  }

  const ownership = new Uint8Array(area);
  let black = 0;
  let white = 0;
  if (options.scoring === 'area') {
    for (let p = 0; p < area; p++) {
      const c = stones[p]!;
      const owner = c !== EMPTY ? c : reachOwner(regionReach[region[p]!]!);
      ownership[p] = owner;
      if (owner === BLACK) black++;
      else if (owner === WHITE) white++;
    }
  } else {
    const seki = options.seki !== undefined ? expandChains(board, options.seki) : detectSeki(stones, size, region, regionReach);
    // A region counts as territory only if no bordering chain is in seki.
    const regionInSeki = new Uint8Array(regionReach.length);
    for (let p = 0; p < area; p++) {
      if (stones[p] === EMPTY || !seki.has(p)) continue;
      for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
        const q = neighbors[k]!;
        if (stones[q] === EMPTY) regionInSeki[region[q]!] = 1;
      }
    }
    for (let id = 0; id < regionReach.length; id++) {
      const owner = regionInSeki[id] ? EMPTY : reachOwner(regionReach[id]!);
      for (const p of regionPoints[id]!) ownership[p] = owner;
      if (owner === BLACK) black += regionPoints[id]!.length;
      else if (owner === WHITE) white += regionPoints[id]!.length;
    }
    // Stones are not points under territory scoring; the map still shows who owns them (none in seki).
    for (let p = 0; p < area; p++) if (stones[p] !== EMPTY) ownership[p] = seki.has(p) ? EMPTY : stones[p]!;
    black += prisoners[BLACK]!;
    white += prisoners[WHITE]!;
  }
  white += options.komi;
  const margin = black - white;
  return { black, white, margin, ownership, result: formatResult(margin) };
}

function reachOwner(reach: number): StoneColor | typeof EMPTY {
  return reach === BLACK ? BLACK : reach === WHITE ? WHITE : EMPTY;
}

function expandChains(board: Board, points: Iterable<number>): Set<number> {
  const out = new Set<number>();
  for (const p of points) board.forEachChainStone(p, (s) => out.add(s));
  return out;
}

/**
 * Seki, as territory scoring needs it: two chains of opposite colours that share a liberty in a neutral
 * (both-colour) region while each has at most two liberties. Playing that shared liberty would put the
 * player's own chain in atari, so neither side can; both chains, and chains sharing their eyes, are in seki.
 */
function detectSeki(stones: Uint8Array, size: number, region: Int32Array, regionReach: number[]): Set<number> {
  const area = size * size;
  const { neighbors, neighborStart } = geometry(size);
  // Chains and liberties from scratch (dead stones already removed from `stones`).
  const chain = new Int32Array(area).fill(-1);
  const chainMembers: number[][] = [];
  const chainLibs: Set<number>[] = [];
  for (let p = 0; p < area; p++) {
    if (stones[p] === EMPTY || chain[p] !== -1) continue;
    const id = chainMembers.length;
    const members: number[] = [];
    const libs = new Set<number>();
    const stack = [p];
    chain[p] = id;
    while (stack.length > 0) {
      const s = stack.pop()!;
      members.push(s);
      for (let k = neighborStart[s]!; k < neighborStart[s + 1]!; k++) {
        const q = neighbors[k]!;
        if (stones[q] === EMPTY) libs.add(q);
        else if (stones[q] === stones[p] && chain[q] === -1) {
          chain[q] = id;
          stack.push(q);
        }
      }
    }
    chainMembers.push(members);
    chainLibs.push(libs);
  }
  const inSeki = new Uint8Array(chainMembers.length);
  for (let p = 0; p < area; p++) {
    if (stones[p] !== EMPTY || regionReach[region[p]!] !== (BLACK | WHITE)) continue;
    let blackShort = false;
    let whiteShort = false;
    const adjacent: number[] = [];
    for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
      const q = neighbors[k]!;
      if (stones[q] === EMPTY) continue;
      const id = chain[q]!;
      if (chainLibs[id]!.size <= 2) {
        if (stones[q] === BLACK) blackShort = true;
        else whiteShort = true;
        adjacent.push(id);
      }
    }
    if (blackShort && whiteShort) for (const id of adjacent) inSeki[id] = 1;
  }
  const out = new Set<number>();
  for (let id = 0; id < chainMembers.length; id++) if (inSeki[id]) for (const s of chainMembers[id]!) out.add(s);
  return out;
}
