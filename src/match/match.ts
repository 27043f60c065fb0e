/**
 * A match between two GTP engines: colours alternate, every move is checked by the referee (engine/),
 * an engine that crashes, times out or plays an illegal move loses that game, and the result is a win
 * rate with its 95% confidence interval and the Elo difference it implies.
 */
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { BLACK, Game, PASS, Rng, type Move, type StoneColor } from '../../engine/index.js';
import { GtpClient } from '../../gtp/client.js';
import { playRefereedGame, type RefereedGame } from '../../gtp/referee.js';
import { eloEstimate, winRate, type EloEstimate, type MatchTally, type WinRateEstimate } from '../../selfplay/elo.js';
import type { WatchPublisher } from '../watch/index.js';
import { resolveEngineCommand } from './engine-command.js';

export interface MatchConfig {
  /** Engine command lines. Player A starts as Black; with `alternate`, colours swap every game. */
  playerA: string;
  playerB: string;
  games: number;
  size: number;
  komi: number;
  /** Rules the referee applies (and tells the engines with kgs-rules-compatible names). */
  rules: 'chinese' | 'japanese' | 'tromp-taylor';
  handicap: number;
  alternate: boolean;
  /** A genmove answered later than this loses the game (seconds). */
  moveTimeoutSeconds: number;
  /** Games are stopped and scored by the referee after this many moves. */
  maxMoves: number;
  /**
   * Random opening moves the referee plays before the engines take over, the same opening for each pair
   * of games (colours swapped), so deterministic engines do not repeat one game and neither colour is
   * favoured by the opening. Uniform over legal moves that fill no single-point eye.
   */
  openingMoves: number;
  /** Seed of the openings. */
  seed: number;
  /** Folder for SGFs and match.json; none when undefined. */
  outDir?: string;
  /** Names used in SGFs and reports. */
  nameA: string;
  nameB: string;
}

export const DEFAULT_MATCH_CONFIG: Omit<MatchConfig, 'playerA' | 'playerB'> = {
  games: 10,
  size: 9,
  komi: 7.5,
  rules: 'chinese',
  handicap: 0,
  alternate: true,
  moveTimeoutSeconds: 60,
  maxMoves: 0, // 0: three times the board area
  openingMoves: 0,
  seed: 1,
  nameA: 'A',
  nameB: 'B',
};

export interface MatchGameRecord {
  index: number;
  blackPlayer: 'A' | 'B';
  result: string;
  winner: 'A' | 'B' | null;
  end: RefereedGame['end'] | 'crash' | 'timeout';
  moves: number;
  note?: string;
  enginesAgree?: boolean;
  /**
   * The game's moves, opening included (points as numbers, pass as -1, comma-separated): how the summary
   * tells repeated games apart. Absent for forfeits before the first move.
   */
  sequence?: string;
  /** Each player's genmove answers in this game (the referee's opening moves are not theirs). */
  thinking?: Record<'A' | 'B', MoveTimes>;
}

/** Genmove answers and how long they took, wall clock as the referee saw it. */
export interface MoveTimes {
  moves: number;
  totalMs: number;
  maxMs: number;
}

export interface MatchSummary {
  games: MatchGameRecord[];
  /** From A's point of view. */
  tally: MatchTally;
  winRate: WinRateEstimate;
  elo: EloEstimate;
  asBlack: MatchTally;
  asWhite: MatchTally;
  /**
   * Different games among those played (same players' colours and the same moves count once). Deterministic
   * engines without a random opening can replay one game: the win rate's confidence interval treats every
   * game as independent, which repeated games are not.
   */
  distinctGames: number;
  /** Each player's genmove times over all games: the "at most N s per move" a measurement claims. */
  thinking: Record<'A' | 'B', MoveTimes>;
}

export interface MatchHooks {
  onGameEnd?: (record: MatchGameRecord, summary: MatchSummary) => void;
  log?: (line: string) => void;
  watch?: WatchPublisher;
}

class EngineSlot {
  client: GtpClient | null = null;
  constructor(
    readonly commandLine: string,
    readonly name: string,
    private readonly log: (line: string) => void,
  ) {}

  /** The running engine, started (or restarted after a crash) on demand. */
  async get(moveTimeoutMs: number, startupTimeoutMs: number): Promise<GtpClient> {
    if (this.client !== null && !this.client.closed) return this.client;
    const { program, args } = resolveEngineCommand(this.commandLine);
    const client = GtpClient.spawn(program, args, {
      name: this.name,
      // Every command, genmove included, must be answered within the per-move limit: a late engine loses.
      commandTimeoutMs: moveTimeoutMs,
      stderr: (line) => {
        if (/error|fatal/i.test(line)) this.log(`[${this.name}] ${line}`);
      },
    });
    // Engines load networks at start; the first command gets a generous limit.
    await client.send('protocol_version', { timeoutMs: startupTimeoutMs });
    this.client = client;
    return client;
  }

  async close(): Promise<void> {
    await this.client?.quit().catch(() => undefined);
    this.client = null;
  }
}

/** A random opening of `length` moves (no passes), the same for both games of pair `pair`. */
export function randomOpening(size: number, komi: number, length: number, seed: number, pair: number): Move[] {
  if (length <= 0) return [];
  const rng = new Rng((seed * 1_000_003 + pair) >>> 0);
  const game = new Game(size, { komi });
  const moves: Move[] = [];
  while (moves.length < length) {
    const move = game.board.randomMove(rng);
    if (move === PASS) break;
    game.play(move);
    moves.push(move);
  }
  return moves;
}

function noMoveTimes(): Record<'A' | 'B', MoveTimes> {
  return { A: { moves: 0, totalMs: 0, maxMs: 0 }, B: { moves: 0, totalMs: 0, maxMs: 0 } };
}

/** Adds `moves` answers taking `totalMs` in all, the longest `maxMs`, to `into`. */
function addMoveTimes(into: MoveTimes, moves: number, totalMs: number, maxMs: number): void {
  into.moves += moves;
  into.totalMs += totalMs;
  into.maxMs = Math.max(into.maxMs, maxMs);
}

/** Each player's genmove answers of one game. */
function moveTimes(moves: RefereedGame['moves'], owner: (color: StoneColor) => 'A' | 'B'): Record<'A' | 'B', MoveTimes> {
  const times = noMoveTimes();
  for (const m of moves) addMoveTimes(times[owner(m.color)], 1, m.elapsedMs, m.elapsedMs);
  return times;
}

function emptyTally(): MatchTally {
  return { wins: 0, losses: 0, draws: 0 };
}

export function summarise(games: MatchGameRecord[]): MatchSummary {
  const tally = emptyTally();
  const asBlack = emptyTally();
  const asWhite = emptyTally();
  for (const g of games) {
    const byColor = g.blackPlayer === 'A' ? asBlack : asWhite;
    for (const t of [tally, byColor]) {
      if (g.winner === 'A') t.wins++;
      else if (g.winner === 'B') t.losses++;
      else t.draws++;
    }
  }
  const seen = new Set<string>();
  let distinctGames = 0;
  for (const g of games) {
    if (g.sequence === undefined) {
      distinctGames++;
      continue;
    }
    const key = `${g.blackPlayer}:${g.sequence}`;
    if (!seen.has(key)) {
      seen.add(key);
      distinctGames++;
    }
  }
  const thinking = noMoveTimes();
  for (const g of games) {
    if (g.thinking === undefined) continue;
    for (const player of ['A', 'B'] as const) addMoveTimes(thinking[player], g.thinking[player].moves, g.thinking[player].totalMs, g.thinking[player].maxMs);
  }
  return { games, tally, winRate: winRate(tally), elo: eloEstimate(tally), asBlack, asWhite, distinctGames, thinking };
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export async function runMatch(config: MatchConfig, hooks: MatchHooks = {}): Promise<MatchSummary> {
  const log = hooks.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const slots = { A: new EngineSlot(config.playerA, config.nameA, log), B: new EngineSlot(config.playerB, config.nameB, log) };
  const records: MatchGameRecord[] = [];
  if (config.outDir !== undefined) mkdirSync(config.outDir, { recursive: true });
  const moveTimeoutMs = config.moveTimeoutSeconds * 1000;
  try {
    for (let index = 0; index < config.games; index++) {
      const blackPlayer: 'A' | 'B' = config.alternate && index % 2 === 1 ? 'B' : 'A';
      const whitePlayer: 'A' | 'B' = blackPlayer === 'A' ? 'B' : 'A';
      const owner = (color: StoneColor): 'A' | 'B' => (color === BLACK ? blackPlayer : whitePlayer);
      let record: MatchGameRecord;
      try {
        const black = await slots[blackPlayer].get(moveTimeoutMs, Math.max(moveTimeoutMs, 120_000));
        const white = await slots[whitePlayer].get(moveTimeoutMs, Math.max(moveTimeoutMs, 120_000));
        const watched = hooks.watch?.startGame({
          black: slots[blackPlayer].name,
          white: slots[whitePlayer].name,
          size: config.size,
          komi: config.komi,
          rules: config.rules,
          source: 'match',
        });
        const opening = randomOpening(config.size, config.komi, config.openingMoves, config.seed, config.alternate ? index >> 1 : index);
        const game = await playRefereedGame(black, white, {
          size: config.size,
          komi: config.komi,
          handicap: config.handicap,
          rules: config.rules === 'japanese' ? { scoring: 'territory' } : config.rules === 'tromp-taylor' ? { suicide: true, ko: 'positional' } : {},
          maxMoves: config.maxMoves > 0 ? config.maxMoves : undefined,
          opening,
          onMove: (m) => watched?.move({ color: m.color, move: m.move }),
        });
        watched?.end(game.result);
        record = {
          index,
          blackPlayer,
          result: game.result,
          winner: game.winner === null ? null : owner(game.winner),
          end: game.end,
          moves: game.moves.length,
          enginesAgree: game.enginesAgree,
          sequence: game.moves.map((m) => (m.move === PASS ? -1 : m.move)).join(','),
          thinking: moveTimes(game.moves.slice(opening.length), owner),
          ...(game.forfeitReason !== undefined ? { note: game.forfeitReason } : {}),
        };
        if (config.outDir !== undefined) writeAtomic(join(config.outDir, `game-${String(index + 1).padStart(3, '0')}.sgf`), game.sgf);
      } catch (error) {
        // An engine that died or timed out loses; if both did (or neither can be blamed), the game is void.
        const message = error instanceof Error ? error.message : String(error);
        const deadA = slots.A.client?.closed ?? true;
        const deadB = slots.B.client?.closed ?? true;
        const loser: 'A' | 'B' | null = deadA && !deadB ? 'A' : deadB && !deadA ? 'B' : null;
        if (loser === null) throw new Error(`game ${index + 1} could not be played: ${message}`);
        const winner = loser === 'A' ? 'B' : 'A';
        const winnerColor = blackPlayer === winner ? 'B' : 'W';
        record = {
          index,
          blackPlayer,
          result: `${winnerColor}+F`,
          winner,
          end: /within \d+ ms/.test(message) ? 'timeout' : 'crash',
          moves: 0,
          note: message,
        };
        log(`game ${index + 1}: ${slots[loser].name} forfeits: ${message}`);
      }
      records.push(record);
      const summary = summarise(records);
      if (config.outDir !== undefined) {
        writeAtomic(join(config.outDir, 'match.json'), JSON.stringify({ config, ...summary }, null, 2) + '\n');
      }
      hooks.onGameEnd?.(record, summary);
    }
  } finally {
    await Promise.all([slots.A.close(), slots.B.close()]);
  }
  return summarise(records);
}
