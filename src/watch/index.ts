// Watching games live: the in-process hub, the websocket server with its viewer page, remote publishing.
export { WatchHub, type WatchEvent, type WatchGameHandle, type WatchListener, type WatchPublisher, type WatchResult } from './hub.js';
export type { MoveAnalysis, MoveCandidate, WatchGameInfo, WatchMoveInput, WatchPlayerInfo } from './watched-game.js';
export { startWatchServer, type WatchServer, type WatchServerOptions, type WatchServerStats } from './server.js';
export { connectPublisher, publisherSocketUrl, type PublisherOptions, type RemotePublisher } from './publisher-client.js';
export { openWatch, runWatchCommand, type OpenWatchOptions, type WatchCommandOptions, type WatchSink } from './command.js';
export { WATCH_HUB_DEFAULTS, WATCH_PATHS, WATCH_PUBLISHER_DEFAULTS, WATCH_SERVER_DEFAULTS } from './config.js';
export * from './protocol.js';
