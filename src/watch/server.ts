/**
 * The watch server: one port serving the viewer page over HTTP, viewers over a websocket at /ws and
 * remote publishers at /publish. It listens to a WatchHub and fans each event out as one JSON text,
 * serialised once whatever the number of viewers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { isLoopbackAddress, refusal, type Role } from './access.js';
import { WATCH_PATHS, WATCH_SERVER_DEFAULTS, type WatchServerConfig } from './config.js';
import type { WatchEvent, WatchHub } from './hub.js';
import {
  ALL_GAMES,
  PROTOCOL_NAME,
  PROTOCOL_VERSION,
  ProtocolError,
  type HelloMessage,
  type ServerMessage,
  type ViewerMessage,
} from './protocol.js';
import { PublisherRegistry, PublisherSession } from './publisher-session.js';
import { VIEWER_ASSETS } from './viewer/assets.js';
import { ViewerSession } from './viewer-session.js';

export type WatchServerOptions = Partial<WatchServerConfig>;

export interface WatchServerStats {
  viewers: number;
  publishers: number;
  /** Viewers terminated because their unsent data passed maxBufferedBytes. */
  droppedSlowViewers: number;
  /** Connections terminated for not answering a heartbeat. */
  droppedDeadConnections: number;
  /** Upgrade requests refused (token, origin, path, connection limit). */
  refusedConnections: number;
  /** Frames queued to viewers. */
  framesSent: number;
  /** Bytes queued in the server for viewers right now (not yet handed to the kernel), summed. */
  bufferedBytes: number;
}

export interface WatchServer {
  /** The viewer page, e.g. http://127.0.0.1:8080/ */
  readonly url: string;
  /** Where viewers' websockets connect. */
  readonly viewerSocketUrl: string;
  /** Where remote publishers connect (connectPublisher). */
  readonly publisherUrl: string;
  readonly port: number;
  stats(): WatchServerStats;
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}\n`);
}

/** Starts serving `hub` on host:port (127.0.0.1 unless told otherwise). */
export async function startWatchServer(options: WatchServerOptions, hub: WatchHub): Promise<WatchServer> {
  const config: WatchServerConfig = { ...WATCH_SERVER_DEFAULTS, ...options };
  if (config.token !== null && config.token.length === 0) throw new RangeError('watch: the token must not be empty');
  const viewers = new Set<ViewerSession>();
  const publishers = new Set<PublisherSession>();
  const registry = new PublisherRegistry(hub, config.publisherGraceMs);
  const stats: WatchServerStats = {
    viewers: 0,
    publishers: 0,
    droppedSlowViewers: 0,
    droppedDeadConnections: 0,
    refusedConnections: 0,
    framesSent: 0,
    bufferedBytes: 0,
  };

  const viewerSockets = new WebSocketServer({ noServer: true, maxPayload: config.maxViewerMessageBytes });
  const publisherSockets = new WebSocketServer({ noServer: true, maxPayload: config.maxPublisherMessageBytes });

  // ------------------------------------------------------------ fan-out of hub events

  const toAll = (msg: ServerMessage) => {
    if (viewers.size === 0) return;
    const text = Buffer.from(JSON.stringify(msg));
    for (const v of viewers) {
      v.send(text);
      stats.framesSent++;
    }
  };
  const toSubscribers = (gameId: string, msg: () => ServerMessage) => {
    let text: Buffer | null = null;
    for (const v of viewers) {
      if (!v.wants(gameId)) continue;
      text ??= Buffer.from(JSON.stringify(msg()));
      v.send(text);
      stats.framesSent++;
    }
  };

  const onHubEvent = (event: WatchEvent) => {
    const game = event.game;
    switch (event.kind) {
      case 'started': {
        toAll({ type: 'gameStarted', game: game.summary() });
        let text: Buffer | null = null;
        for (const v of viewers) {
          if (!v.allGames) continue;
          text ??= Buffer.from(JSON.stringify({ type: 'snapshot', game: game.snapshot() } satisfies ServerMessage));
          v.send(text);
          stats.framesSent++;
        }
        break;
      }
      case 'move':
        toSubscribers(game.id, () => ({ type: 'move', gameId: game.id, move: event.move, captures: game.captures() }));
        break;
      case 'reset': {
        let frame: Buffer | null = null;
        for (const v of viewers) {
          if (!v.wants(game.id)) continue;
          frame ??= Buffer.from(JSON.stringify({ type: 'snapshot', game: game.snapshot() } satisfies ServerMessage));
          v.sendBurst([frame]);
          stats.framesSent++;
        }
        break;
      }
      case 'ended':
        registry.release(game.id);
        toAll({ type: 'end', gameId: game.id, result: game.result! });
        break;
      case 'removed':
        for (const v of viewers) v.games.delete(game.id);
        toAll({ type: 'gameRemoved', gameId: game.id });
        break;
    }
  };
  const stopListening = hub.addListener(onHubEvent);

  // ------------------------------------------------------------ viewers

  const hello = (role: 'viewer' | 'publisher'): string =>
    JSON.stringify({
      type: 'hello',
      protocol: PROTOCOL_NAME,
      version: PROTOCOL_VERSION,
      role,
      heartbeatMs: config.heartbeatMs,
      maxMessageBytes: role === 'viewer' ? config.maxViewerMessageBytes : config.maxPublisherMessageBytes,
    } satisfies HelloMessage);

  const gamesList = (): string => JSON.stringify({ type: 'games', games: hub.games().map((g) => g.summary()) });

  /** '*' brings the live games (finished ones are in `games` and can be subscribed one by one). */
  const sendSnapshots = (v: ViewerSession, gameId: string) => {
    const games = gameId === ALL_GAMES ? hub.games().filter((g) => g.status === 'live') : [hub.game(gameId)!];
    v.sendBurst(games.map((game) => Buffer.from(JSON.stringify({ type: 'snapshot', game: game.snapshot() } satisfies ServerMessage))));
    stats.framesSent += games.length;
  };

  const handleViewerMessage = (v: ViewerSession, msg: ViewerMessage) => {
    switch (msg.type) {
      case 'subscribe':
        if (msg.gameId !== ALL_GAMES && hub.game(msg.gameId) === undefined) {
          v.refuse(new ProtocolError('unknown-game', `no game ${msg.gameId}`), msg.gameId);
          return;
        }
        v.subscribe(msg.gameId);
        sendSnapshots(v, msg.gameId);
        return;
      case 'unsubscribe':
        v.unsubscribe(msg.gameId);
        return;
      case 'list':
        v.send(gamesList());
        return;
      case 'ping':
        v.send(JSON.stringify(msg.id === undefined ? { type: 'pong' } : { type: 'pong', id: msg.id }));
        return;
    }
  };

  const acceptViewer = (ws: WebSocket, url: URL) => {
    const session = new ViewerSession(ws, config, () => stats.droppedSlowViewers++);
    viewers.add(session);
    ws.on('pong', () => (session.alive = true));
    ws.on('close', () => viewers.delete(session));
    ws.on('error', () => viewers.delete(session));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        session.refuse(new ProtocolError('bad-message', 'messages must be JSON text frames'));
        return;
      }
      const msg = session.receive(rawText(data));
      if (msg === null) return;
      try {
        handleViewerMessage(session, msg);
      } catch (err) {
        if (err instanceof ProtocolError) {
          session.refuse(err, 'gameId' in msg && typeof msg.gameId === 'string' ? msg.gameId : undefined);
          return;
        }
        // A bug of ours must cost one connection, not the server and the games it carries.
        console.error('watch: error handling a viewer message:', err);
        ws.close(1011, 'internal error');
      }
    });
    session.send(hello('viewer'));
    session.send(gamesList());
    // `?subscribe=` chooses the initial subscription: '*' (default: every game), a game id, or 'none'.
    const initial = url.searchParams.get('subscribe') ?? ALL_GAMES;
    if (initial !== 'none') handleViewerMessage(session, { type: 'subscribe', gameId: initial });
  };

  // ------------------------------------------------------------ publishers

  const acceptPublisher = (ws: WebSocket) => {
    const session = new PublisherSession(ws, hub, registry, config);
    publishers.add(session);
    ws.on('pong', () => (session.alive = true));
    const gone = () => {
      if (!publishers.delete(session)) return;
      registry.orphan(session);
    };
    ws.on('close', gone);
    ws.on('error', gone);
    ws.on('message', (data) => session.receive(rawText(data)));
    ws.send(hello('publisher'));
  };

  // ------------------------------------------------------------ HTTP

  const handleHttp = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hostAllowed(req)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('unexpected Host header\n');
      return;
    }
    const send = (status: number, type: string, body: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, {
        'Content-Type': type,
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        ...extra,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    // The page, script and stylesheet hold no game data and are public (the browser fetches them without
    // the page's ?token=); the data itself (/api/games, the websocket) needs the token beyond loopback.
    if (url.pathname === '/api/games') {
      const refused = refusal('viewer', req, url, config.token);
      if (refused !== null) {
        send(401, 'text/plain; charset=utf-8', `${refused}: add ?token=... to the URL\n`);
        return;
      }
      send(200, 'application/json; charset=utf-8', gamesList());
      return;
    }
    const assetPath = url.pathname === '/' ? '/index.html' : url.pathname;
    const asset = Object.hasOwn(VIEWER_ASSETS, assetPath) ? VIEWER_ASSETS[assetPath] : undefined;
    if (asset === undefined) {
      send(404, 'text/plain; charset=utf-8', 'not found\n');
      return;
    }
    send(200, asset.type, asset.body, {
      // The page loads nothing from elsewhere; its script talks only to this server's websocket.
      'Content-Security-Policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    });
  };

  /**
   * A loopback server answers only to loopback names: a web page that rebinds its own DNS name to
   * 127.0.0.1 (DNS rebinding) then cannot read the games through the user's browser.
   */
  const loopbackOnly = isLoopbackAddress(config.host) || config.host === 'localhost';
  const hostAllowed = (req: IncomingMessage): boolean => {
    if (!loopbackOnly) return true;
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  };

  const server = createServer(handleHttp);
  server.on('clientError', (_err, socket) => socket.destroy());
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const role: Role | null =
      url.pathname === WATCH_PATHS.viewerSocket ? 'viewer' : url.pathname === WATCH_PATHS.publisherSocket ? 'publisher' : null;
    if (role === null) {
      stats.refusedConnections++;
      refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (!hostAllowed(req)) {
      stats.refusedConnections++;
      refuseUpgrade(socket, 421, 'Misdirected Request');
      return;
    }
    if (viewers.size + publishers.size >= config.maxConnections) {
      stats.refusedConnections++;
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    const refused = refusal(role, req, url, config.token);
    if (refused !== null) {
      stats.refusedConnections++;
      if (role === 'publisher' && req.headers.origin !== undefined) refuseUpgrade(socket, 403, 'Forbidden');
      else refuseUpgrade(socket, 401, 'Unauthorized');
      return;
    }
    const wss = role === 'viewer' ? viewerSockets : publisherSockets;
    wss.handleUpgrade(req, socket, head, (ws) => (role === 'viewer' ? acceptViewer(ws, url) : acceptPublisher(ws)));
  });

  // ------------------------------------------------------------ heartbeats

  const heartbeat = setInterval(() => {
    const beat = (session: { alive: boolean; socket: WebSocket }) => {
      if (!session.alive) {
        stats.droppedDeadConnections++;
        session.socket.terminate();
        return;
      }
      session.alive = false;
      session.socket.ping();
    };
    for (const v of viewers) beat(v);
    for (const p of publishers) beat(p);
  }, config.heartbeatMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const base = `${hostForUrl(config.host)}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${base}/`,
    viewerSocketUrl: `ws://${base}${WATCH_PATHS.viewerSocket}`,
    publisherUrl: `ws://${base}${WATCH_PATHS.publisherSocket}`,
    port,
    stats: () => {
      let bufferedBytes = 0;
      for (const v of viewers) bufferedBytes += v.socket.bufferedAmount;
      return { ...stats, viewers: viewers.size, publishers: publishers.size, bufferedBytes };
    },
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        stopListening();
        registry.close();
        for (const v of viewers) v.socket.close(1001, 'server closing');
        for (const p of publishers) p.socket.close(1001, 'server closing');
        await new Promise<void>((resolve) => {
          // Give close frames a moment, then cut whatever is left.
          const cut = setTimeout(() => {
            for (const v of viewers) v.socket.terminate();
            for (const p of publishers) p.socket.terminate();
          }, 500);
          cut.unref();
          server.close(() => resolve());
          server.closeAllConnections();
        });
        viewerSockets.close();
        publisherSockets.close();
      })();
      return closing;
    },
  };
}
