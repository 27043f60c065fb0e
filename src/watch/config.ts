/**
 * Configuration of the watch subsystem: every limit and default in one place.
 * The numbers are bounds that keep a server's memory and CPU predictable whatever clients do.
 */

export interface WatchHubConfig {
  /** Games that may be live at once; startGame throws beyond this (a runaway publisher, not a real load). */
  readonly maxLiveGames: number;
  /** Finished games kept (oldest evicted first) so viewers that arrive after the end still see the result. */
  readonly keepFinishedGames: number;
  /** Candidate moves kept per analysed move (the best by visits); the rest are dropped. */
  readonly maxCandidates: number;
  /** Principal-variation length kept per analysed move. */
  readonly maxPvLength: number;
  /** Moves a game may have, as a multiple of the board area plus a constant (bounds a game's memory). */
  readonly maxMovesPerArea: number;
  readonly maxMovesExtra: number;
  /** Longest player / network / source label, in characters (longer ones are cut). */
  readonly maxLabelLength: number;
}

export const WATCH_HUB_DEFAULTS: WatchHubConfig = {
  maxLiveGames: 1024,
  keepFinishedGames: 32,
  maxCandidates: 16,
  maxPvLength: 24,
  maxMovesPerArea: 4,
  maxMovesExtra: 64,
  maxLabelLength: 80,
};

export interface WatchServerConfig {
  /** TCP port; 0 picks a free one (see the returned url). */
  readonly port: number;
  /** Interface to bind. Loopback unless the user asks otherwise. */
  readonly host: string;
  /**
   * Shared secret. When set, non-loopback viewers must present it (query `?token=` or header
   * `Authorization: Bearer <token>`), and every publisher must, loopback included.
   * Without it, publishers are accepted from loopback only.
   */
  readonly token: string | null;
  /** Largest message a viewer may send, in bytes; bigger ones close the connection (1009). */
  readonly maxViewerMessageBytes: number;
  /** Largest message a publisher may send (a resync carries a whole game with its analysis). */
  readonly maxPublisherMessageBytes: number;
  /** A viewer whose unsent bytes exceed this is dropped, so a slow reader never holds memory or games. */
  readonly maxBufferedBytes: number;
  /** Interval of websocket pings; a connection that has not answered the previous ping is terminated. */
  readonly heartbeatMs: number;
  /** Connections (viewers + publishers) at once; more are refused with HTTP 503. */
  readonly maxConnections: number;
  /** Viewer message rate: a token bucket of this many messages per second... */
  readonly viewerMessagesPerSecond: number;
  /** ...holding at most this many. An empty bucket closes the connection (1008). */
  readonly viewerMessageBurst: number;
  /** Malformed or refused messages tolerated per connection before it is closed (1008). */
  readonly maxProtocolErrors: number;
  /** Individual games one viewer may subscribe to at once (besides '*'). */
  readonly maxSubscriptions: number;
  /**
   * How long a remote publisher's live games stay live after it disconnects, so that a reconnecting
   * publisher can resume them; after that they end as 'Void'.
   */
  readonly publisherGraceMs: number;
}

export const WATCH_SERVER_DEFAULTS: WatchServerConfig = {
  port: 8080,
  host: '127.0.0.1',
  token: null,
  maxViewerMessageBytes: 4096,
  maxPublisherMessageBytes: 8 * 1024 * 1024,
  maxBufferedBytes: 1024 * 1024,
  heartbeatMs: 30_000,
  maxConnections: 1000,
  viewerMessagesPerSecond: 20,
  viewerMessageBurst: 40,
  maxProtocolErrors: 10,
  maxSubscriptions: 64,
  publisherGraceMs: 30_000,
};

export interface WatchPublisherConfig {
  /** First reconnection delay; doubles up to maxReconnectMs. */
  readonly reconnectMs: number;
  readonly maxReconnectMs: number;
  /** Unsent bytes beyond which the publisher drops its connection and resyncs after reconnecting. */
  readonly maxBufferedBytes: number;
}

export const WATCH_PUBLISHER_DEFAULTS: WatchPublisherConfig = {
  reconnectMs: 500,
  maxReconnectMs: 10_000,
  maxBufferedBytes: 16 * 1024 * 1024,
};

/** URL paths of the server. */
export const WATCH_PATHS = {
  viewerSocket: '/ws',
  publisherSocket: '/publish',
} as const;
