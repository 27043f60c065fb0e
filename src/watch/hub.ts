/**
 * The in-process side of watching: subsystems that play games (self-play, GTP, match) publish to a
 * WatchHub without knowing about websockets; a watch server (or anything else) listens to its events.
 *
 *   const hub = new WatchHub();
 *   const game = hub.startGame({ black: 'tengen', white: 'gnugo', size: 9, komi: 7, rules: 'chinese' });
 *   game.move({ color: BLACK, move: 40, analysis: { winrate: 0.52, visits: 800, candidates, pv } });
 *   game.end('B+R');
 *
 * Moves are engine moves (p = row*size + col, row 0 on top; PASS = -1). The hub keeps a board per game,
 * so it rejects illegal moves (an Error naming the move) and knows the captures and current stones.
 */
import { randomBytes } from 'node:crypto';
import { WATCH_HUB_DEFAULTS, type WatchHubConfig } from './config.js';
import { isGameId, type WireMove } from './protocol.js';
import { WatchedGame, type WatchGameInfo, type WatchMoveInput } from './watched-game.js';

export type { WatchGameInfo, WatchMoveInput, MoveAnalysis, MoveCandidate, WatchPlayerInfo } from './watched-game.js';

/** A result: SGF RE text ('B+3.5', 'W+R', '0', 'Void') or an engine GameResult ({ winner, text }). */
export type WatchResult = string | { readonly text: string };

/** The handle a publisher gets for one game. */
export interface WatchGameHandle {
  readonly id: string;
  /** Records a move; throws on an illegal move, a bad analysis or a finished game. */
  move(input: WatchMoveInput): void;
  /** Takes back the last move (GTP undo). */
  undo(): void;
  /** Ends the game; a second call is ignored. */
  end(result: WatchResult): void;
  readonly isOver: boolean;
}

/** What every way of publishing games offers: a WatchHub in-process, or connectPublisher to a server. */
export interface WatchPublisher {
  startGame(info: WatchGameInfo): WatchGameHandle;
  close(): Promise<void>;
}

export type WatchEvent =
  | { kind: 'started'; game: WatchedGame }
  | { kind: 'move'; game: WatchedGame; move: WireMove }
  /** The game's moves were replaced (undo, or a publisher resyncing): listeners resend a snapshot. */
  | { kind: 'reset'; game: WatchedGame }
  | { kind: 'ended'; game: WatchedGame }
  | { kind: 'removed'; game: WatchedGame };

export type WatchListener = (event: WatchEvent) => void;

class HubGameHandle implements WatchGameHandle {
  constructor(
    private readonly hub: WatchHub,
    private readonly game: WatchedGame,
  ) {}

  get id(): string {
    return this.game.id;
  }

  get isOver(): boolean {
    return this.game.result !== null;
  }

  move(input: WatchMoveInput): void {
    const move = this.game.play(input);
    this.hub.emit({ kind: 'move', game: this.game, move });
  }

  undo(): void {
    if (this.game.undo()) this.hub.emit({ kind: 'reset', game: this.game });
  }

  end(result: WatchResult): void {
    if (this.game.result !== null) return;
    this.game.finish(typeof result === 'string' ? result : result.text);
    this.hub.gameEnded(this.game);
  }
}

export class WatchHub implements WatchPublisher {
  readonly config: WatchHubConfig;
  private readonly live = new Map<string, WatchedGame>();
  /** Finished games, oldest first. */
  private readonly finished = new Map<string, WatchedGame>();
  private readonly listeners = new Set<WatchListener>();
  private readonly idPrefix = randomBytes(4).toString('hex');
  private nextId = 1;
  private listenerFailures = 0;

  constructor(config: Partial<WatchHubConfig> = {}) {
    this.config = { ...WATCH_HUB_DEFAULTS, ...config };
  }

  startGame(info: WatchGameInfo): WatchGameHandle {
    const id = info.id ?? `${this.idPrefix}-${this.nextId++}`;
    if (!isGameId(id)) throw new RangeError(`watch: bad game id ${JSON.stringify(id)} (1-64 of A-Z a-z 0-9 _ . : -)`);
    if (this.live.has(id) || this.finished.has(id)) throw new Error(`watch: a game with id ${id} exists already`);
    if (this.live.size >= this.config.maxLiveGames) {
      throw new RangeError(`watch: too many live games (limit ${this.config.maxLiveGames})`);
    }
    const game = new WatchedGame(id, info, this.config);
    this.live.set(id, game);
    this.emit({ kind: 'started', game });
    return new HubGameHandle(this, game);
  }

  /**
   * Creates or replaces a game with the given moves and result in one step, announcing it once
   * ('started' when new, 'reset' when it replaces a live game). Used when a remote publisher resyncs.
   * Throws (leaving the hub unchanged) when the moves are illegal.
   */
  restoreGame(info: WatchGameInfo & { id: string }, moves: readonly WatchMoveInput[], result: string | null): WatchGameHandle {
    if (!isGameId(info.id)) throw new RangeError(`watch: bad game id ${JSON.stringify(info.id)}`);
    if (this.finished.has(info.id)) throw new Error(`watch: game ${info.id} is finished already`);
    const replacing = this.live.has(info.id);
    if (!replacing && this.live.size >= this.config.maxLiveGames) {
      throw new RangeError(`watch: too many live games (limit ${this.config.maxLiveGames})`);
    }
    const game = new WatchedGame(info.id, info, this.config);
    for (const m of moves) game.play(m);
    this.live.set(game.id, game);
    this.emit({ kind: replacing ? 'reset' : 'started', game });
    const handle = new HubGameHandle(this, game);
    if (result !== null) handle.end(result);
    return handle;
  }

  /** A game handle for a live game (to continue publishing to it), or null. */
  handle(id: string): WatchGameHandle | null {
    const game = this.live.get(id);
    return game === undefined ? null : new HubGameHandle(this, game);
  }

  game(id: string): WatchedGame | undefined {
    return this.live.get(id) ?? this.finished.get(id);
  }

  /** Live games (oldest first), then finished ones (most recent first). */
  games(): WatchedGame[] {
    return [...this.live.values(), ...[...this.finished.values()].reverse()];
  }

  get liveCount(): number {
    return this.live.size;
  }

  /** Listens to every game event; returns a function that stops listening. */
  addListener(listener: WatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends every live game as 'Void' and forgets the listeners. */
  async close(): Promise<void> {
    for (const game of [...this.live.values()]) new HubGameHandle(this, game).end('Void');
    this.listeners.clear();
  }

  /** @internal */
  gameEnded(game: WatchedGame): void {
    this.live.delete(game.id);
    this.finished.set(game.id, game);
    this.emit({ kind: 'ended', game });
    while (this.finished.size > this.config.keepFinishedGames) {
      const oldest = this.finished.values().next().value as WatchedGame;
      this.finished.delete(oldest.id);
      this.emit({ kind: 'removed', game: oldest });
    }
  }

  /** @internal Listeners must not break the game that publishes: their errors are reported, not thrown. */
  emit(event: WatchEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        if (this.listenerFailures++ < 5) console.error('watch: a listener failed:', err);
      }
    }
  }
}
