/**
 * One viewer's connection on the server: what it subscribed to, how fast it may talk, and a send that
 * drops the viewer instead of buffering without bound when it reads too slowly.
 */
import type { WebSocket } from 'ws';
import type { WatchServerConfig } from './config.js';
import { ALL_GAMES, ProtocolError, parseViewerMessage, type ViewerMessage } from './protocol.js';

export class ViewerSession {
  /** Individual games subscribed to. */
  readonly games = new Set<string>();
  allGames = false;
  alive = true;
  dropped = false;
  private tokens: number;
  /** Unsent bytes allowed now: the configured bound, raised for the duration of a snapshot burst. */
  private limit: number;
  private lastRefill = performance.now();
  private errors = 0;

  constructor(
    readonly socket: WebSocket,
    private readonly config: WatchServerConfig,
    private readonly onDropped: (session: ViewerSession) => void,
  ) {
    this.tokens = config.viewerMessageBurst;
    this.limit = config.maxBufferedBytes;
  }

  wants(gameId: string): boolean {
    return this.allGames || this.games.has(gameId);
  }

  /**
   * Queues a text frame. A viewer whose unsent data passes the bound is terminated at once: the games go
   * on at their pace and the server keeps no backlog for it.
   */
  send(frame: string | Buffer): void {
    if (this.dropped || this.socket.readyState !== this.socket.OPEN) return;
    // Fan-out passes one Buffer to every viewer: encoded once, not once per viewer.
    const data = typeof frame === 'string' ? Buffer.from(frame) : frame;
    const buffered = this.socket.bufferedAmount;
    if (buffered <= this.config.maxBufferedBytes) this.limit = this.config.maxBufferedBytes;
    if (buffered + data.length > this.limit) {
      this.drop();
      return;
    }
    this.socket.send(data, { binary: false });
  }

  /**
   * Sends snapshots, which may together exceed the bound (many long games with their analyses): the
   * viewer gets them all, and is dropped only if it then falls further behind. A burst is refused to a
   * viewer that has not drained the previous one, so the memory held stays within one burst + the bound.
   */
  sendBurst(frames: readonly Buffer[]): void {
    if (this.dropped || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.config.maxBufferedBytes) {
      this.drop();
      return;
    }
    for (const data of frames) this.socket.send(data, { binary: false });
    this.limit = Math.max(this.config.maxBufferedBytes, this.socket.bufferedAmount + this.config.maxBufferedBytes);
  }

  private drop(): void {
    this.dropped = true;
    this.socket.terminate();
    this.onDropped(this);
  }

  /** Parses a message, enforcing the rate limit; returns null (after replying or closing) when refused. */
  receive(data: string): ViewerMessage | null {
    const now = performance.now();
    this.tokens = Math.min(
      this.config.viewerMessageBurst,
      this.tokens + ((now - this.lastRefill) / 1000) * this.config.viewerMessagesPerSecond,
    );
    this.lastRefill = now;
    if (this.tokens < 1) {
      this.socket.close(1008, 'too many messages');
      return null;
    }
    this.tokens -= 1;
    try {
      return parseViewerMessage(data);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.refuse(err);
      return null;
    }
  }

  /** Replies with an error; too many errors close the connection. */
  refuse(err: ProtocolError, gameId?: string): void {
    this.send(JSON.stringify({ type: 'error', code: err.code, message: err.message, ...(gameId ? { gameId } : {}) }));
    if (++this.errors >= this.config.maxProtocolErrors) this.socket.close(1008, 'too many bad messages');
  }

  subscribe(gameId: string): void {
    if (gameId === ALL_GAMES) {
      this.allGames = true;
      return;
    }
    if (!this.games.has(gameId) && this.games.size >= this.config.maxSubscriptions) {
      throw new ProtocolError('too-many-subscriptions', `at most ${this.config.maxSubscriptions} games at once`);
    }
    this.games.add(gameId);
  }

  unsubscribe(gameId: string): void {
    if (gameId === ALL_GAMES) {
      this.allGames = false;
      this.games.clear();
    } else {
      this.games.delete(gameId);
    }
  }
}
