/**
 * Entry points for the CLI: `tengen watch` (a standalone server that viewers and remote publishers
 * connect to) and `--watch TARGET` on commands that play games (an embedded server, or a publisher
 * streaming into a running `tengen watch`).
 */
import { isLoopbackAddress } from './access.js';
import { WATCH_SERVER_DEFAULTS } from './config.js';
import { WatchHub, type WatchGameHandle, type WatchPublisher } from './hub.js';
import { connectPublisher } from './publisher-client.js';
import { startWatchServer, type WatchServer, type WatchServerOptions } from './server.js';
import type { WatchGameInfo } from './watched-game.js';

export interface WatchCommandOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Required of non-loopback viewers and of all publishers when set. */
  token?: string | null;
  /** Where the command prints its addresses; default console.log. */
  log?: (line: string) => void;
  /** Stops the server when aborted; without one, SIGINT / SIGTERM stop it. */
  signal?: AbortSignal;
  /** Called once the server listens (tests use it to learn the port). */
  onListening?: (server: WatchServer) => void;
  /** Further server settings (limits, heartbeat). */
  server?: WatchServerOptions;
}

function describeAccess(server: WatchServer, host: string, token: string | null, log: (line: string) => void): void {
  const withToken = (url: string) => (token === null ? url : `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`);
  log(`tengen watch: viewer at ${withToken(server.url)}`);
  log(`tengen watch: publishers connect to ${server.publisherUrl}${token === null ? ' (loopback only)' : ' with the token'}`);
  const loopbackOnly = isLoopbackAddress(host) || host === 'localhost';
  if (!loopbackOnly && token === null) {
    log('tengen watch: warning: listening beyond loopback without --token: anyone who can reach it can watch (read-only)');
  }
}

function validPort(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`watch: port must be an integer from 0 to 65535, got ${port}`);
  return port;
}

/** `tengen watch --port 8080 [--host H] [--token T]`: serves until aborted or interrupted. */
export async function runWatchCommand(options: WatchCommandOptions = {}): Promise<void> {
  const host = options.host ?? WATCH_SERVER_DEFAULTS.host;
  const token = options.token ?? null;
  const log = options.log ?? ((line: string) => console.log(line));
  const hub = new WatchHub();
  const server = await startWatchServer(
    { ...options.server, port: validPort(options.port ?? WATCH_SERVER_DEFAULTS.port), host, token },
    hub,
  );
  describeAccess(server, host, token, log);
  options.onListening?.(server);
  await new Promise<void>((resolve) => {
    if (options.signal !== undefined) {
      if (options.signal.aborted) resolve();
      else options.signal.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  await hub.close();
}

/** Where `--watch` sends games, and the viewer's address. close() stops the embedded server if any. */
export interface WatchSink extends WatchPublisher {
  /** The viewer page (embedded server) or the remote server's address. */
  readonly url: string;
}

export interface OpenWatchOptions {
  /** Interface for an embedded server; default 127.0.0.1. */
  host?: string;
  /** Token of an embedded server, or the token to present to a remote one; default $TENGEN_WATCH_TOKEN. */
  token?: string | null;
  log?: (line: string) => void;
}

/**
 * `--watch TARGET`: a port number ('8080', 8080) starts an embedded server in this process; a URL
 * ('ws://127.0.0.1:8080', 'http://host:8080/?token=...') publishes to a running `tengen watch`.
 * Rejects with a clear error when the port is taken or the server cannot be reached.
 */
export async function openWatch(target: string | number, options: OpenWatchOptions = {}): Promise<WatchSink> {
  const log = options.log ?? ((line: string) => console.error(line));
  const text = String(target).trim();
  if (/^\d+$/.test(text)) {
    const host = options.host ?? WATCH_SERVER_DEFAULTS.host;
    const token = options.token ?? process.env.TENGEN_WATCH_TOKEN ?? null;
    const hub = new WatchHub();
    let server: WatchServer;
    try {
      server = await startWatchServer({ port: validPort(Number(text)), host, token }, hub);
    } catch (err) {
      throw new Error(`watch: cannot listen on ${host}:${text}: ${err instanceof Error ? err.message : String(err)}`);
    }
    describeAccess(server, host, token, log);
    return {
      url: server.url,
      startGame: (info: WatchGameInfo): WatchGameHandle => hub.startGame(info),
      async close() {
        await hub.close();
        await server.close();
      },
    };
  }
  if (!text.includes('://')) {
    throw new RangeError(`watch: --watch takes a port (8080) or a server URL (ws://127.0.0.1:8080), got ${JSON.stringify(text)}`);
  }
  // A token in the URL wins; else the option; else the environment (kept out of `ps` that way).
  const token = options.token ?? process.env.TENGEN_WATCH_TOKEN;
  const publisher = connectPublisher(text, token && !/[?&]token=/.test(text) ? { token } : {});
  try {
    await publisher.ready();
  } catch (err) {
    await publisher.close();
    throw new Error(`watch: cannot publish to ${text.replace(/token=[^&]*/, 'token=…')}: ${err instanceof Error ? err.message : String(err)}`);
  }
  log(`tengen watch: publishing games to ${new URL(text).host}`);
  return { url: text.replace(/token=[^&]*/, 'token=…'), startGame: (info) => publisher.startGame(info), close: () => publisher.close() };
}
