/**
 * A remote publisher's connection on the server (a self-play, GTP or match process streaming into a
 * standalone `tengen watch`). Its messages become calls on the server's WatchHub; the games it started
 * are its own, and outlive a dropped connection for a grace period so that a reconnecting publisher can
 * resync them.
 */
import type { WebSocket } from 'ws';
import { BLACK, MAX_SIZE, MIN_SIZE, WHITE, parseGtpVertex, type Move } from '../../engine/index.js';
import type { WatchServerConfig } from './config.js';
import type { WatchHub } from './hub.js';
import {
  ProtocolError,
  parsePublisherMessage,
  type ErrorCode,
  type PublishedGame,
  type PublishedMove,
  type WireAnalysis,
} from './protocol.js';
import type { MoveAnalysis, WatchGameInfo, WatchMoveInput } from './watched-game.js';

/** Which live games belong to which publisher, and the timers that void orphaned ones. */
export class PublisherRegistry {
  private readonly owners = new Map<string, PublisherSession>();
  private readonly orphanTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly hub: WatchHub,
    private readonly graceMs: number,
  ) {}

  ownerOf(gameId: string): PublisherSession | undefined {
    return this.owners.get(gameId);
  }

  /** A live game whose publisher dropped and that a reconnecting publisher may take over. */
  isOrphan(gameId: string): boolean {
    return this.orphanTimers.has(gameId);
  }

  claim(gameId: string, session: PublisherSession): void {
    const timer = this.orphanTimers.get(gameId);
    if (timer !== undefined) clearTimeout(timer);
    this.orphanTimers.delete(gameId);
    this.owners.set(gameId, session);
  }

  release(gameId: string): void {
    this.owners.delete(gameId);
  }

  /** The session closed: its live games wait for a resync, then end as 'Void'. */
  orphan(session: PublisherSession): void {
    for (const [gameId, owner] of this.owners) {
      if (owner !== session) continue;
      this.owners.delete(gameId);
      const timer = setTimeout(() => {
        this.orphanTimers.delete(gameId);
        this.hub.handle(gameId)?.end('Void');
      }, this.graceMs);
      timer.unref();
      this.orphanTimers.set(gameId, timer);
    }
  }

  close(): void {
    for (const timer of this.orphanTimers.values()) clearTimeout(timer);
    this.orphanTimers.clear();
    this.owners.clear();
  }
}

function checkedSize(size: number): number {
  if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
    throw new ProtocolError('bad-message', `board size must be an integer from ${MIN_SIZE} to ${MAX_SIZE}`);
  }
  return size;
}

function engineMove(vertex: string, size: number): Move {
  const move = parseGtpVertex(vertex, size);
  if (move === null) throw new ProtocolError('bad-message', `${JSON.stringify(vertex)} is not a vertex on ${size}x${size}`);
  return move;
}

function engineAnalysis(a: WireAnalysis, size: number): MoveAnalysis {
  const out: MoveAnalysis = {
    winrate: a.winrate,
    visits: a.visits,
    candidates: a.candidates.map((c) => ({ ...c, move: engineMove(c.move, size) })),
    pv: a.pv.map((v) => engineMove(v, size)),
  };
  if (a.scoreLead !== undefined) out.scoreLead = a.scoreLead;
  return out;
}

function engineMoveInput(m: PublishedMove, size: number): WatchMoveInput {
  const input: WatchMoveInput = { color: m.color === 'B' ? BLACK : WHITE, move: engineMove(m.move, size) };
  if (m.analysis !== undefined) input.analysis = engineAnalysis(m.analysis, size);
  return input;
}

function gameInfo(g: PublishedGame): WatchGameInfo & { id: string } {
  const size = checkedSize(g.size);
  const info: WatchGameInfo & { id: string } = {
    id: g.id,
    black: g.black,
    white: g.white,
    size,
    komi: g.komi,
    rules: g.rules,
    handicap: g.handicap,
    setup: { black: g.setup.black.map((v) => engineMove(v, size)), white: g.setup.white.map((v) => engineMove(v, size)) },
  };
  if (g.source !== undefined) info.source = g.source;
  if (g.startedAt !== undefined && !Number.isNaN(Date.parse(g.startedAt))) info.startedAt = g.startedAt;
  return info;
}

export class PublisherSession {
  alive = true;
  private errors = 0;

  constructor(
    readonly socket: WebSocket,
    private readonly hub: WatchHub,
    private readonly registry: PublisherRegistry,
    private readonly config: WatchServerConfig,
  ) {}

  /** Handles one message; never throws for anything the publisher sent. */
  receive(data: string): void {
    let gameId: string | undefined;
    try {
      const msg = parsePublisherMessage(data);
      if (msg.type === 'ping') {
        this.socket.send(JSON.stringify(msg.id === undefined ? { type: 'pong' } : { type: 'pong', id: msg.id }));
        return;
      }
      gameId = msg.type === 'start' ? msg.game.id : msg.gameId;
      switch (msg.type) {
        case 'start':
          this.start(msg.game);
          break;
        case 'move': {
          const game = this.owned(msg.gameId);
          game.handle.move(engineMoveInput(msg.move, game.size));
          break;
        }
        case 'undo':
          this.owned(msg.gameId).handle.undo();
          break;
        case 'end':
          this.owned(msg.gameId).handle.end(msg.result.text);
          this.registry.release(msg.gameId);
          break;
      }
    } catch (err) {
      const refusal = err instanceof ProtocolError ? err : new ProtocolError(classify(err), errorText(err));
      this.socket.send(
        JSON.stringify({ type: 'error', code: refusal.code, message: refusal.message, ...(gameId ? { gameId } : {}) }),
      );
      if (++this.errors >= this.config.maxProtocolErrors) this.socket.close(1008, 'too many bad messages');
    }
  }

  private owned(gameId: string) {
    const handle = this.hub.handle(gameId);
    const game = this.hub.game(gameId);
    if (handle === null || game === undefined) {
      throw new ProtocolError(game === undefined ? 'unknown-game' : 'game-over', `game ${gameId} is not live`);
    }
    if (this.registry.ownerOf(gameId) !== this) {
      throw new ProtocolError('game-exists', `game ${gameId} belongs to another publisher`);
    }
    return { handle, size: game.size };
  }

  private start(g: PublishedGame): void {
    const existing = this.hub.game(g.id);
    if (existing !== undefined) {
      // A resync of a game that ended meanwhile: nothing to do.
      if (existing.status === 'finished') {
        if (g.result !== null) return;
        throw new ProtocolError('game-exists', `game ${g.id} is finished already`);
      }
      // Only its own games or orphaned ones: not another publisher's, nor those played in the server's process.
      if (this.registry.ownerOf(g.id) !== this && !this.registry.isOrphan(g.id)) {
        throw new ProtocolError('game-exists', `game ${g.id} belongs to another publisher`);
      }
    }
    const info = gameInfo(g);
    const moves = g.moves.map((m) => engineMoveInput(m, info.size));
    if (existing === undefined && moves.length === 0 && g.result === null) this.hub.startGame(info);
    else this.hub.restoreGame(info, moves, g.result?.text ?? null);
    if (g.result === null) this.registry.claim(g.id, this);
  }
}

/** The hub throws plain errors for the publisher's mistakes; give them the protocol's codes. */
function classify(err: unknown): ErrorCode {
  const text = String(err);
  if (/illegal move/.test(text)) return 'illegal-move';
  if (/too many live games|reached the limit/.test(text)) return 'limit';
  if (/is over|finished already/.test(text)) return 'game-over';
  if (/exists already/.test(text)) return 'game-exists';
  return 'bad-message';
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/^watch: /, '').slice(0, 200);
}
