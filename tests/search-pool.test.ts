// Worker threads load the compiled dist/ files: `npm test` runs tsc first.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BLACK, Game, PASS, WHITE } from '../engine/index.js';
import { MctsSearch } from '../src/search/mcts.js';
import { playGame } from '../src/search/play-game.js';
import { SearchPool, SearchPoolError } from '../src/search/pool.js';
import { SimpleEvaluator } from '../src/search/simple-evaluator.js';

const dir = mkdtempSync(join(tmpdir(), 'tengen-pool-'));
const jobFile = join(dir, 'jobs.mjs');
writeFileSync(
  jobFile,
  `export async function crash() { process.exit(7); }
export async function hang() { await new Promise(() => {}); }
export async function info(ctx, args) { return { size: ctx.evaluator.info.boardSize, echo: args }; }
export async function evaluateOnce(ctx) {
  const info = ctx.evaluator.info;
  const out = await ctx.evaluator.evaluate(new Float32Array(info.inputPlanes * info.boardSize ** 2), 1);
  return out.policy.length;
}
`,
);
const jobs = pathToFileURL(jobFile).href;
const pools: SearchPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('SearchPool', { timeout: 30_000 }, () => {
  it('plays self-play games concurrently in workers, each finished and recorded', async () => {
    const pool = new SearchPool({ workers: 2, evaluator: { kind: 'simple', boardSize: 5, komi: 0.5 } });
    pools.push(pool);
    const seen: number[] = [];
    const games = await pool.playGames(
      3,
      (i) => ({ size: 5, rules: { komi: 0.5 }, visits: 24, seed: 100 + i, allowResign: false, params: { temperatureMoves: 4 } }),
      (_, i) => seen.push(i),
    );
    expect(seen.sort()).toEqual([0, 1, 2]);
    for (const g of games) {
      expect(g.moves.length).toBeGreaterThan(2);
      expect(g.resigned).toBe(false);
      expect(g.margin).not.toBeNull();
      expect(g.result).toMatch(/^(B|W)\+|^0$/);
      // Colours alternate from black; every full-search move has a distribution summing to 1.
      g.moves.forEach((m, i) => expect(m.color).toBe(i % 2 === 0 ? BLACK : WHITE));
      for (const m of g.moves) expect(m.policy!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      const last = g.moves.slice(-2).map((m) => m.move);
      expect(last.every((m) => m === PASS) || g.moves.length >= 50).toBe(true);
    }
  });

  it('a game in a worker equals the same game played in this thread (same seed)', async () => {
    const pool = new SearchPool({ workers: 1, evaluator: { kind: 'simple', boardSize: 5, komi: 0.5 } });
    pools.push(pool);
    const options = { size: 5, rules: { komi: 0.5 }, visits: 16, seed: 7, maxMoves: 12 };
    const remote = await pool.playGame(options);
    const local = await playGame(new SimpleEvaluator(5, { komi: 0.5 }), options);
    expect(remote.moves.map((m) => m.move)).toEqual(local.moves.map((m) => m.move));
  });

  it('root-parallel search merges every worker’s visits', async () => {
    const pool = new SearchPool({ workers: 2, evaluator: { kind: 'simple', boardSize: 5, komi: 0.5 } });
    pools.push(pool);
    const game = new Game(5, { komi: 0.5 });
    const r = await pool.parallelSearch(game, { visits: 200 }, { seed: 3 });
    expect(r.analysis.visits).toBe(200);
    expect(r.analysis.candidates.reduce((s, c) => s + c.visits, 0)).toBe(198);
    expect(typeof r.move).toBe('number');
    const single = await pool.search(game, { visits: 50 });
    expect(single.analysis.visits).toBe(50);
  });

  it('serves one shared net owned by this thread to every worker (GPU layout)', async () => {
    const net = new SimpleEvaluator(5, { komi: 0.5 });
    let calls = 0;
    const counting = { info: net.info, evaluate: (p: Float32Array, n: number) => (calls++, net.evaluate(p, n)), dispose: async () => {} };
    const pool = new SearchPool({ workers: 2, evaluator: { kind: 'shared', evaluator: counting } });
    pools.push(pool);
    expect(await pool.runJob<null, number>({ url: jobs, exportName: 'evaluateOnce' }, null)).toBe(26);
    const games = await pool.playGames(2, (i) => ({ size: 5, rules: { komi: 0.5 }, visits: 16, seed: i, maxMoves: 10 }));
    expect(games.map((g) => g.moves.length)).toEqual([10, 10]);
    expect(calls).toBeGreaterThan(0);
  });

  it('a dying worker fails its job with a clear error, is replaced, and the pool goes on', async () => {
    const pool = new SearchPool({ workers: 2, evaluator: { kind: 'simple', boardSize: 5 } });
    pools.push(pool);
    const crash = pool.runJob({ url: jobs, exportName: 'crash' }, null);
    const survivor = pool.playGame({ size: 5, visits: 8, seed: 1, maxMoves: 6 });
    await expect(crash).rejects.toThrow(SearchPoolError);
    await expect(pool.runJob({ url: jobs, exportName: 'crash' }, null)).rejects.toThrow(/worker died while running crash.*code: 7/);
    expect((await survivor).moves.length).toBe(6);
    const after = await pool.runJob<string, { size: number; echo: string }>({ url: jobs, exportName: 'info' }, 'hi');
    expect(after).toEqual({ size: 5, echo: 'hi' });
  });

  it('a hung job times out instead of hanging, and unknown jobs say so', async () => {
    const pool = new SearchPool({ workers: 1, evaluator: { kind: 'simple', boardSize: 5 } });
    pools.push(pool);
    await expect(pool.runJob({ url: jobs, exportName: 'hang' }, null, { timeoutMs: 300 })).rejects.toThrow(/timed out after 300 ms/);
    await expect(pool.runJob({ url: jobs, exportName: 'nope' }, null)).rejects.toThrow(/has no function 'nope'/);
    expect((await pool.runJob<number, { echo: number }>({ url: jobs, exportName: 'info' }, 1)).echo).toBe(1);
  });
});

describe('playGame in this thread', { timeout: 30_000 }, () => {
  it('resigns when allowed, and only notes it when not', async () => {
    class Lost extends SimpleEvaluator {
      override async evaluate(planes: Float32Array, count: number) {
        const out = await super.evaluate(planes, count);
        // Black to move always sees a lost game, white a won one.
        for (let i = 0; i < count; i++) out.value[i] = planes[i * 18 * 25 + 16 * 25]! > 0.5 ? -0.99 : 0.99;
        return out;
      }
    }
    const base = { size: 5, rules: { komi: 0.5 }, visits: 16, seed: 5, maxMoves: 30, params: { resignMinMove: 2 } };
    const resigned = await playGame(new Lost(5), { ...base, allowResign: true });
    expect(resigned.resigned).toBe(true);
    expect(resigned.result).toBe('W+R');
    expect(resigned.winner).toBe(WHITE);
    const played = await playGame(new Lost(5), { ...base, allowResign: false });
    expect(played.resigned).toBe(false);
    expect(played.wouldResign).toEqual({ moveNumber: 2, color: BLACK });
  });

  it('playout-cap randomisation records targets only for full searches', async () => {
    const g = await playGame(new SimpleEvaluator(5, { komi: 0.5 }), {
      size: 5,
      rules: { komi: 0.5 },
      visits: 32,
      fastVisits: 4,
      fullSearchProbability: 0.3,
      seed: 11,
      maxMoves: 30,
    });
    const full = g.moves.filter((m) => m.policy !== null);
    expect(full.length).toBeGreaterThan(0);
    expect(full.length).toBeLessThan(g.moves.length);
    for (const m of g.moves) expect(m.policy === null ? m.visits <= 32 : m.visits >= 32).toBe(true);
  });

  it('MctsSearch run-level parameter overrides apply to that run only', async () => {
    const search = new MctsSearch(new SimpleEvaluator(5), { seed: 1, rootNoise: true });
    await search.run(new Game(5), { visits: 8 }, { params: { rootNoise: false } });
    expect(search.params.rootNoise).toBe(true);
  });
});
