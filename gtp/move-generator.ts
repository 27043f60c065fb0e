/**
 * What the GTP engine needs from a move generator: search a position for one colour within limits,
 * report analysis while it runs, stop when asked. Adapters put the MCTS with a network behind it
 * (mcts-generator.ts) or, without a network, Monte-Carlo playouts (playout-generator.ts).
 *
 * The analysis shape is the search's `Analysis`, so either adapter passes it straight on.
 */
import type { Game, Move } from '../engine/index.js';

// The search's analysis types: both adapters (MCTS and playouts) report in them, so GTP declares none of its own.
export type { Analysis, CandidateAnalysis as CandidateMove } from '../src/search/analysis.js';
import type { Analysis, CandidateAnalysis as CandidateMove } from '../src/search/analysis.js';

export interface SearchLimits {
  visits?: number;
  timeMs?: number;
  /** Whether the search may stop once its move is decided (see src/search/mcts.ts SearchLimits). */
  earlyStop?: boolean;
}

export interface SearchRequest {
  limits: SearchLimits;
  /** Called about every `analysisIntervalMs` while the search runs. */
  onAnalysis?: (analysis: Analysis) => void;
  analysisIntervalMs?: number;
  /** Aborting ends the search early; the result is the best found so far. */
  signal?: AbortSignal;
  /** False in cleanup mode (kgs-genmove_cleanup): pass only when nothing else is legal. */
  allowPass?: boolean;
}

export interface SearchOutcome {
  /** The chosen move (resignation is the engine's decision, made from `analysis.winrate`). */
  move: Move;
  analysis: Analysis;
}

export interface MoveGenerator {
  /** One line for logs and `name`-style reports: what plays (network and backend, or the fallback). */
  readonly description: string;
  /** Searches `game` for the player `game.toPlay`. */
  search(game: Game, request: SearchRequest): Promise<SearchOutcome>;
  /**
   * The position changed other than by moves appended to the game (undo, new board, loaded SGF, a
   * colour searched out of turn): drop any reused tree. Moves appended are found by the search itself.
   */
  reset?(): void;
  dispose(): Promise<void>;
}

/** Builds the generator for a board size (a network is trained for one size; the fallback fits any). */
export type MoveGeneratorFactory = (boardSize: number) => Promise<MoveGenerator>;

/** Ranks candidates as GUIs expect them ordered: most visits first, then win rate. */
export function sortCandidates(candidates: CandidateMove[]): CandidateMove[] {
  return candidates.sort((a, b) => b.visits - a.visits || b.winrate - a.winrate || b.prior - a.prior);
}

