// The Go rules engine: everything that knows the rules of Go lives in this folder.
export * from './color.js';
export { Board, IllegalMoveError, MIN_SIZE, MAX_SIZE, type ChainTables } from './board.js';
export { LibertyCounter } from './liberties-after.js';
export { geometry, type Geometry } from './geometry.js';
export { Rng } from './rng.js';
export * from './rules.js';
export * from './coords.js';
export { score, formatResult, type Score, type ScoreOptions } from './score.js';
export { fixedHandicapPoints, maxFixedHandicap } from './handicap.js';
export { Game, type MoveRecord, type GameResult } from './game.js';
export { gameToSgf, sgfToGame, SgfError, type SgfInfo, type LoadedSgf } from './sgf.js';
export { randomPlayout } from './playout.js';
export { RecentPositions } from './recent-positions.js';
export { PositionSet } from './position-set.js';
export { perft } from './perft.js';
