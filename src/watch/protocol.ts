/**
 * The watch wire protocol, version 1: JSON text frames over a websocket. PROTOCOL.md documents every
 * message with an example; this file is its typed form plus the parsers for what clients send.
 *
 * Moves on the wire are GTP vertices ('D4', 'pass'); colours are 'B' / 'W'; win rates are in [0, 1]
 * from the point of view of the player who made the move.
 */

export const PROTOCOL_NAME = 'tengen-watch';
export const PROTOCOL_VERSION = 1;

export type WireColor = 'B' | 'W';
/** A GTP vertex: column letter (A..Z without I) and row from the bottom, or 'pass'. */
export type Vertex = string;

export interface WirePlayer {
  name: string;
  /** The network (model) the player uses, when it is an engine. */
  network?: string;
}

export interface WireCandidate {
  move: Vertex;
  visits: number;
  /** The policy network's probability for the move. */
  prior: number;
  /** Mean value of the move's subtree as a win rate for the player to move. */
  winrate: number;
}

export interface WireAnalysis {
  /** The search's win rate for the player who made the move, in [0, 1]. */
  winrate: number;
  /** Playouts of the search at the root. */
  visits: number;
  /** Expected score lead for the player who made the move, when the network predicts one. */
  scoreLead?: number;
  /** Best candidates by visits, the chosen move among them when it was searched. */
  candidates: WireCandidate[];
  /** Principal variation starting with the best candidate. */
  pv: Vertex[];
}

export interface WireMove {
  /** Move number, from 1. */
  n: number;
  color: WireColor;
  move: Vertex;
  /** Stones this move took off the board (vertices), so viewers need no rules to replay a game. */
  captured: Vertex[];
  analysis?: WireAnalysis;
}

export interface WireResult {
  /** SGF RE form: 'B+3.5', 'W+R', 'B+T', '0' (draw), 'Void'. */
  text: string;
  winner: WireColor | null;
}

export interface WireCaptures {
  /** Stones captured by Black (white stones taken). */
  black: number;
  /** Stones captured by White. */
  white: number;
}

export type GameStatus = 'live' | 'finished';

export interface GameSummary {
  id: string;
  black: WirePlayer;
  white: WirePlayer;
  size: number;
  komi: number;
  /** Rule-set name ('chinese', 'japanese', 'tromp-taylor', ...). */
  rules: string;
  handicap: number;
  /** What produced the game: 'selfplay', 'gtp', 'match', ... */
  source?: string;
  status: GameStatus;
  moveCount: number;
  /** ISO 8601 time the game started. */
  startedAt: string;
  result: WireResult | null;
}

export interface GameSnapshot extends GameSummary {
  /** Stones placed before the first move (handicap, SGF setup). */
  setup: { black: Vertex[]; white: Vertex[] };
  moves: WireMove[];
  /** Current position, one string per row, top row first: '.' empty, 'X' black, 'O' white. */
  stones: string[];
  captures: WireCaptures;
  toPlay: WireColor;
}

// ------------------------------------------------------------------ server -> client

export interface HelloMessage {
  type: 'hello';
  protocol: typeof PROTOCOL_NAME;
  version: number;
  role: 'viewer' | 'publisher';
  heartbeatMs: number;
  /** Largest message this connection may send. */
  maxMessageBytes: number;
}

export interface GamesMessage {
  type: 'games';
  games: GameSummary[];
}

export interface GameStartedMessage {
  type: 'gameStarted';
  game: GameSummary;
}

export interface SnapshotMessage {
  type: 'snapshot';
  game: GameSnapshot;
}

export interface MoveMessage {
  type: 'move';
  gameId: string;
  move: WireMove;
  captures: WireCaptures;
}

export interface EndMessage {
  type: 'end';
  gameId: string;
  result: WireResult;
}

export interface GameRemovedMessage {
  type: 'gameRemoved';
  gameId: string;
}

export type ErrorCode =
  | 'bad-json'
  | 'bad-message'
  | 'unknown-type'
  | 'unknown-game'
  | 'too-many-subscriptions'
  | 'game-exists'
  | 'illegal-move'
  | 'game-over'
  | 'limit';

export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  gameId?: string;
}

export interface PongMessage {
  type: 'pong';
  id?: string | number;
}

export type ServerMessage =
  | HelloMessage
  | GamesMessage
  | GameStartedMessage
  | SnapshotMessage
  | MoveMessage
  | EndMessage
  | GameRemovedMessage
  | ErrorMessage
  | PongMessage;

// ------------------------------------------------------------------ viewer -> server

/** '*' subscribes to every game, present and future. */
export type SubscriptionTarget = string;
export const ALL_GAMES = '*';

export type ViewerMessage =
  | { type: 'subscribe'; gameId: SubscriptionTarget }
  | { type: 'unsubscribe'; gameId: SubscriptionTarget }
  | { type: 'list' }
  | { type: 'ping'; id?: string | number };

// ------------------------------------------------------------------ publisher -> server

export interface PublishedMove {
  color: WireColor;
  move: Vertex;
  analysis?: WireAnalysis;
}

/** A game as a publisher announces it: on start (no moves) or on resync after reconnecting (all moves). */
export interface PublishedGame {
  id: string;
  black: WirePlayer;
  white: WirePlayer;
  size: number;
  komi: number;
  rules: string;
  handicap: number;
  source?: string;
  startedAt?: string;
  setup: { black: Vertex[]; white: Vertex[] };
  moves: PublishedMove[];
  result: { text: string } | null;
}

export type PublisherMessage =
  | { type: 'start'; game: PublishedGame }
  | { type: 'move'; gameId: string; move: PublishedMove }
  | { type: 'undo'; gameId: string }
  | { type: 'end'; gameId: string; result: { text: string } }
  | { type: 'ping'; id?: string | number };

// ------------------------------------------------------------------ parsing

export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const GAME_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export function isGameId(x: unknown): x is string {
  return typeof x === 'string' && GAME_ID.test(x);
}

type Json = Record<string, unknown>;

function parseObject(text: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError('bad-json', 'message is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('bad-message', 'message must be a JSON object');
  }
  return value as Json;
}

function field<T>(obj: Json, key: string, check: (x: unknown) => x is T, what: string): T {
  const x = obj[key];
  if (!check(x)) throw new ProtocolError('bad-message', `'${key}' must be ${what}`);
  return x;
}

function optionalField<T>(obj: Json, key: string, check: (x: unknown) => x is T, what: string): T | undefined {
  return obj[key] === undefined ? undefined : field(obj, key, check, what);
}

const isString = (x: unknown): x is string => typeof x === 'string';
const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const isPingId = (x: unknown): x is string | number =>
  (typeof x === 'string' && x.length <= 64) || (typeof x === 'number' && Number.isFinite(x));
const isWireColor = (x: unknown): x is WireColor => x === 'B' || x === 'W';
const isSubscriptionTarget = (x: unknown): x is string => x === ALL_GAMES || isGameId(x);
const isVertexText = (x: unknown): x is string => typeof x === 'string' && x.length <= 8;

function isArrayOf<T>(check: (x: unknown) => x is T): (x: unknown) => x is T[] {
  return (x: unknown): x is T[] => Array.isArray(x) && x.every(check);
}

/** Parses a viewer's message; throws ProtocolError with a code to send back. */
export function parseViewerMessage(text: string): ViewerMessage {
  const obj = parseObject(text);
  switch (obj.type) {
    case 'subscribe':
    case 'unsubscribe':
      return { type: obj.type, gameId: field(obj, 'gameId', isSubscriptionTarget, "a game id or '*'") };
    case 'list':
      return { type: 'list' };
    case 'ping': {
      const id = optionalField(obj, 'id', isPingId, 'a short string or a number');
      return id === undefined ? { type: 'ping' } : { type: 'ping', id };
    }
    default:
      throw new ProtocolError('unknown-type', `unknown message type ${JSON.stringify(String(obj.type)).slice(0, 40)}`);
  }
}

function parsePlayer(x: unknown, key: string): WirePlayer {
  if (!isObject(x)) throw new ProtocolError('bad-message', `'${key}' must be an object with a name`);
  const name = field(x, 'name', isString, 'a string');
  const network = optionalField(x, 'network', isString, 'a string');
  return network === undefined ? { name } : { name, network };
}

function parseCandidate(x: unknown): WireCandidate {
  if (!isObject(x)) throw new ProtocolError('bad-message', 'a candidate must be an object');
  return {
    move: field(x, 'move', isVertexText, 'a vertex'),
    visits: field(x, 'visits', isFiniteNumber, 'a number'),
    prior: field(x, 'prior', isFiniteNumber, 'a number'),
    winrate: field(x, 'winrate', isFiniteNumber, 'a number'),
  };
}

function parseAnalysis(x: unknown): WireAnalysis {
  if (!isObject(x)) throw new ProtocolError('bad-message', "'analysis' must be an object");
  const candidates = field(x, 'candidates', Array.isArray, 'an array') as unknown[];
  const analysis: WireAnalysis = {
    winrate: field(x, 'winrate', isFiniteNumber, 'a number'),
    visits: field(x, 'visits', isFiniteNumber, 'a number'),
    candidates: candidates.map(parseCandidate),
    pv: field(x, 'pv', isArrayOf(isVertexText), 'an array of vertices'),
  };
  const scoreLead = optionalField(x, 'scoreLead', isFiniteNumber, 'a number');
  if (scoreLead !== undefined) analysis.scoreLead = scoreLead;
  return analysis;
}

function parsePublishedMove(x: unknown): PublishedMove {
  if (!isObject(x)) throw new ProtocolError('bad-message', "'move' must be an object");
  const move: PublishedMove = {
    color: field(x, 'color', isWireColor, "'B' or 'W'"),
    move: field(x, 'move', isVertexText, 'a vertex'),
  };
  if (x.analysis !== undefined) move.analysis = parseAnalysis(x.analysis);
  return move;
}

function parseResult(x: unknown): { text: string } {
  if (!isObject(x)) throw new ProtocolError('bad-message', "'result' must be an object with a text");
  return { text: field(x, 'text', isString, 'a string') };
}

function parsePublishedGame(x: unknown): PublishedGame {
  if (!isObject(x)) throw new ProtocolError('bad-message', "'game' must be an object");
  const setup = field(x, 'setup', isObject, 'an object');
  const moves = field(x, 'moves', Array.isArray, 'an array') as unknown[];
  const game: PublishedGame = {
    id: field(x, 'id', isGameId, 'a game id (1-64 of A-Z a-z 0-9 _ . : -)'),
    black: parsePlayer(x.black, 'black'),
    white: parsePlayer(x.white, 'white'),
    size: field(x, 'size', isFiniteNumber, 'a number'),
    komi: field(x, 'komi', isFiniteNumber, 'a number'),
    rules: field(x, 'rules', isString, 'a string'),
    handicap: field(x, 'handicap', isFiniteNumber, 'a number'),
    setup: {
      black: field(setup, 'black', isArrayOf(isVertexText), 'an array of vertices'),
      white: field(setup, 'white', isArrayOf(isVertexText), 'an array of vertices'),
    },
    moves: moves.map(parsePublishedMove),
    result: x.result === null || x.result === undefined ? null : parseResult(x.result),
  };
  const source = optionalField(x, 'source', isString, 'a string');
  if (source !== undefined) game.source = source;
  const startedAt = optionalField(x, 'startedAt', isString, 'a string');
  if (startedAt !== undefined) game.startedAt = startedAt;
  return game;
}

/** Parses a publisher's message; throws ProtocolError. */
export function parsePublisherMessage(text: string): PublisherMessage {
  const obj = parseObject(text);
  switch (obj.type) {
    case 'start':
      return { type: 'start', game: parsePublishedGame(obj.game) };
    case 'move':
      return { type: 'move', gameId: field(obj, 'gameId', isGameId, 'a game id'), move: parsePublishedMove(obj.move) };
    case 'undo':
      return { type: 'undo', gameId: field(obj, 'gameId', isGameId, 'a game id') };
    case 'end':
      return { type: 'end', gameId: field(obj, 'gameId', isGameId, 'a game id'), result: parseResult(obj.result) };
    case 'ping': {
      const id = optionalField(obj, 'id', isPingId, 'a short string or a number');
      return id === undefined ? { type: 'ping' } : { type: 'ping', id };
    }
    default:
      throw new ProtocolError('unknown-type', `unknown message type ${JSON.stringify(String(obj.type)).slice(0, 40)}`);
  }
}

/** Winner of an SGF RE result text: 'B+...' / 'W+...'; null for a draw, 'Void' or anything else. */
export function winnerOfResult(text: string): WireColor | null {
  const m = /^([BW])\+/i.exec(text.trim());
  return m === null ? null : (m[1]!.toUpperCase() as WireColor);
}
