import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import { Script } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BLACK, PASS, WHITE, parseGtpVertex } from '../engine/index.js';
import { refusal } from '../src/watch/access.js';
import {
  WatchHub,
  connectPublisher,
  openWatch,
  parseViewerMessage,
  publisherSocketUrl,
  runWatchCommand,
  startWatchServer,
  type ServerMessage,
  type WatchEvent,
  type WatchServer,
  type WatchServerOptions,
} from '../src/watch/index.js';

const SIZE = 9;
const v = (text: string) => {
  const m = parseGtpVertex(text, SIZE);
  if (m === null) throw new Error(`bad vertex ${text}`);
  return m;
};

/** A websocket client that records every message and lets a test wait for one. */
class TestClient {
  readonly messages: ServerMessage[] = [];
  readonly ws: WebSocket;
  closeCode: number | null = null;
  private waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  private closeWaiters: (() => void)[] = [];

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as ServerMessage;
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(msg)) return true;
        w.resolve(msg);
        return false;
      });
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.closeWaiters) w();
    });
    this.ws.on('error', () => {});
  }

  next<T extends ServerMessage['type']>(type: T, where: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true, timeoutMs = 5000) {
    const match = (m: ServerMessage) => m.type === type && where(m as Extract<ServerMessage, { type: T }>);
    const seen = this.messages.find(match);
    if (seen !== undefined) return Promise.resolve(seen as Extract<ServerMessage, { type: T }>);
    return new Promise<Extract<ServerMessage, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<ServerMessage, { type: T }>);
        },
      });
    });
  }

  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m) => m.type === type) as Extract<ServerMessage, { type: T }>[];
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  closed(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for close')), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve(this.closeCode!);
      });
    });
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function serve(options: WatchServerOptions = {}, hub = new WatchHub()): Promise<{ hub: WatchHub; server: WatchServer }> {
  const server = await startWatchServer({ port: 0, ...options }, hub);
  cleanups.push(() => server.close());
  return { hub, server };
}

function client(server: WatchServer, query = '', options: WebSocket.ClientOptions = {}): TestClient {
  const c = new TestClient(`${server.viewerSocketUrl}${query}`, options);
  cleanups.push(() => c.ws.terminate());
  return c;
}

const analysis = (winrate: number, moves: string[]) => ({
  winrate,
  visits: 400,
  candidates: moves.map((m, i) => ({ move: v(m), visits: 300 - i * 100, prior: 0.3, winrate: winrate - i * 0.05 })),
  pv: moves.map(v),
});

describe('WatchHub', () => {
  it('records moves with captures and the current stones', () => {
    const hub = new WatchHub();
    const game = hub.startGame({ black: 'b', white: { name: 'w', network: 'net-7' }, size: SIZE, komi: 7, rules: 'chinese' });
    // White stone at A9 captured by B9 + A8.
    game.move({ color: BLACK, move: v('B9') });
    game.move({ color: WHITE, move: v('A9') });
    game.move({ color: BLACK, move: v('A8'), analysis: analysis(0.6, ['A8', 'C3']) });
    const snap = hub.game(game.id)!.snapshot();
    expect(snap.moves.map((m) => m.move)).toEqual(['B9', 'A9', 'A8']);
    expect(snap.moves[2]!.captured).toEqual(['A9']);
    expect(snap.captures).toEqual({ black: 1, white: 0 });
    expect(snap.stones[0]).toBe('.X.......');
    expect(snap.stones[1]).toBe('X........');
    expect(snap.toPlay).toBe('W');
    expect(snap.white).toEqual({ name: 'w', network: 'net-7' });
    expect(snap.moves[2]!.analysis!.candidates[0]).toEqual({ move: 'A8', visits: 300, prior: 0.3, winrate: 0.6 });
    expect(snap.moves[2]!.analysis!.pv).toEqual(['A8', 'C3']);
  });

  it('rejects illegal moves and bad analysis without changing the game', () => {
    const hub = new WatchHub();
    const game = hub.startGame({ black: 'b', white: 'w', size: SIZE, komi: 7 });
    game.move({ color: BLACK, move: v('E5') });
    expect(() => game.move({ color: WHITE, move: v('E5') })).toThrow(/illegal move E5 by W .*occupied/);
    expect(() => game.move({ color: WHITE, move: 81 })).toThrow(/not a point/);
    expect(() => game.move({ color: WHITE, move: v('D4'), analysis: { winrate: 1.5, visits: 1 } })).toThrow(/winrate/);
    expect(() => game.move({ color: WHITE, move: v('D4'), analysis: { winrate: NaN, visits: 1 } })).toThrow(/winrate/);
    expect(hub.game(game.id)!.moves).toHaveLength(1);
    game.move({ color: WHITE, move: v('D4') });
    expect(hub.game(game.id)!.moves).toHaveLength(2);
  });

  it('keeps the best candidates by visits, up to the limit', () => {
    const hub = new WatchHub({ maxCandidates: 2, maxPvLength: 1 });
    const game = hub.startGame({ black: 'b', white: 'w', size: SIZE, komi: 7 });
    game.move({
      color: BLACK,
      move: v('E5'),
      analysis: {
        winrate: 0.5,
        visits: 10,
        candidates: [
          { move: v('A1'), visits: 1, prior: 0.1, winrate: 0.4 },
          { move: v('E5'), visits: 7, prior: 0.5, winrate: 0.5 },
          { move: PASS, visits: 2, prior: 0.1, winrate: 0.3 },
        ],
        pv: [v('E5'), v('D4')],
      },
    });
    const a = hub.game(game.id)!.moves[0]!.analysis!;
    expect(a.candidates.map((c) => c.move)).toEqual(['E5', 'pass']);
    expect(a.pv).toEqual(['E5']);
  });

  it('announces start, moves, undo, end and eviction of old finished games', () => {
    const hub = new WatchHub({ keepFinishedGames: 1 });
    const events: string[] = [];
    hub.addListener((e: WatchEvent) => events.push(`${e.kind}:${e.game.id}`));
    const a = hub.startGame({ id: 'a', black: 'b', white: 'w', size: SIZE, komi: 7 });
    a.move({ color: BLACK, move: v('C3') });
    a.undo();
    expect(hub.game('a')!.moves).toHaveLength(0);
    a.end('W+R');
    a.end('B+R'); // ignored
    expect(hub.game('a')!.result).toEqual({ text: 'W+R', winner: 'W' });
    expect(() => a.move({ color: BLACK, move: v('C3') })).toThrow(/over/);
    const b = hub.startGame({ id: 'b', black: 'b', white: 'w', size: SIZE, komi: 7 });
    b.end({ text: '0' });
    expect(hub.game('b')!.result).toEqual({ text: '0', winner: null });
    expect(events).toEqual(['started:a', 'move:a', 'reset:a', 'ended:a', 'started:b', 'ended:b', 'removed:a']);
    expect(hub.game('a')).toBeUndefined();
    expect(() => hub.startGame({ id: 'b', black: 'b', white: 'w', size: SIZE, komi: 7 })).toThrow(/exists/);
  });

  it('does not let a failing listener break the publisher', () => {
    const hub = new WatchHub();
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      hub.addListener(() => {
        throw new Error('listener bug');
      });
      const g = hub.startGame({ black: 'b', white: 'w', size: SIZE, komi: 7 });
      g.move({ color: BLACK, move: v('E5') });
      expect(hub.game(g.id)!.moves).toHaveLength(1);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      console.error = original;
    }
  });
});

describe('protocol parsing', () => {
  it('accepts the viewer messages and refuses anything else with a code', () => {
    expect(parseViewerMessage('{"type":"subscribe","gameId":"*"}')).toEqual({ type: 'subscribe', gameId: '*' });
    expect(parseViewerMessage('{"type":"ping","id":3}')).toEqual({ type: 'ping', id: 3 });
    expect(() => parseViewerMessage('nope')).toThrow(expect.objectContaining({ code: 'bad-json' }));
    expect(() => parseViewerMessage('[1]')).toThrow(expect.objectContaining({ code: 'bad-message' }));
    expect(() => parseViewerMessage('{"type":"move","gameId":"x"}')).toThrow(expect.objectContaining({ code: 'unknown-type' }));
    expect(() => parseViewerMessage('{"type":"subscribe","gameId":"../etc"}')).toThrow(expect.objectContaining({ code: 'bad-message' }));
  });

  it('admits viewers from loopback freely and others only with the token; publishers need it always', () => {
    const req = (address: string, headers: Record<string, string> = {}) =>
      ({ socket: { remoteAddress: address }, headers }) as unknown as IncomingMessage;
    const url = (q = '') => new URL(`http://x/ws${q}`);
    expect(refusal('viewer', req('127.0.0.1'), url(), 'secret')).toBeNull();
    expect(refusal('viewer', req('::ffff:127.0.0.1'), url(), 'secret')).toBeNull();
    expect(refusal('viewer', req('10.0.0.5'), url(), 'secret')).toMatch(/token/);
    expect(refusal('viewer', req('10.0.0.5'), url('?token=wrong'), 'secret')).toMatch(/token/);
    expect(refusal('viewer', req('10.0.0.5'), url('?token=secret'), 'secret')).toBeNull();
    expect(refusal('viewer', req('10.0.0.5', { authorization: 'Bearer secret' }), url(), 'secret')).toBeNull();
    expect(refusal('viewer', req('10.0.0.5'), url(), null)).toBeNull();
    expect(refusal('publisher', req('127.0.0.1'), url(), null)).toBeNull();
    expect(refusal('publisher', req('10.0.0.5'), url(), null)).toMatch(/loopback/);
    expect(refusal('publisher', req('127.0.0.1'), url(), 'secret')).toMatch(/token/);
    expect(refusal('publisher', req('10.0.0.5'), url('?token=secret'), 'secret')).toBeNull();
    expect(refusal('publisher', req('127.0.0.1', { origin: 'http://evil.example' }), url(), null)).toMatch(/browser/);
  });

  it('turns server addresses into publisher socket URLs', () => {
    expect(publisherSocketUrl('http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/publish');
    expect(publisherSocketUrl('ws://127.0.0.1:8080/', 't k')).toBe('ws://127.0.0.1:8080/publish?token=t+k');
    expect(() => publisherSocketUrl('ftp://x')).toThrow(/ws:\/\//);
  });
});

describe('watch server', () => {
  it('sends hello, the game list, a snapshot, then the move stream and the result', async () => {
    const { hub, server } = await serve();
    const game = hub.startGame({ id: 'g1', black: 'tengen', white: 'gnugo', size: SIZE, komi: 7, rules: 'chinese', source: 'gtp' });
    const c = client(server);
    const hello = await c.next('hello');
    expect(hello).toMatchObject({ protocol: 'tengen-watch', version: 1, role: 'viewer' });
    const games = await c.next('games');
    expect(games.games.map((g) => g.id)).toEqual(['g1']);
    const snap = await c.next('snapshot');
    expect(snap.game).toMatchObject({ id: 'g1', size: 9, komi: 7, rules: 'chinese', source: 'gtp', moves: [], status: 'live' });
    game.move({ color: BLACK, move: v('E5'), analysis: analysis(0.55, ['E5', 'D4']) });
    game.move({ color: WHITE, move: PASS });
    game.end('B+R');
    const end = await c.next('end');
    expect(end).toEqual({ type: 'end', gameId: 'g1', result: { text: 'B+R', winner: 'B' } });
    const moves = c.of('move');
    expect(moves.map((m) => [m.move.n, m.move.color, m.move.move])).toEqual([
      [1, 'B', 'E5'],
      [2, 'W', 'pass'],
    ]);
    expect(moves[0]!.move.analysis!.winrate).toBe(0.55);
    expect(c.messages.map((m) => m.type)).toEqual(['hello', 'games', 'snapshot', 'move', 'move', 'end']);
  });

  it('gives a late joiner the game so far (stones, captures, analysis), then the stream', async () => {
    const { hub, server } = await serve();
    const game = hub.startGame({ id: 'late', black: 'b', white: 'w', size: SIZE, komi: 6.5, rules: 'japanese' });
    for (const [color, m] of [[BLACK, 'B9'], [WHITE, 'A9'], [BLACK, 'A8']] as const) {
      game.move({ color, move: v(m), analysis: analysis(0.5, [m]) });
    }
    const c = client(server);
    const snap = await c.next('snapshot');
    expect(snap.game.moves.map((m) => m.move)).toEqual(['B9', 'A9', 'A8']);
    expect(snap.game.moves[2]!.captured).toEqual(['A9']);
    expect(snap.game.captures).toEqual({ black: 1, white: 0 });
    expect(snap.game.stones[0]).toBe('.X.......');
    expect(snap.game.moves.every((m) => m.analysis !== undefined)).toBe(true);
    game.move({ color: WHITE, move: v('E5') });
    const next = await c.next('move');
    expect(next.move.n).toBe(4);
    expect(next.captures).toEqual({ black: 1, white: 0 });
  });

  it('streams only the subscribed game, but tells every viewer about starts and ends', async () => {
    const { hub, server } = await serve();
    const a = hub.startGame({ id: 'a', black: 'b', white: 'w', size: SIZE, komi: 7 });
    const b = hub.startGame({ id: 'b', black: 'b', white: 'w', size: SIZE, komi: 7 });
    const c = client(server, '?subscribe=none');
    await c.next('games');
    c.send({ type: 'subscribe', gameId: 'b' });
    await c.next('snapshot', (s) => s.game.id === 'b');
    a.move({ color: BLACK, move: v('C3') });
    b.move({ color: BLACK, move: v('D4') });
    hub.startGame({ id: 'c', black: 'b', white: 'w', size: 13, komi: 7 });
    a.end('W+R');
    b.end('B+1.5');
    await c.next('end', (e) => e.gameId === 'b');
    expect(c.of('move').map((m) => m.gameId)).toEqual(['b']);
    expect(c.of('snapshot').map((s) => s.game.id)).toEqual(['b']);
    expect(c.of('gameStarted').map((s) => s.game.id)).toEqual(['c']);
    expect(c.of('end').map((e) => e.gameId)).toEqual(['a', 'b']);
    // Finished games stay available for a while.
    c.send({ type: 'subscribe', gameId: 'a' });
    const snapA = await c.next('snapshot', (s) => s.game.id === 'a');
    expect(snapA.game).toMatchObject({ status: 'finished', result: { text: 'W+R', winner: 'W' }, moveCount: 1 });
    c.send({ type: 'unsubscribe', gameId: 'b' });
    c.send({ type: 'list' });
    const list = await c.next('games', (g) => g.games.length === 3);
    expect(list.games.map((g) => g.id)).toEqual(['c', 'b', 'a']);
  });

  it('streams many games to an all-games viewer in order', async () => {
    const { hub, server } = await serve();
    const c = client(server);
    await c.next('games');
    const handles = Array.from({ length: 40 }, (_, i) => hub.startGame({ id: `m${i}`, black: 'b', white: 'w', size: SIZE, komi: 7 }));
    const points = ['A1', 'B2', 'C3', 'D4', 'E5', 'F6', 'G7', 'H8', 'J9', 'A9'];
    points.forEach((p, k) => handles.forEach((h) => h.move({ color: k % 2 === 0 ? BLACK : WHITE, move: v(p) })));
    handles.forEach((h, i) => h.end(i % 2 === 0 ? 'B+R' : 'W+R'));
    await c.next('end', (e) => e.gameId === 'm39');
    expect(c.of('snapshot')).toHaveLength(40);
    for (let i = 0; i < 40; i++) {
      const moves = c.of('move').filter((m) => m.gameId === `m${i}`);
      expect(moves.map((m) => m.move.move)).toEqual(points);
      expect(moves.map((m) => m.move.n)).toEqual(points.map((_, k) => k + 1));
    }
    expect(c.of('end')).toHaveLength(40);
  });

  it('answers bad messages with errors, closes abusers, and keeps serving others', async () => {
    const { hub, server } = await serve({ maxProtocolErrors: 4 });
    const good = client(server);
    await good.next('games');
    const bad = client(server, '?subscribe=none');
    await bad.next('games');
    bad.send('not json');
    expect((await bad.next('error', (e) => e.code === 'bad-json')).message).toMatch(/JSON/);
    bad.send({ type: 'play', move: 'D4' });
    await bad.next('error', (e) => e.code === 'unknown-type');
    bad.send({ type: 'subscribe', gameId: 'nope' });
    await bad.next('error', (e) => e.code === 'unknown-game');
    bad.send({ type: 'ping', id: 'x' });
    expect(await bad.next('pong')).toEqual({ type: 'pong', id: 'x' });
    bad.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await bad.closed()).toBe(1008); // fourth error

    const big = client(server, '?subscribe=none');
    await big.next('games');
    big.send({ type: 'ping', id: 'x'.repeat(5000) });
    expect(await big.closed()).toBe(1009);

    const chatty = client(server, '?subscribe=none');
    await chatty.next('games');
    for (let i = 0; i < 60; i++) chatty.send({ type: 'ping' });
    expect(await chatty.closed()).toBe(1008);

    const game = hub.startGame({ id: 'after', black: 'b', white: 'w', size: SIZE, komi: 7 });
    game.move({ color: BLACK, move: v('E5') });
    expect((await good.next('move')).gameId).toBe('after');
  });

  it('drops a viewer that does not read, without holding up the game or the other viewers', async () => {
    const { hub, server } = await serve({ maxBufferedBytes: 64 * 1024 });
    const reader = client(server);
    const slow = client(server);
    await reader.next('games');
    await slow.next('games');
    slow.ws.pause();
    // Moves with big analyses, over many games, until the paused viewer's kernel buffers and our bound fill.
    const long = 'x'.repeat(60);
    let sent = 0;
    for (let g = 0; g < 400 && server.stats().droppedSlowViewers === 0; g++) {
      const h = hub.startGame({ black: { name: 'b', network: long }, white: { name: 'w', network: long }, size: 19, komi: 7 });
      for (let k = 0; k < 50; k++) {
        const cands = Array.from({ length: 16 }, (_, i) => ({ move: 19 * 10 + i, visits: 100 - i, prior: 0.01, winrate: 0.5 }));
        h.move({ color: k % 2 === 0 ? BLACK : WHITE, move: k, analysis: { winrate: 0.5, visits: 1000, candidates: cands, pv: cands.map((c) => c.move) } });
        sent++;
      }
      h.end('Void');
      await new Promise((r) => setImmediate(r));
    }
    expect(server.stats().droppedSlowViewers).toBe(1);
    const last = hub.startGame({ id: 'last', black: 'b', white: 'w', size: SIZE, komi: 7 });
    last.move({ color: BLACK, move: v('E5') });
    await reader.next('move', (m) => m.gameId === 'last', 20_000);
    expect(reader.of('move').length).toBe(sent + 1);
    expect(server.stats().viewers).toBe(1);
  });

  it('gives a late joiner every live game even when the snapshots exceed the slow-client bound', async () => {
    const { hub, server } = await serve({ maxBufferedBytes: 16 * 1024 });
    for (let g = 0; g < 40; g++) {
      const h = hub.startGame({ id: `big${g}`, black: 'b', white: 'w', size: 19, komi: 7 });
      for (let k = 0; k < 200; k++) {
        const cands = Array.from({ length: 16 }, (_, i) => ({ move: 300 + i, visits: 100 - i, prior: 0.01, winrate: 0.5 }));
        h.move({ color: k % 2 === 0 ? BLACK : WHITE, move: k, analysis: { winrate: 0.5, visits: 1000, candidates: cands, pv: cands.map((c) => c.move) } });
      }
    }
    hub.startGame({ id: 'done', black: 'b', white: 'w', size: 9, komi: 7 }).end('B+R');
    const c = client(server);
    await c.next('snapshot', (s) => s.game.id === 'big39', 20_000);
    const snaps = c.of('snapshot');
    expect(snaps.map((s) => s.game.id)).toEqual(Array.from({ length: 40 }, (_, g) => `big${g}`)); // live ones only
    expect(snaps.reduce((n, s) => n + JSON.stringify(s).length, 0)).toBeGreaterThan(8_000_000);
    expect(server.stats().droppedSlowViewers).toBe(0);
    hub.handle('big0')!.move({ color: BLACK, move: 250 });
    expect((await c.next('move')).move.n).toBe(201);
  });

  it('closes connections that stop answering heartbeats', async () => {
    const { server } = await serve({ heartbeatMs: 80 });
    const dead = client(server, '', { autoPong: false });
    const alive = client(server);
    await dead.next('games');
    await alive.next('games');
    await dead.closed(3000);
    await new Promise((r) => setTimeout(r, 300));
    expect(alive.closeCode).toBeNull();
    expect(server.stats().droppedDeadConnections).toBeGreaterThanOrEqual(1);
  });

  it('serves the viewer page, its script, the game list, and nothing else', async () => {
    const { hub, server } = await serve();
    hub.startGame({ id: 'page', black: 'b', white: 'w', size: SIZE, komi: 7 });
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await page.text()).toMatch(/<svg|id="board"/);
    const script = await (await fetch(new URL('/viewer.js', server.url))).text();
    expect(() => new Script(script)).not.toThrow();
    const css = await fetch(new URL('/viewer.css', server.url));
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    const api = (await (await fetch(new URL('/api/games', server.url))).json()) as { games: { id: string }[] };
    expect(api.games.map((g) => g.id)).toEqual(['page']);
    expect((await fetch(new URL('/nope', server.url))).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST', body: 'x' })).status).toBe(405);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await fetch(new URL('/', server.url.replace('127.0.0.1', 'localhost')))).status).toBe(200);
  });

  it('answers only to loopback host names when bound to loopback (no DNS rebinding)', async () => {
    const { server } = await serve();
    const { request } = await import('node:http');
    const statusWithHost = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path: '/api/games', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await statusWithHost(`evil.example:${server.port}`)).toBe(421);
    expect(await statusWithHost(`127.0.0.1:${server.port}`)).toBe(200);
    expect(await statusWithHost('localhost')).toBe(200);
    const ws = new TestClient(server.viewerSocketUrl, { headers: { host: 'evil.example' } });
    cleanups.push(() => ws.ws.terminate());
    await expect(ws.closed()).resolves.toBe(1006);
  });
});

describe('remote publishers', () => {
  it('refuse publishers without the token and browsers, accept the token', async () => {
    const { server } = await serve({ token: 'sesame' });
    // Loopback viewers need no token.
    const viewer = client(server);
    await viewer.next('hello');
    const refused = (url: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('open', () => {
          resolve(101);
          ws.close();
        });
        ws.on('error', () => {});
      });
    expect(await refused(server.publisherUrl)).toBe(401);
    expect(await refused(`${server.publisherUrl}?token=wrong`)).toBe(401);
    expect(await refused(`${server.publisherUrl}?token=sesame`, { origin: 'http://evil.example' })).toBe(403);
    expect(await refused(`${server.publisherUrl}?token=sesame`)).toBe(101);
    expect(await refused(server.publisherUrl, { authorization: 'Bearer sesame' })).toBe(101);
    expect(server.stats().refusedConnections).toBe(3);
    await expect(connectPublisher(server.publisherUrl, { onError: () => {} }).ready()).rejects.toThrow(/401/);
  });

  it('stream games from another process into the server, and resync after the server restarts', async () => {
    const { server } = await serve({ token: 'sesame' });
    const viewer = client(server);
    await viewer.next('games');
    const publisher = connectPublisher(server.url, { token: 'sesame', reconnectMs: 50 });
    cleanups.push(() => publisher.close());
    await publisher.ready();
    const game = publisher.startGame({ id: 'remote', black: 'tengen', white: 'tengen', size: SIZE, komi: 7, source: 'selfplay' });
    game.move({ color: BLACK, move: v('B9'), analysis: analysis(0.5, ['B9', 'E5']) });
    game.move({ color: WHITE, move: v('A9') });
    game.move({ color: BLACK, move: v('A8') });
    const third = await viewer.next('move', (m) => m.move.n === 3);
    expect(third.move.captured).toEqual(['A9']);
    expect(viewer.of('move')[0]!.move.analysis!.candidates.map((c) => c.move)).toEqual(['B9', 'E5']);
    // Checked locally, like the in-process hub.
    expect(() => game.move({ color: WHITE, move: v('A8') })).toThrow(/illegal/);

    // The server goes away; a new one comes up on the same port; the publisher resends the game.
    const port = server.port;
    await server.close();
    const hub2 = new WatchHub();
    const server2 = await startWatchServer({ port, token: 'sesame' }, hub2);
    cleanups.push(() => server2.close());
    const viewer2 = client(server2);
    await viewer2.next('games');
    const resynced = await viewer2.next('snapshot', (s) => s.game.id === 'remote' && s.game.moves.length === 3, 10_000);
    expect(resynced.game.captures).toEqual({ black: 1, white: 0 });
    game.move({ color: WHITE, move: v('E5') });
    game.end('W+R');
    const end = await viewer2.next('end');
    expect(end.result).toEqual({ text: 'W+R', winner: 'W' });
    expect(hub2.game('remote')!.moves).toHaveLength(4);
  });

  it('report refused messages and void games whose publisher vanished', async () => {
    const { hub, server } = await serve({ publisherGraceMs: 100 });
    const raw = new TestClient(server.publisherUrl);
    cleanups.push(() => raw.ws.terminate());
    await raw.next('hello');
    const start = {
      type: 'start',
      game: { id: 'orphan', black: { name: 'b' }, white: { name: 'w' }, size: 9, komi: 7, rules: 'chinese', handicap: 0, setup: { black: [], white: [] }, moves: [], result: null },
    };
    raw.send(start);
    raw.send({ type: 'move', gameId: 'orphan', move: { color: 'B', move: 'E5' } });
    raw.send({ type: 'move', gameId: 'orphan', move: { color: 'W', move: 'E5' } });
    expect((await raw.next('error')).code).toBe('illegal-move');
    raw.send({ type: 'move', gameId: 'orphan', move: { color: 'W', move: 'Z99' } });
    expect((await raw.next('error', (e) => e.code === 'bad-message')).message).toMatch(/Z99/);
    raw.send({ type: 'move', gameId: 'other', move: { color: 'W', move: 'D4' } });
    expect((await raw.next('error', (e) => e.code === 'unknown-game')).gameId).toBe('other');
    expect(hub.game('orphan')!.moves).toHaveLength(1);
    raw.ws.close();
    await new Promise((r) => setTimeout(r, 400));
    expect(hub.game('orphan')!.result).toEqual({ text: 'Void', winner: null });
  });
});

/** An address of this machine that is not loopback, to connect as a 'remote' viewer would. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && !i.internal && i.family === 'IPv4')?.address;

describe('publisher ownership', () => {
  const startMessage = (id: string, moves: { color: 'B' | 'W'; move: string }[] = []) => ({
    type: 'start',
    game: { id, black: { name: 'b' }, white: { name: 'w' }, size: 9, komi: 7, rules: 'chinese', handicap: 0, setup: { black: [], white: [] }, moves, result: null },
  });

  it('lets a reconnecting publisher resume an orphaned game, but no one take a game it does not own', async () => {
    const { hub, server } = await serve({ publisherGraceMs: 300 });
    hub.startGame({ id: 'local', black: 'b', white: 'w', size: 9, komi: 7 });
    const viewer = client(server);
    await viewer.next('games');
    const first = new TestClient(server.publisherUrl);
    cleanups.push(() => first.ws.terminate());
    await first.next('hello');
    first.send(startMessage('mine'));
    first.send({ type: 'move', gameId: 'mine', move: { color: 'B', move: 'E5' } });
    await viewer.next('move', (m) => m.gameId === 'mine');

    const second = new TestClient(server.publisherUrl);
    cleanups.push(() => second.ws.terminate());
    await second.next('hello');
    second.send(startMessage('local'));
    expect((await second.next('error', (e) => e.gameId === 'local')).code).toBe('game-exists');
    second.send(startMessage('mine'));
    expect((await second.next('error', (e) => e.gameId === 'mine')).code).toBe('game-exists');
    second.send({ type: 'move', gameId: 'mine', move: { color: 'W', move: 'D4' } });
    await second.next('error', (e) => e.gameId === 'mine' && /another publisher/.test(e.message));

    first.ws.close();
    await first.closed();
    second.send(startMessage('mine', [{ color: 'B', move: 'E5' }, { color: 'W', move: 'C3' }]));
    const resumed = await viewer.next('snapshot', (s) => s.game.id === 'mine' && s.game.moves.length === 2);
    expect(resumed.game.stones[6]).toBe('..O......');
    await new Promise((r) => setTimeout(r, 500)); // past the grace period: still live, it has an owner again
    expect(hub.game('mine')!.status).toBe('live');
    expect(hub.game('local')!.moves).toHaveLength(0);
  });
});

describe.skipIf(externalAddress === undefined)('beyond loopback', () => {
  it('asks non-loopback viewers for the token for game data; the page itself is public', async () => {
    const { server } = await serve({ host: '0.0.0.0', token: 'sesame' });
    const base = `http://${externalAddress}:${server.port}`;
    // The page is public (no game data in it); the data is not.
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/api/games`)).status).toBe(401);
    expect((await fetch(`${base}/api/games?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/api/games?token=sesame`)).status).toBe(200);
    expect((await fetch(`${base}/api/games`, { headers: { authorization: 'Bearer sesame' } })).status).toBe(200);
    const upgrade = (url: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          resolve(101);
          ws.close();
        });
        ws.on('error', () => {});
      });
    expect(await upgrade(`ws://${externalAddress}:${server.port}/ws`)).toBe(401);
    expect(await upgrade(`ws://${externalAddress}:${server.port}/ws?token=sesame`)).toBe(101);
    expect(await upgrade(`ws://127.0.0.1:${server.port}/ws`)).toBe(101);
  });

  it('binds loopback by default, so other interfaces cannot connect', async () => {
    const { server } = await serve();
    await expect(fetch(`http://${externalAddress}:${server.port}/`)).rejects.toThrow();
  });
});

describe('CLI entry points', () => {
  it('tengen watch refuses bad options with usage errors', async () => {
    const { main } = await import('../src/watch/main.js');
    const err = process.stderr.write;
    const out = process.stdout.write;
    const written: string[] = [];
    process.stderr.write = ((t: string) => (written.push(t), true)) as typeof process.stderr.write;
    process.stdout.write = ((t: string) => (written.push(t), true)) as typeof process.stdout.write;
    try {
      expect(await main(['--port', 'eighty'])).toBe(2);
      expect(await main(['--port', '70000'])).toBe(2);
      expect(await main(['--token', 'short'])).toBe(2);
      expect(await main(['--bogus'])).toBe(2);
      expect(await main(['--help'])).toBe(0);
    } finally {
      process.stderr.write = err;
      process.stdout.write = out;
    }
    expect(written.join('')).toMatch(/--port must be an integer/);
    expect(written.join('')).toMatch(/at least 8 characters/);
    expect(written.join('')).toMatch(/usage: tengen watch/);
  });

  it('runWatchCommand serves until aborted; openWatch embeds a server or publishes to one', async () => {
    const abort = new AbortController();
    const lines: string[] = [];
    let listening: WatchServer | null = null;
    const running = runWatchCommand({ port: 0, log: (l) => lines.push(l), signal: abort.signal, onListening: (s) => (listening = s) });
    while (listening === null) await new Promise((r) => setTimeout(r, 10));
    const server = listening as WatchServer;
    expect(lines.join('\n')).toMatch(/viewer at http:\/\/127\.0\.0\.1:\d+\//);
    const viewer = client(server);
    await viewer.next('games');
    const remote = await openWatch(server.url.replace('http', 'ws'), { log: () => {} });
    const g = remote.startGame({ black: 'b', white: 'w', size: SIZE, komi: 7 });
    g.move({ color: BLACK, move: v('E5') });
    expect((await viewer.next('move')).move.move).toBe('E5');
    await remote.close();
    abort.abort();
    await running;
    await expect(openWatch('ws://127.0.0.1:1', { log: () => {} })).rejects.toThrow(/cannot publish/);
    await expect(openWatch('watch-me')).rejects.toThrow(/port .* or a server URL/);

    const embedded = await openWatch(0, { log: () => {} });
    const page = await fetch(embedded.url);
    expect(page.status).toBe(200);
    await embedded.close();
  });
});
