/**
 * The GTP session in-process (engine + server + client over in-memory streams): resignation policy,
 * KGS cleanup, handicap placement, and the client's own behaviour (ids, streaming, errors).
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BLACK, DEFAULT_GAME_RULES, WHITE, parseGtpVertex } from '../engine/index.js';
import { GtpClient, GtpCommandError } from '../gtp/client.js';
import { GtpEngine, type EngineConfig } from '../gtp/engine.js';
import { GTP_FIRST_PASS_MIN_PRIOR, gtpSearchParams } from '../gtp/mcts-generator.js';
import type { Analysis, SearchLimits, SearchOutcome, SearchRequest } from '../gtp/move-generator.js';
import type { Game } from '../engine/game.js';
import { PlayoutGenerator } from '../gtp/playout-generator.js';
import { GtpServer } from '../gtp/server.js';
import { DEAD_STONES_POSITION, SEKI_POSITION, positionVertices } from './gtp-positions.js';

function config(overrides: Partial<EngineConfig> = {}): EngineConfig {
  return {
    boardSize: 9,
    rules: { ...DEFAULT_GAME_RULES },
    visits: 400,
    resignThreshold: 0.1,
    resignMinMovesFraction: 0.25,
    resignMinVisits: 50,
    resignConsecutiveMoves: 1,
    workingDir: '.',
    name: 'tengen',
    version: 'test',
    seed: 1,
    log: () => {},
    ...overrides,
  };
}

function inProcess(engine: GtpEngine): GtpClient {
  const toEngine = new PassThrough();
  const fromEngine = new PassThrough();
  const server = new GtpServer(engine, { write: (t) => fromEngine.write(t), log: () => {} });
  toEngine.on('data', (d: Buffer) => server.feed(d));
  toEngine.on('end', () => server.end());
  void server.finished.then(() => fromEngine.end());
  return new GtpClient(toEngine, fromEngine, { name: 'tengen' });
}

const analysis = (winrate: number, visits = 500): Analysis => ({ color: BLACK, visits, winrate, candidates: [] });

describe('resignation policy', () => {
  it('resigns below the threshold, never early, never on too few visits, never when disabled', () => {
    const engine = new GtpEngine(config(), async () => new PlayoutGenerator());
    expect(engine.shouldResign(BLACK, analysis(0.01))).toBe(false); // move 0
    for (let i = 0; i < 21; i++) engine.game.play(-1);
    expect(engine.shouldResign(BLACK, analysis(0.01))).toBe(true); // 21 moves ≥ 0.25 × 81
    expect(engine.shouldResign(BLACK, analysis(0.2))).toBe(false);
    expect(engine.shouldResign(BLACK, analysis(0.01, 10))).toBe(false);
    const never = new GtpEngine(config({ resignThreshold: 0 }), async () => new PlayoutGenerator());
    for (let i = 0; i < 40; i++) never.game.play(-1);
    expect(never.shouldResign(BLACK, analysis(0))).toBe(false);
  });

  it('with resignConsecutiveMoves 3, resigns only on the third hopeless own move in a row', () => {
    const engine = new GtpEngine(config({ resignConsecutiveMoves: 3 }), async () => new PlayoutGenerator());
    for (let i = 0; i < 22; i++) engine.game.play(-1);
    const own = (winrate: number): boolean => {
      const r = engine.shouldResign(BLACK, analysis(winrate));
      engine.game.play(-1); // our move
      engine.game.play(-1); // the opponent's
      return r;
    };
    expect(own(0.01)).toBe(false);
    expect(own(0.01)).toBe(false);
    expect(own(0.5)).toBe(false); // a good position breaks the streak
    expect(own(0.01)).toBe(false);
    expect(own(0.01)).toBe(false);
    // Asked twice at the same move (genmove after undo): the count does not grow.
    expect(engine.shouldResign(BLACK, analysis(0.01))).toBe(true);
    expect(engine.shouldResign(BLACK, analysis(0.01))).toBe(true);
    // A new game starts a new streak.
    engine.clearBoard();
    for (let i = 0; i < 22; i++) engine.game.play(-1);
    expect(engine.shouldResign(BLACK, analysis(0.01))).toBe(false);
  });

  it('lowers White\'s threshold in handicap games, back to normal as the game goes on', () => {
    const engine = new GtpEngine(config(), async () => new PlayoutGenerator());
    engine.setFixedHandicap(4);
    for (let i = 0; i < 21; i++) engine.game.play(-1);
    // Threshold 0.1 / (1 + 4) blended with 0.1 at 21 / (0.6 × 81) of the way: about 0.055.
    expect(engine.shouldResign(WHITE, analysis(0.06))).toBe(false);
    expect(engine.shouldResign(WHITE, analysis(0.04))).toBe(true);
    expect(engine.shouldResign(BLACK, analysis(0.06))).toBe(true);
    for (let i = 0; i < 40; i++) engine.game.play(-1);
    expect(engine.shouldResign(WHITE, analysis(0.09))).toBe(true);
  });

  it('answers genmove with resign when the search finds the game hopeless', async () => {
    const engine = new GtpEngine(config({ resignMinMovesFraction: 0 }), async () => new PlayoutGenerator());
    const client = inProcess(engine);
    // Komi 60 on 9x9: Black would need 71 of the 81 points.
    await client.send('komi 60');
    expect(await client.send('genmove b')).toBe('resign');
    expect(await client.send('printsgf')).toContain('RE[W+R]');
  });
});

describe('KGS cleanup', () => {
  it('kgs-genmove_cleanup captures dead stones before passing; genmove passes at once', async () => {
    const engine = new GtpEngine(config({ resignThreshold: 0 }), async () => new PlayoutGenerator());
    const client = inProcess(engine);
    await client.send('komi 7');
    for (const v of positionVertices(DEAD_STONES_POSITION, 'X')) await client.send(`play b ${v}`);
    for (const v of positionVertices(DEAD_STONES_POSITION, 'O')) await client.send(`play w ${v}`);
    await client.send('play w pass');
    expect(await client.send('genmove b')).toBe('pass');
    await client.send('undo');
    const moves: string[] = [];
    for (let i = 0; i < 12; i++) {
      const b = await client.send('kgs-genmove_cleanup b');
      const w = await client.send('kgs-genmove_cleanup w');
      moves.push(b, w);
      if (b === 'pass' && w === 'pass') break;
    }
    expect(moves.slice(-2)).toEqual(['pass', 'pass']);
    const stones = async (color: string): Promise<string[]> => (await client.send(`list_stones ${color}`)).split(' ');
    expect(await stones('white')).not.toContain('B1');
    expect(await stones('black')).not.toContain('F1');
    expect(await client.send('final_status_list dead')).toBe('');
    expect(await client.send('final_score')).toBe('W+16');
  });
});

describe('seki', () => {
  it('lists the seki chains apart from the living ones and counts them as alive', async () => {
    const client = inProcess(new GtpEngine(config(), async () => new PlayoutGenerator()));
    await client.send('komi 7');
    for (const v of positionVertices(SEKI_POSITION, 'X')) await client.send(`play b ${v}`);
    for (const v of positionVertices(SEKI_POSITION, 'O')) await client.send(`play w ${v}`);
    expect(await client.send('final_status_list dead')).toBe('');
    const seki = (await client.send('final_status_list seki')).split('\n').map((chain) => chain.split(' ').length).sort((a, b) => a - b);
    expect(seki).toEqual([9, 16]);
    expect((await client.send('final_status_list alive')).split('\n')).toHaveLength(2);
    expect(await client.send('final_score')).toBe('W+14');
    // Territory scoring: five eyes each, nothing for the seki; komi 7.
    await client.send('kata-set-rules japanese');
    expect(await client.send('final_score')).toBe('W+7');
  });
});

describe('the Monte-Carlo fallback', () => {
  it('captures a group in atari', async () => {
    const client = inProcess(new GtpEngine(config({ visits: 3000, resignThreshold: 0 }), async () => new PlayoutGenerator()));
    // White D5 E5 F5 has one liberty left, F4.
    for (const m of ['b D6', 'w D5', 'b E6', 'w E5', 'b F6', 'w F5', 'b C5', 'w J9', 'b G5', 'w J8', 'b D4', 'w J7', 'b E4', 'w A9']) {
      await client.send(`play ${m}`);
    }
    expect(await client.send('genmove b')).toBe('F4');
    expect(await client.send('captures black')).toBe('3');
  });
});

describe('handicap placement', () => {
  it('places any number of free handicap stones up to the board size, all distinct', async () => {
    const client = inProcess(new GtpEngine(config(), async () => new PlayoutGenerator()));
    for (const n of [2, 5, 9, 10, 30, 80]) {
      await client.send('clear_board');
      const vertices = (await client.send(`place_free_handicap ${n}`)).split(' ');
      expect(new Set(vertices).size).toBe(n);
      for (const v of vertices) expect(parseGtpVertex(v, 9)).not.toBeNull();
    }
    await client.send('clear_board');
    expect((await client.request('place_free_handicap 81')).text).toBe('invalid number of stones');
  });
});

describe('GtpClient', () => {
  it('numbers commands, reports failures as GtpCommandError, and rejects multi-line commands', async () => {
    const client = inProcess(new GtpEngine(config(), async () => new PlayoutGenerator()));
    expect(await client.request('name')).toEqual({ ok: true, id: 1, text: 'tengen' });
    await expect(client.send('play b Z99')).rejects.toBeInstanceOf(GtpCommandError);
    await expect(client.send('name\nquit')).rejects.toThrow('one line');
    const board = await client.send('showboard');
    expect(board.split('\n')[0]).toBe('   A B C D E F G H J');
    await client.quit();
    expect(client.closed).toBe(true);
    await expect(client.send('name')).rejects.toThrow();
  });
});

describe('search limits of genmove', () => {
  /** A generator that records the limits each search gets and plays the first empty point. */
  class RecordingGenerator {
    readonly description = 'recording';
    readonly limits: SearchLimits[] = [];
    async search(game: Game, request: SearchRequest): Promise<SearchOutcome> {
      this.limits.push(request.limits);
      const move = game.board.stones.indexOf(0);
      return { move, analysis: { color: game.board.toPlay, visits: 100, winrate: 0.5, candidates: [] } };
    }
    async dispose(): Promise<void> {}
  }

  it('--time alone searches the whole move time (no early stop); a clock or --visits may stop early', async () => {
    const fixed = new RecordingGenerator();
    const timeOnly = new GtpEngine(config({ visits: undefined, timeSeconds: 1 }), async () => fixed);
    await timeOnly.genmove(BLACK);
    expect(fixed.limits[0]).toEqual({ timeMs: 1000, earlyStop: false });
    // Under a game clock the move's budget is shorter than --time: time saved is banked, early stop allowed.
    timeOnly.setTimeControl({ kind: 'absolute', mainMs: 5000 });
    await timeOnly.genmove(WHITE);
    expect(fixed.limits[1]!.earlyStop).toBeUndefined();
    expect(fixed.limits[1]!.timeMs).toBeLessThan(1000);
    const visits = new RecordingGenerator();
    await new GtpEngine(config({ visits: 300, timeSeconds: 1 }), async () => visits).genmove(BLACK);
    expect(visits.limits[0]).toEqual({ visits: 300, timeMs: 1000 });
  });

  it('boardsize starts loading the generator; the time spent waiting for it comes out of the first move', async () => {
    const sizes: number[] = [];
    const recording = new RecordingGenerator();
    let release: () => void = () => {};
    const loaded = new Promise<void>((r) => (release = r));
    const engine = new GtpEngine(config({ visits: undefined, timeSeconds: 1 }), async (size) => {
      sizes.push(size);
      await loaded;
      return recording;
    });
    engine.setBoardSize(7);
    expect(sizes).toEqual([]); // loads run one after another, after the current microtask
    await new Promise((r) => setTimeout(r, 0));
    expect(sizes).toEqual([7]);
    const move = engine.genmove(BLACK);
    await new Promise((r) => setTimeout(r, 300));
    release();
    await move;
    expect(sizes).toEqual([7]); // the genmove waited for the same load, it did not start another
    expect(recording.limits[0]!.timeMs).toBeLessThan(750);
    expect(recording.limits[0]!.timeMs).toBeGreaterThanOrEqual(100);
    await engine.dispose();
  });
});

describe('gtpSearchParams', () => {
  it('layers overrides on the GTP preset; an override left undefined keeps the preset value', () => {
    expect(gtpSearchParams({}).firstPassMinPrior).toBe(GTP_FIRST_PASS_MIN_PRIOR);
    expect(gtpSearchParams({ firstPassMinPrior: undefined, resignThreshold: undefined })).toMatchObject({ firstPassMinPrior: GTP_FIRST_PASS_MIN_PRIOR, resignThreshold: 0 });
    expect(gtpSearchParams({ firstPassMinPrior: 0, cPuct: 2, seed: undefined })).toMatchObject({ firstPassMinPrior: 0, cPuct: 2 });
    expect('seed' in gtpSearchParams({ seed: undefined })).toBe(false);
  });
});
