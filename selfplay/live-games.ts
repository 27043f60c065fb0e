/**
 * Self-play games in the live viewer, move by move: each game is announced when it starts, every move is
 * sent as it is played, and the result when it ends, so a viewer sees all the games in flight at once.
 *
 * Games reach this class from two places: the search in this thread (begin, playGame's onMove hook,
 * finish), or a pool worker's events (selfplay-job.ts: start, move, end on the job's channel). The finished
 * game itself may come after its events, so `finish` first sends whatever moves of the game the viewer has
 * not seen, and events of a finished game are ignored. The viewer is optional: a refused publication is
 * reported and never stops self-play.
 */
import type { Move, StoneColor } from '../engine/color.js';
import type { PlayedGame } from '../src/search/play-game.js';
import type { WatchGameHandle, WatchPublisher } from '../src/watch/hub.js';
import type { StreamedEvent } from './selfplay-job.js';

interface LiveGame {
  handle: WatchGameHandle | null;
  sent: number;
}

export class LiveSelfplayGames {
  private readonly games = new Map<number, LiveGame>();

  constructor(
    private readonly watch: WatchPublisher,
    private readonly info: { size: number; komi: number; networkName: string; idPrefix: string },
  ) {}

  /** An event a worker streamed. */
  event(e: StreamedEvent): void {
    if (e.kind === 'start') this.begin(e.game);
    else if (e.kind === 'move') this.move(e.game, e);
    else this.end(e.game, e.result, e.moves);
  }

  begin(index: number): void {
    if (this.games.has(index)) return;
    let handle: WatchGameHandle | null = null;
    try {
      handle = this.watch.startGame({
        black: { name: this.info.networkName, network: this.info.networkName },
        white: { name: this.info.networkName, network: this.info.networkName },
        size: this.info.size,
        komi: this.info.komi,
        source: 'selfplay',
        // Watch ids allow A-Z a-z 0-9 _ . : - only; a network name may hold anything else.
        id: `${this.info.idPrefix}-${index}`.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 64),
      });
    } catch (e) {
      this.report(e);
    }
    this.games.set(index, { handle, sent: 0 });
  }

  /** Move `moveNumber` (from 1) of game `index`; out-of-order or repeated moves are ignored. */
  move(index: number, m: { moveNumber: number; color: StoneColor; move: Move; winrate: number; visits: number }): void {
    const game = this.games.get(index);
    if (game === undefined || game.handle === null || m.moveNumber !== game.sent + 1) return;
    try {
      game.handle.move({ color: m.color, move: m.move, analysis: { winrate: m.winrate, visits: m.visits } });
      game.sent++;
    } catch (e) {
      this.report(e);
      game.handle = null;
    }
  }

  /** A streamed game's result: shown now if the viewer has all its moves, else by `finish`. */
  private end(index: number, result: string, moves: number): void {
    const game = this.games.get(index);
    if (game === undefined || game.sent !== moves) return;
    try {
      game.handle?.end(result);
    } catch (e) {
      this.report(e);
    }
    this.games.delete(index);
  }

  /** The game's result, after any of its moves the viewer has not been sent yet. */
  finish(index: number, played: PlayedGame): void {
    const game = this.games.get(index);
    if (game === undefined) return;
    for (let i = game.sent; i < played.moves.length && game.handle !== null; i++) {
      const m = played.moves[i]!;
      this.move(index, { moveNumber: i + 1, color: m.color, move: m.move, winrate: m.winrate, visits: m.visits });
    }
    try {
      game.handle?.end(played.result);
    } catch (e) {
      this.report(e);
    }
    this.games.delete(index);
  }

  /** Ends games that will not finish (self-play stopped or failed) as 'Void'. */
  close(): void {
    for (const game of this.games.values()) {
      try {
        game.handle?.end('Void');
      } catch {
        // Nothing more to tell the viewer.
      }
    }
    this.games.clear();
  }

  private report(e: unknown): void {
    process.stderr.write(`watch: ${(e as Error).message}\n`);
  }
}
