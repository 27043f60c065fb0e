/**
 * connectPublisher: the WatchPublisher interface over a websocket, so that self-play, GTP or match
 * processes can stream their games into one running `tengen watch` server.
 *
 * It keeps its own WatchHub: moves are checked (and errors thrown) right here, exactly as in-process,
 * and after a dropped connection it reconnects and resends every game it knows in full. Publishing
 * never blocks or throws because of the network: while disconnected, events are not queued but
 * recovered by the resync.
 */
import WebSocket from 'ws';
import { WATCH_PATHS, WATCH_PUBLISHER_DEFAULTS, type WatchPublisherConfig } from './config.js';
import { WatchHub, type WatchEvent, type WatchGameHandle, type WatchPublisher } from './hub.js';
import type { PublishedGame, PublisherMessage, ServerMessage } from './protocol.js';
import type { WatchedGame, WatchGameInfo } from './watched-game.js';

export interface PublisherOptions extends Partial<WatchPublisherConfig> {
  /** Token for the server; also read from the URL's `?token=`. */
  token?: string;
  /** Called with the server's refusals (illegal move, unknown game...) and connection problems. */
  onError?: (message: string) => void;
}

export interface RemotePublisher extends WatchPublisher {
  /** Resolves once connected (and resynced); rejects if the first attempt fails. */
  ready(): Promise<void>;
  readonly connected: boolean;
}

/** Accepts ws(s)://host:port[/publish] or http(s)://host:port[/...]; the path defaults to /publish. */
export function publisherSocketUrl(url: string, token?: string): string {
  const u = new URL(url);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  else if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new RangeError(`watch: ${url} is not a ws:// or http:// URL`);
  if (u.pathname === '/' || u.pathname === '' || u.pathname === WATCH_PATHS.viewerSocket) u.pathname = WATCH_PATHS.publisherSocket;
  if (token !== undefined) u.searchParams.set('token', token);
  return u.toString();
}

function publishedGame(game: WatchedGame): PublishedGame {
  const snap = game.snapshot();
  const g: PublishedGame = {
    id: snap.id,
    black: snap.black,
    white: snap.white,
    size: snap.size,
    komi: snap.komi,
    rules: snap.rules,
    handicap: snap.handicap,
    startedAt: snap.startedAt,
    setup: snap.setup,
    moves: snap.moves.map((m) => (m.analysis === undefined ? { color: m.color, move: m.move } : { color: m.color, move: m.move, analysis: m.analysis })),
    result: snap.result === null ? null : { text: snap.result.text },
  };
  if (snap.source !== undefined) g.source = snap.source;
  return g;
}

export function connectPublisher(url: string, options: PublisherOptions = {}): RemotePublisher {
  const config: WatchPublisherConfig = { ...WATCH_PUBLISHER_DEFAULTS, ...options };
  const target = publisherSocketUrl(url, options.token);
  const report = options.onError ?? ((message: string) => console.error(`watch: ${message}`));
  // Finished games are kept a little so that a result reached while disconnected still gets through.
  const hub = new WatchHub({ keepFinishedGames: 8 });
  let socket: WebSocket | null = null;
  let open = false;
  let closed = false;
  let delay = config.reconnectMs;
  let retryTimer: NodeJS.Timeout | null = null;
  let firstAttempt: { resolve: () => void; reject: (err: Error) => void } | null = null;
  const firstConnection = new Promise<void>((resolve, reject) => (firstAttempt = { resolve, reject }));
  firstConnection.catch(() => {}); // only ready() callers see the failure

  const send = (msg: PublisherMessage) => {
    if (!open || socket === null) return;
    if (socket.bufferedAmount > config.maxBufferedBytes) {
      // The server is not keeping up: start over with a fresh connection and a full resync.
      report('server is not reading fast enough; reconnecting');
      socket.terminate();
      return;
    }
    socket.send(JSON.stringify(msg));
  };

  hub.addListener((event: WatchEvent) => {
    const game = event.game;
    switch (event.kind) {
      case 'started':
        send({ type: 'start', game: publishedGame(game) });
        break;
      case 'move': {
        const m = event.move;
        send({ type: 'move', gameId: game.id, move: m.analysis === undefined ? { color: m.color, move: m.move } : { color: m.color, move: m.move, analysis: m.analysis } });
        break;
      }
      case 'reset':
        send({ type: 'undo', gameId: game.id });
        break;
      case 'ended':
        send({ type: 'end', gameId: game.id, result: { text: game.result!.text } });
        break;
      case 'removed':
        break;
    }
  });

  const connect = () => {
    retryTimer = null;
    if (closed) return;
    const ws = new WebSocket(target, { perMessageDeflate: false });
    socket = ws;
    // The server pings every heartbeatMs; silence for much longer means it is gone without a FIN
    // (a crashed machine, a dropped network): reconnect instead of publishing into the void.
    let lastHeard = Date.now();
    let watchdog: NodeJS.Timeout | null = null;
    ws.on('ping', () => (lastHeard = Date.now()));
    ws.on('close', () => {
      if (watchdog !== null) clearInterval(watchdog);
    });
    ws.on('message', (data) => {
      lastHeard = Date.now();
      let msg: ServerMessage;
      try {
        msg = JSON.parse(data.toString()) as ServerMessage;
      } catch {
        return;
      }
      if (msg.type === 'hello') {
        const silence = 2.5 * msg.heartbeatMs;
        if (watchdog === null && Number.isFinite(silence) && silence > 0) {
          watchdog = setInterval(() => {
            if (Date.now() - lastHeard > silence) ws.terminate();
          }, msg.heartbeatMs);
          watchdog.unref();
        }
        open = true;
        delay = config.reconnectMs;
        for (const game of hub.games()) send({ type: 'start', game: publishedGame(game) });
        firstAttempt?.resolve();
        firstAttempt = null;
      } else if (msg.type === 'error') {
        report(`server refused ${msg.gameId ? `a message for game ${msg.gameId}` : 'a message'}: ${msg.message}`);
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      const err = new Error(`watch: ${target.replace(/token=[^&]*/, 'token=…')} refused the publisher (HTTP ${res.statusCode})`);
      report(err.message);
      firstAttempt?.reject(err);
      firstAttempt = null;
      // Refused (token, origin, path): retrying cannot help. Server trouble (5xx): it may come back.
      if (res.statusCode !== undefined && res.statusCode >= 400 && res.statusCode < 500) closed = true;
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (firstAttempt !== null) {
        firstAttempt.reject(err);
        firstAttempt = null;
      }
    });
    ws.on('close', () => {
      open = false;
      if (socket === ws) socket = null;
      if (closed) return;
      retryTimer = setTimeout(connect, delay);
      retryTimer.unref();
      delay = Math.min(delay * 2, config.maxReconnectMs);
    });
  };
  connect();

  return {
    startGame(info: WatchGameInfo): WatchGameHandle {
      return hub.startGame(info);
    },
    ready: () => firstConnection,
    get connected() {
      return open;
    },
    async close() {
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      const ws = socket;
      if (ws !== null && ws.readyState === WebSocket.OPEN) {
        // Let queued moves reach the server before the close frame.
        await new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close(1000, 'publisher closing');
          setTimeout(() => {
            ws.terminate();
            resolve();
          }, 2000).unref();
        });
      } else {
        ws?.terminate();
      }
    },
  };
}
