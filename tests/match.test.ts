import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sgfToGame } from '../engine/index.js';
import { resolveEngineCommand, splitCommandLine } from '../src/match/engine-command.js';
import { report } from '../src/match/main.js';
import { DEFAULT_MATCH_CONFIG, randomOpening, runMatch, type MatchConfig } from '../src/match/match.js';

const fake = (mode: string) => `${process.execPath} ${join(import.meta.dirname, 'fixtures', 'fake-gtp.mjs')} ${mode}`;
const config = (a: string, b: string, extra: Partial<MatchConfig> = {}): MatchConfig => ({
  ...DEFAULT_MATCH_CONFIG,
  playerA: a,
  playerB: b,
  nameA: 'A',
  nameB: 'B',
  games: 2,
  moveTimeoutSeconds: 5,
  ...extra,
});

describe('engine command lines', () => {
  it('splits like a shell and runs tengen itself through node', () => {
    expect(splitCommandLine(`gnugo --mode gtp  "--level" '10'`)).toEqual(['gnugo', '--mode', 'gtp', '--level', '10']);
    expect(splitCommandLine(`a "b c" d\\ e ""`)).toEqual(['a', 'b c', 'd e', '']);
    expect(() => splitCommandLine('a "b')).toThrow(/unterminated/);
    const t = resolveEngineCommand('tengen gtp --visits 8');
    expect(t.program).toBe(process.execPath);
    expect(t.args.slice(1)).toEqual(['gtp', '--visits', '8']);
    expect(t.args[0]).toMatch(/cli\.(js|ts)$/);
  });
});

describe('tengen match', () => {
  it('alternates colours, scores passed-out games and writes SGFs + match.json', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tengen-match-'));
    const s = await runMatch(config(fake('first'), fake('pass'), { outDir: out, games: 4 }), { log: () => {} });
    expect(s.games.map((g) => g.blackPlayer)).toEqual(['A', 'B', 'A', 'B']);
    expect(s.games.every((g) => g.end === 'passes')).toBe(true);
    // A's three stones against none: all 81 points are A's whatever its colour and the 7.5 komi.
    expect(s.games.map((g) => g.result)).toEqual(['B+73.5', 'W+88.5', 'B+73.5', 'W+88.5']);
    expect(s.games.every((g) => g.winner === 'A')).toBe(true);
    expect(s.tally.wins + s.tally.losses + s.tally.draws).toBe(4);
    // Deterministic fakes replay the same game with the same colours: games 3 and 4 repeat 1 and 2.
    expect(s.games[2]!.sequence).toBe(s.games[0]!.sequence);
    expect(s.distinctGames).toBe(2);
    // Every move was an engine's answer: the referee timed each one and gave it to its player.
    expect(s.thinking.A.moves + s.thinking.B.moves).toBe(s.games.reduce((n, g) => n + g.moves, 0));
    expect(s.thinking.A.maxMs).toBeGreaterThan(0);
    expect(s.thinking.A.totalMs).toBeGreaterThanOrEqual(s.thinking.A.maxMs);
    expect(report(config(fake('first'), fake('pass')), s)).toMatch(/distinct games: 2 of 4 \(repeated games are not independent/);
    expect(readdirSync(out).filter((f) => f.endsWith('.sgf'))).toHaveLength(4);
    const loaded = sgfToGame(readFileSync(join(out, 'game-001.sgf'), 'utf8'));
    expect(loaded.game.moves.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(readFileSync(join(out, 'match.json'), 'utf8')).games).toHaveLength(4);
  });

  it('an illegal move, a crash or a timeout loses the game for the offender', async () => {
    const illegal = await runMatch(config(fake('illegal'), fake('first'), { games: 2 }), { log: () => {} });
    expect(illegal.games.map((g) => g.winner)).toEqual(['B', 'B']);
    expect(illegal.games[1]!.end).toBe('forfeit');

    const crash = await runMatch(config(fake('pass'), fake('crash'), { games: 2 }), { log: () => {} });
    expect(crash.games.map((g) => g.winner)).toEqual(['A', 'A']);
    expect(crash.games.map((g) => g.end)).toEqual(['crash', 'crash']);

    const slow = await runMatch(config(fake('slow'), fake('pass'), { games: 1, moveTimeoutSeconds: 0.5 }), { log: () => {} });
    expect(slow.games[0]!.winner).toBe('B');
    expect(slow.games[0]!.end).toBe('timeout');
    expect(slow.winRate.rate).toBe(0);
  }, 60_000);

  it('random openings: the same opening for both games of a pair, different pairs differ', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tengen-match-open-'));
    const s = await runMatch(config(fake('pass'), fake('pass'), { outDir: out, games: 4, openingMoves: 6 }), { log: () => {} });
    // The same moves with the colours swapped are a different game; different openings too.
    expect(s.distinctGames).toBe(4);
    // The referee's six opening moves per game are nobody's thinking time.
    expect(s.thinking.A.moves + s.thinking.B.moves).toBe(s.games.reduce((n, g) => n + g.moves - 6, 0));
    const opening = (n: number) => sgfToGame(readFileSync(join(out, `game-00${n}.sgf`), 'utf8')).game.moves.slice(0, 6).map((m) => m.move);
    expect(opening(1)).toHaveLength(6);
    expect(opening(2)).toEqual(opening(1));
    expect(opening(4)).toEqual(opening(3));
    expect(opening(3)).not.toEqual(opening(1));
    expect(randomOpening(9, 7.5, 6, 1, 0)).toEqual(opening(1));
  });

  it.skipIf(!existsSync('/usr/games/gnugo'))('plays GNU Go against itself through the real CLI', async () => {
    const gnugo = '/usr/games/gnugo --mode gtp --chinese-rules --level 0';
    const s = await runMatch(config(gnugo, gnugo, { games: 2, moveTimeoutSeconds: 30 }), { log: () => {} });
    expect(s.games).toHaveLength(2);
    for (const g of s.games) expect(g.result).toMatch(/^(B|W)\+(\d+(\.\d)?|R)$|^0$/);
    expect(s.winRate.low).toBeLessThanOrEqual(s.winRate.rate);
    expect(s.winRate.high).toBeGreaterThanOrEqual(s.winRate.rate);
  }, 120_000);
});
