/**
 * A game as plain data (structured-clonable), to hand positions to worker threads and rebuild them there.
 */
import { BLACK, type Move, type StoneColor } from '../../engine/color.js';
import { Game, type MoveRecord } from '../../engine/game.js';
import type { GameRules } from '../../engine/rules.js';

export interface GameSpec {
  size: number;
  rules: GameRules;
  setupBlack: number[];
  setupWhite: number[];
  /** Player to move after the setup. */
  firstToPlay: StoneColor;
  /** Handicap stones (the first setupBlack points), which decide White's compensation. */
  handicap: number;
  moves: MoveRecord[];
}

export function gameToSpec(game: Game): GameSpec {
  let firstToPlay: StoneColor = game.moves[0]?.color ?? game.toPlay;
  if (game.moves.length === 0 && game.setupBlack.length === 0 && game.setupWhite.length === 0) firstToPlay = game.toPlay;
  return {
    size: game.size,
    rules: { ...game.rules },
    setupBlack: game.setupBlack.slice(),
    setupWhite: game.setupWhite.slice(),
    firstToPlay,
    handicap: game.handicap,
    moves: game.moves.map((m) => ({ color: m.color, move: m.move })),
  };
}

export function gameFromSpec(spec: GameSpec): Game {
  const game = new Game(spec.size, spec.rules);
  if (spec.handicap > 0 && spec.setupWhite.length === 0 && spec.setupBlack.length === spec.handicap) {
    game.setHandicapStones(spec.setupBlack);
  } else if (spec.setupBlack.length > 0 || spec.setupWhite.length > 0 || spec.firstToPlay !== BLACK) {
    game.setSetup(spec.setupBlack, spec.setupWhite, spec.firstToPlay);
  }
  for (const m of spec.moves) game.play(m.move as Move, m.color);
  return game;
}
