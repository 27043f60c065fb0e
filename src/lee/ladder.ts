/**
 * Ladder reading for AlphaGo Lee's "ladder capture" and "ladder escape" input planes: does a chain in
 * atari die when it runs, with the attacker always taking away one of its two liberties? Reads on board
 * copies through engine/ moves (so legality, captures and ko come from the rules engine); the defender may
 * also capture an adjacent attacker chain in atari to get out. A node budget bounds the (normally linear)
 * search; a ladder too long to read is treated as escaping.
 */
import { EMPTY, opponent, type StoneColor } from '../../engine/color.js';
import type { Board } from '../../engine/board.js';
import { geometry } from '../../engine/geometry.js';

export class LadderReader {
  private nodes = 0;

  constructor(readonly nodeBudget = 500) {}

  /** The chain at p has one liberty and its owner is to move: is it captured however it runs? */
  capturedWhenRunning(board: Board, p: number): boolean {
    this.nodes = 0;
    if (board.stones[p] === EMPTY || board.liberties(p) !== 1) return false;
    return this.defend(board, p, board.stones[p] as StoneColor);
  }

  /** The chain at p has two liberties and the opponent is to move: can the opponent ladder it? */
  capturedWhenAttacked(board: Board, p: number): boolean {
    this.nodes = 0;
    if (board.stones[p] === EMPTY || board.liberties(p) !== 2) return false;
    return this.attack(board, p, opponent(board.stones[p] as StoneColor));
  }

  /** Defender to move, chain in atari. True when it is captured. */
  private defend(board: Board, p: number, defender: StoneColor): boolean {
    if (++this.nodes > this.nodeBudget) return false;
    const attacker = opponent(defender);
    // Escape by capturing an attacker chain in atari next to the defender.
    const { neighbors, neighborStart } = geometry(board.size);
    for (const s of board.chainStones(p)) {
      for (let k = neighborStart[s]!; k < neighborStart[s + 1]!; k++) {
        const q = neighbors[k]!;
        if (board.stones[q] !== attacker || board.liberties(q) !== 1) continue;
        const capture = board.chainLiberties(q)[0]!;
        const next = board.copy();
        if (!next.tryPlay(capture, defender)) continue;
        const libs = next.liberties(p);
        if (libs >= 3 || (libs === 2 && !this.attack(next, p, attacker))) return false;
      }
    }
    const liberty = board.chainLiberties(p)[0]!;
    const next = board.copy();
    if (!next.tryPlay(liberty, defender)) return true;
    const libs = next.liberties(p);
    if (libs <= 1) return true;
    if (libs >= 3) return false;
    return this.attack(next, p, attacker);
  }

  /** Attacker to move, defender chain with two liberties. True when the attacker captures it. */
  private attack(board: Board, p: number, attacker: StoneColor): boolean {
    if (++this.nodes > this.nodeBudget) return false;
    const defender = opponent(attacker);
    for (const liberty of board.chainLiberties(p)) {
      const next = board.copy();
      if (!next.tryPlay(liberty, attacker)) continue;
      if (next.stones[p] === EMPTY) return true;
      // An atari that leaves the attacking stone itself capturable still has to be read: defend() tries
      // the capture.
      if (next.liberties(p) === 1 && this.defend(next, p, defender)) return true;
    }
    return false;
  }
}
