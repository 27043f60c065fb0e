import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BLACK, Board, Game, PASS, Rng, WHITE, gameToSgf, moveToAction, sgfToGame } from '../engine/index.js';
import { collectGames } from '../src/lee/collect.js';
import { convertSgfsToShards } from '../selfplay/bootstrap.js';
import { readRecord, readShard } from '../selfplay/shards.js';
import { Rollout } from '../src/lee/rollout.js';
import { RolloutDataset, listSgfFiles, loadGames } from '../src/lee/rollout-dataset.js';
import { FEATURE } from '../src/lee/rollout-features.js';
import { RolloutPolicy, defaultRolloutPolicy } from '../src/lee/rollout-policy.js';
import { buildPatternDictionary, evaluateRolloutPolicy, trainRolloutPolicy } from '../src/lee/train-rollout.js';

const scratch = mkdtempSync(join(tmpdir(), 'tengen-lee-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Games whose moves are drawn from the hand-set rollout policy: a teacher with known preferences. */
function teacherGames(count: number, size: number, seed: number): Game[] {
  const rng = new Rng(seed);
  const policy = defaultRolloutPolicy();
  const rollout = new Rollout(policy, size);
  const games: Game[] = [];
  for (let g = 0; g < count; g++) {
    const game = new Game(size);
    const board = new Board(size);
    rollout.start(board);
    while (board.passes < 2 && game.moves.length < size * size * 2) {
      const move = rollout.selectMove(rng);
      if (move !== PASS && !game.board.isLegal(move)) break; // superko-free records only
      game.play(move);
      rollout.play(move);
    }
    games.push(game);
  }
  return games;
}

describe('rollout policy training', () => {
  it('reduces the loss and learns the teacher’s preferences from SGF records', () => {
    const dir = join(scratch, 'teacher');
    const games = teacherGames(60, 7, 5);
    // Through SGF files, as train-rollout reads them.
    mkdirSync(dir, { recursive: true });
    games.forEach((g, i) => writeFileSync(join(dir, `g${String(i).padStart(3, '0')}.sgf`), gameToSgf(g)));
    writeFileSync(join(dir, 'broken.sgf'), '(;GM[1]SZ[7];B[zz])');
    const { games: loaded, rejected } = loadGames(listSgfFiles(dir));
    expect(loaded.length).toBe(60);
    expect(rejected.length).toBe(1);

    const train = new RolloutDataset();
    const test = new RolloutDataset();
    loaded.forEach((g, i) => (i < 50 ? train : test).addGame(g));
    expect(train.positionCount).toBeGreaterThan(1000);

    const policy = new RolloutPolicy();
    buildPatternDictionary(policy, train, 2);
    expect(policy.pattern3Count).toBeGreaterThan(50);
    const before = evaluateRolloutPolicy(policy, test);
    const reports = trainRolloutPolicy(policy, train, test, { epochs: 4, learningRate: 0.1, seed: 3 });
    const after = reports[reports.length - 1]!.heldOut!;
    // All-zero weights are the uniform policy: loss = mean log(candidates).
    expect(after.loss).toBeLessThan(before.loss - 0.3);
    expect(reports[reports.length - 1]!.train.loss).toBeLessThan(reports[0]!.train.loss);
    expect(after.accuracy).toBeGreaterThan(after.chanceAccuracy + 0.1);
    // The teacher rewards captures and adjacency to the last move, and punishes chain self-ataris.
    expect(policy.scalarWeights[FEATURE.capture]!).toBeGreaterThan(0.5);
    expect(policy.scalarWeights[FEATURE.adjacent]!).toBeGreaterThan(0.3);
    expect(policy.scalarWeights[FEATURE.selfAtariChain]!).toBeLessThan(0);
  });
});

describe('tengen collect', () => {
  // A tiny GTP engine: random legal moves from the compiled engine (dist/ exists: npm test runs tsc first).
  const engineScript = join(scratch, 'random-engine.mjs');
  const engineIndex = resolve('dist/engine/index.js');
  writeFileSync(
    engineScript,
    `import { Board, Rng, parseGtpVertex, toGtpVertex } from ${JSON.stringify(engineIndex)};
import { createInterface } from 'node:readline';
const illegal = process.argv.includes('--illegal');
let board = new Board(9); const rng = new Rng(Number(process.argv[2] ?? 1));
let id = '';
const reply = (t) => process.stdout.write('=' + id + ' ' + t + '\\n\\n');
for await (const line of createInterface({ input: process.stdin })) {
  let [cmd, ...args] = line.trim().split(/\\s+/);
  id = '';
  if (/^\\d+$/.test(cmd)) { id = cmd; [cmd, ...args] = args; }
  if (cmd === 'boardsize') { board = new Board(Number(args[0])); reply(''); }
  else if (cmd === 'clear_board') { board = new Board(board.size); reply(''); }
  else if (cmd === 'play') { const c = args[0].toLowerCase().startsWith('b') ? 1 : 2; board.playLegal(parseGtpVertex(args[1], board.size), c); reply(''); }
  else if (cmd === 'genmove') {
    const c = args[0].toLowerCase().startsWith('b') ? 1 : 2;
    if (illegal && board.moveNumber > 2) { reply(toGtpVertex(board.lastMove ?? 0, board.size)); continue; }
    const m = board.randomMove(rng, c); board.playLegal(m, c); reply(toGtpVertex(m, board.size));
  }
  else if (cmd === 'name') reply('random'); else if (cmd === 'version') reply('1');
  else if (cmd === 'quit') { reply(''); process.exit(0); }
  else if (cmd === 'komi') reply('');
  else process.stdout.write('?' + id + ' unknown command\\n\\n');
}
`,
  );

  it('records legal games between two engines as SGF', async () => {
    const out = join(scratch, 'collected');
    const results = await collectGames({
      engine: `node ${engineScript} {seed}`,
      games: 2,
      size: 5,
      komi: 0.5,
      out,
      seed: 1,
    });
    expect(results.length).toBe(2);
    const files = listSgfFiles(out);
    expect(files.length).toBe(2);
    for (const file of files) {
      const { game, result } = sgfToGame(readFileSync(file, 'utf8'));
      expect(game.size).toBe(5);
      expect(game.moves.length).toBeGreaterThan(5);
      expect(result).toMatch(/^[BW]\+|^0$/);
    }
  }, 30_000);

  it('stops with a clear error when an engine plays an illegal move', async () => {
    await expect(
      collectGames({ engine: `node ${engineScript} 1 --illegal`, games: 1, size: 5, komi: 0.5, out: join(scratch, 'bad'), seed: 1 }),
    ).rejects.toThrow(/illegal move/);
  }, 30_000);
});

describe('SL policy shards', () => {
  it('writes one record per move with the move played as π and the result as z', () => {
    const dir = join(scratch, 'sl-records');
    mkdirSync(dir, { recursive: true });
    const games = teacherGames(5, 7, 21);
    games.forEach((g, i) => writeFileSync(join(dir, `g${i}.sgf`), gameToSgf(g, { result: i % 2 === 0 ? 'B+3' : 'W+R' })));
    const out = join(scratch, 'sl-shards');
    mkdirSync(out, { recursive: true });
    const files = listSgfFiles(dir).sort((a, b) => Number(/g(\d+)\.sgf$/.exec(a)![1]) - Number(/g(\d+)\.sgf$/.exec(b)![1]));
    const shardPaths: string[] = [];
    const summary = convertSgfsToShards(files, {
      boardSize: 7,
      komi: games[0]!.rules.komi,
      gamesPerShard: 2,
      featureSet: 'lee',
      shardPath: (i) => {
        shardPaths.push(join(out, `sl-${i}.tgsh`));
        return shardPaths[shardPaths.length - 1]!;
      },
    });
    const totalMoves = games.reduce((n, g) => n + g.moves.length, 0);
    expect(summary.games).toBe(5);
    expect(summary.positions).toBe(totalMoves);
    expect(summary.shards).toBe(3);
    expect(shardPaths).toHaveLength(3);
    const first = readShard(shardPaths[0]!);
    expect(first.header.featureSet).toBe('lee');
    // Game 0 (Black won): its records in order, with the history and π of each move.
    const game = games[0]!;
    const replay = new Game(7);
    game.moves.forEach(({ color, move }, i) => {
      const record = readRecord(first, i);
      expect(record.toPlay).toBe(color);
      expect(record.z).toBe(color === BLACK ? 1 : -1);
      const action = moveToAction(move, 49);
      expect(record.policy[action]).toBe(1);
      expect(Array.from(record.policy).reduce((a, b) => a + b, 0)).toBe(1);
      expect(Array.from(record.history.subarray(0, 49))).toEqual(Array.from(replay.board.stones));
      replay.play(move, color);
    });
    // Game 1 (White won) follows in the same shard.
    const second = readRecord(first, game.moves.length);
    expect(second.z).toBe(games[1]!.moves[0]!.color === WHITE ? 1 : -1);
  });
});
