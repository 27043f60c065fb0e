/**
 * Drives the real `tengen gtp` process (node dist/src/cli.js gtp) over stdio, as a GUI would.
 * Built output is required: `npm test` runs tsc first.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLACK, Game, WHITE, parseGtpVertex, sgfToGame, toGtpVertex, type StoneColor } from '../engine/index.js';
import { GtpClient } from '../gtp/client.js';
import { COMMANDS } from '../gtp/commands.js';
import { parseGtpArgs } from '../gtp/main.js';
import { DEAD_STONES_POSITION, positionSgf } from './gtp-positions.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

function startTengen(args: string[] = [], cwd?: string): GtpClient {
  return GtpClient.spawn(process.execPath, [CLI, 'gtp', '--seed', '7', ...args], { name: 'tengen', commandTimeoutMs: 30_000, cwd });
}

/** Sends raw bytes and collects stdout until `count` complete responses arrived. */
async function rawSession(input: string | Buffer, args: string[] = []): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [CLI, 'gtp', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { stdout, stderr, code };
}

describe('tengen gtp process', () => {
  let engine: GtpClient;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tengen-gtp-'));
    // The Monte-Carlo playout engine (what every board size without a shipped network plays); 9x9 ships one.
    engine = startTengen(['--visits', '300', '--size', '9', '--model', 'none'], dir);
  });
  afterAll(async () => {
    await engine.quit();
  });

  it('answers the administrative commands', async () => {
    expect(await engine.send('protocol_version')).toBe('2');
    expect(await engine.send('name')).toBe('tengen');
    expect(await engine.send('version')).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists exactly the command table, and known_command agrees with it', async () => {
    const listed = (await engine.send('list_commands')).split('\n');
    expect(listed).toEqual(COMMANDS.map((c) => c.name));
    for (const name of ['protocol_version', 'genmove', 'final_status_list', 'lz-analyze', 'kata-analyze', 'kgs-genmove_cleanup', 'list_stones']) {
      expect(listed).toContain(name);
    }
    for (const name of listed) expect(await engine.send(`known_command ${name}`)).toBe('true');
    expect(await engine.send('known_command frobnicate')).toBe('false');
  });

  it('uses the spec error texts', async () => {
    const fail = async (command: string): Promise<string> => {
      const r = await engine.request(command);
      expect(r.ok, command).toBe(false);
      return r.text;
    };
    expect(await fail('boardsize 1')).toBe('unacceptable size');
    expect(await fail('boardsize 26')).toBe('unacceptable size');
    expect(await fail('boardsize nine')).toBe('syntax error');
    expect(await fail('frobnicate')).toBe('unknown command');
    await engine.send('boardsize 9');
    await engine.send('clear_board');
    expect(await fail('undo')).toBe('cannot undo');
    expect(await fail('play b Z9')).toBe('invalid color or coordinate');
    expect(await fail('play x E5')).toBe('invalid color or coordinate');
    expect(await fail('play b')).toBe('syntax error');
    expect(await fail('komi abc')).toBe('syntax error');
    await engine.send('play b E5');
    expect(await fail('play w E5')).toBe('illegal move');
    expect(await fail('fixed_handicap 2')).toBe('board not empty');
    await engine.send('clear_board');
    // Kigo sends these: errors, not crashes.
    expect(await fail('fixed_handicap 0')).toBe('invalid number of stones');
    expect(await fail('fixed_handicap 1')).toBe('invalid number of stones');
    expect(await fail('fixed_handicap 10')).toBe('invalid number of stones');
    expect(await fail('level 5')).toMatch(/not supported/);
    expect(await fail('set_free_handicap E5 E5')).toBe('bad vertex list');
    expect(await fail('loadsgf /nonexistent/file.sgf')).toBe('cannot load file');
    expect(await fail('final_status_list maybe')).toBe('syntax error');
    expect(await fail('genmove purple')).toBe('invalid color');
    expect(await engine.send('name')).toBe('tengen');
  });

  it('plays, shows the board and undoes', async () => {
    await engine.send('boardsize 9');
    await engine.send('clear_board');
    await engine.send('play b C3');
    await engine.send('play w D3');
    await engine.send('play b D4');
    expect((await engine.send('list_stones black')).split(' ').sort()).toEqual(['C3', 'D4']);
    expect(await engine.send('list_stones white')).toBe('D3');
    const board = await engine.send('showboard');
    expect(board.split('\n')).toHaveLength(12);
    expect(board).toContain('(X)');
    await engine.send('undo');
    expect(await engine.send('list_stones black')).toBe('C3');
    await engine.send('undo');
    await engine.send('undo');
    expect(await engine.request('undo')).toMatchObject({ ok: false, text: 'cannot undo' });
  });

  it('counts captures for Kigo', async () => {
    await engine.send('clear_board');
    for (const m of ['b E5', 'w E6', 'b A1', 'w D5', 'b A2', 'w F5', 'b A3', 'w E4']) await engine.send(`play ${m}`);
    expect(await engine.send('list_stones black')).not.toContain('E5');
    expect(await engine.send('captures white')).toBe('1');
    expect(await engine.send('captures black')).toBe('0');
  });

  it('generates legal moves for either colour, whoever is to move', async () => {
    await engine.send('clear_board');
    const game = new Game(9);
    for (const color of ['b', 'w', 'w', 'b'] as const) {
      const vertex = await engine.send(`genmove ${color}`);
      const move = parseGtpVertex(vertex, 9);
      expect(move, vertex).not.toBeNull();
      const c: StoneColor = color === 'b' ? BLACK : WHITE;
      expect(game.board.isLegal(move!, c)).toBe(true);
      game.play(move!, c);
    }
    expect((await engine.send('list_stones black')).split(' ').length + (await engine.send('list_stones white')).split(' ').length).toBe(
      game.board.stones.filter((s) => s !== 0).length,
    );
  });

  it('places fixed and free handicap, and White moves first after it', async () => {
    await engine.send('boardsize 9');
    await engine.send('clear_board');
    expect((await engine.send('fixed_handicap 4')).split(' ').sort()).toEqual(['C3', 'C7', 'G3', 'G7']);
    const reply = await engine.send('genmove w');
    expect(['C3', 'C7', 'G3', 'G7']).not.toContain(reply);
    expect(await engine.send('list_stones white')).toBe(reply === 'pass' ? '' : reply);
    await engine.send('clear_board');
    const free = (await engine.send('place_free_handicap 6')).split(' ');
    expect(new Set(free).size).toBe(6);
    expect((await engine.send('list_stones black')).split(' ').sort()).toEqual([...free].sort());
    await engine.send('clear_board');
    await engine.send('set_free_handicap A1 B2 J9');
    expect((await engine.send('list_stones black')).split(' ').sort()).toEqual(['A1', 'B2', 'J9']);
    await engine.send('boardsize 19');
    expect((await engine.send('fixed_handicap 9')).split(' ').sort()).toEqual(['D10', 'D16', 'D4', 'K10', 'K16', 'K4', 'Q10', 'Q16', 'Q4']);
    await engine.send('boardsize 9');
  });

  it('loads an SGF (up to a move number) and prints the game back as SGF', async () => {
    const sgf = '(;GM[1]FF[4]SZ[9]KM[5.5]RU[Chinese];B[ee];W[cc];B[gc];W[cg])';
    writeFileSync(join(dir, 'game.sgf'), sgf);
    await engine.send('loadsgf game.sgf');
    expect(await engine.send('get_komi')).toBe('5.5');
    expect((await engine.send('list_stones white')).split(' ').sort()).toEqual(['C3', 'C7']);
    await engine.send('loadsgf game.sgf 3');
    expect(await engine.send('list_stones white')).toBe('C7');
    await engine.send('play b C3');
    const printed = await engine.send('printsgf');
    const loaded = sgfToGame(printed).game;
    expect(loaded.moves.map((m) => toGtpVertex(m.move, 9))).toEqual(['E5', 'C7', 'C3']);
    expect(loaded.rules.komi).toBe(5.5);
    await engine.send('printsgf out.sgf');
    expect(sgfToGame(readFileSync(join(dir, 'out.sgf'), 'utf8')).game.moves).toHaveLength(3);
    await engine.send('komi 7.5');
  });

  it('reports and changes rules the KataGo way', async () => {
    await engine.send('clear_board');
    await engine.send('kata-set-rules japanese');
    expect(JSON.parse(await engine.send('kata-get-rules'))).toMatchObject({ ko: 'SIMPLE', scoring: 'TERRITORY', suicide: false });
    await engine.send('kata-set-rule ko POSITIONAL');
    await engine.send('kata-set-rule suicide true');
    expect(JSON.parse(await engine.send('kata-get-rules'))).toMatchObject({ ko: 'POSITIONAL', scoring: 'TERRITORY', suicide: true });
    await engine.send('kata-set-rules {"ko":"SIMPLE","scoring":"AREA","suicide":false}');
    expect(JSON.parse(await engine.send('kata-get-rules'))).toMatchObject({ ko: 'SIMPLE', scoring: 'AREA', suicide: false });
    await engine.send('kgs-rules new_zealand');
    expect(JSON.parse(await engine.send('kata-get-rules'))).toMatchObject({ ko: 'SITUATIONAL', suicide: true });
    expect((await engine.request('kata-set-rules klingon')).ok).toBe(false);
    await engine.send('kgs-rules chinese');
  });

  it('accepts clock settings (time_settings, kgs-time_settings, time_left)', async () => {
    await engine.send('time_settings 300 30 5');
    await engine.send('time_left b 250 0');
    for (const s of ['none', 'absolute 600', 'byoyomi 600 30 5', 'canadian 600 300 25']) await engine.send(`kgs-time_settings ${s}`);
    expect((await engine.request('kgs-time_settings fischer 1 2')).ok).toBe(false);
    expect((await engine.request('time_left b -1 0')).ok).toBe(false);
    await engine.send('kgs-time_settings none');
  });

  it('streams lz-analyze lines until an empty line stops it', async () => {
    await engine.send('boardsize 9');
    await engine.send('clear_board');
    await engine.send('play b E5');
    const lines: string[] = [];
    const done = engine.request('lz-analyze b 5', {
      onLine: (line) => {
        lines.push(line);
        if (lines.length === 2) engine.interrupt();
      },
    });
    const response = await done;
    expect(response.ok).toBe(true);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const info = /^info move ([A-HJ-T]\d+|pass) visits (\d+) winrate (\d+) prior (\d+) lcb (\d+) order (\d+) pv( ([A-HJ-T]\d+|pass))+$/;
    for (const line of lines) {
      const entries = line.split(/ (?=info move)/);
      entries.forEach((entry, order) => {
        const m = info.exec(entry);
        expect(m, entry).not.toBeNull();
        expect(Number(m![6])).toBe(order);
        expect(Number(m![3])).toBeLessThanOrEqual(10000);
      });
    }
    // The session goes on normally after the analysis.
    expect(await engine.send('name')).toBe('tengen');
  });

  it('streams kata-analyze with decimals and an ownership map, stopped by the next command', async () => {
    const lines: string[] = [];
    let resolveFirst!: () => void;
    const first = new Promise<void>((r) => (resolveFirst = r));
    const done = engine.request('kata-analyze interval 5 ownership true', {
      onLine: (line) => {
        lines.push(line);
        resolveFirst();
      },
    });
    await first;
    // A new command ends the analysis; it is then answered in turn.
    const next = engine.send('protocol_version');
    expect((await done).ok).toBe(true);
    expect(await next).toBe('2');
    const line = lines[0]!;
    expect(line).toMatch(/^info move \S+ visits \d+ winrate (0|1|0\.\d+) scoreMean -?[\d.]+ scoreLead -?[\d.]+ prior [\d.e-]+ lcb [\d.]+ order 0 pv /);
    const ownership = line.slice(line.indexOf(' ownership ') + 11).split(' ').map(Number);
    expect(ownership).toHaveLength(81);
    for (const o of ownership) expect(Math.abs(o)).toBeLessThanOrEqual(1);
  });

  it('lz-genmove_analyze streams info lines, then plays and reports the move', async () => {
    await engine.send('clear_board');
    const lines: string[] = [];
    const response = await engine.request('lz-genmove_analyze b 1', { onLine: (l) => lines.push(l) });
    expect(response.ok).toBe(true);
    const last = lines.at(-1)!;
    expect(last).toMatch(/^play ([A-HJ]\d|pass)$/);
    expect(lines.slice(0, -1).every((l) => l.startsWith('info move '))).toBe(true);
    expect(await engine.send('list_stones black')).toBe(last.slice(5));
  });

  it('offers GoGui analyze commands: a policy heatmap and the win rate', async () => {
    const commands = (await engine.send('gogui-analyze_commands')).split('\n');
    expect(commands).toContain('gfx/Policy heatmap/tengen-gfx_policy');
    expect(commands).toContain('string/Win rate/tengen-winrate');
    for (const entry of commands) expect(await engine.send(`known_command ${entry.split('/')[2]}`)).toBe('true');
    const gfx = await engine.send('tengen-gfx_policy');
    expect(gfx).toMatch(/^INFLUENCE ([A-HJ]\d [\d.]+ ?)+$/m);
    expect(await engine.send('tengen-winrate')).toMatch(/^Black \d+\.\d%, White \d+\.\d% \(\d+ visits\)$/);
    expect(await engine.send('tengen-gfx_ownership')).toMatch(/^INFLUENCE /);
  });
});

describe('scoring finished games', () => {
  // Black owns columns A-D, White E-J; the white stone at B1 and the black one at F1 are dead.
  const sgf = positionSgf(DEAD_STONES_POSITION, 7);
  let engine: GtpClient;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tengen-score-'));
    writeFileSync(join(dir, 'end.sgf'), sgf);
    engine = startTengen(['--visits', '200'], dir);
  });
  afterAll(async () => {
    await engine.quit();
  });

  it('lists dead, alive and seki stones and scores with the dead stones removed', async () => {
    await engine.send('loadsgf end.sgf');
    expect((await engine.send('final_status_list dead')).split('\n').sort()).toEqual(['B1', 'F1']);
    const alive = (await engine.send('final_status_list alive')).split('\n');
    expect(alive).toHaveLength(2);
    expect(alive.join(' ').split(' ')).toHaveLength(59);
    expect(await engine.send('final_status_list seki')).toBe('');
    expect(await engine.send('final_score')).toBe('W+16');
    // The referee's count with engine/ and the engine's dead list agree.
    const game = sgfToGame(sgf).game;
    expect(game.score([parseGtpVertex('B1', 9)!, parseGtpVertex('F1', 9)!]).result).toBe('W+16');
    // Territory scoring of the same board: 11 points of territory + 1 prisoner each, komi 7.
    await engine.send('kata-set-rules japanese');
    const territory = sgfToGame(sgf, { rules: { scoring: 'territory' } }).game;
    expect(territory.score([parseGtpVertex('B1', 9)!, parseGtpVertex('F1', 9)!]).result).toBe('W+7');
    expect(await engine.send('final_score')).toBe('W+7');
    await engine.send('kata-set-rules chinese');
  });

  it('plays a full game against itself to two passes; final_score matches a count of its own dead list', async () => {
    await engine.send('boardsize 9');
    await engine.send('clear_board');
    await engine.send('komi 7');
    const game = new Game(9, { komi: 7 });
    let resigned = false;
    for (let i = 0; i < 250 && !game.isOver; i++) {
      const color = game.toPlay;
      const vertex = await engine.send(`genmove ${color === BLACK ? 'b' : 'w'}`);
      if (vertex === 'resign') {
        resigned = true;
        break;
      }
      const move = parseGtpVertex(vertex, 9);
      expect(move, vertex).not.toBeNull();
      expect(game.board.isLegal(move!, color), `${vertex} at move ${i + 1}`).toBe(true);
      game.play(move!, color);
    }
    expect(resigned || game.board.passes >= 2).toBe(true);
    if (resigned) return;
    expect(game.moves.length).toBeGreaterThan(30);
    const dead = (await engine.send('final_status_list dead'))
      .split(/\s+/)
      .filter((t) => t.length > 0)
      .map((t) => parseGtpVertex(t, 9)!);
    expect(await engine.send('final_score')).toBe(game.score(dead).result);
    const alive = (await engine.send('final_status_list alive')).split(/\s+/).filter((t) => t.length > 0);
    const seki = (await engine.send('final_status_list seki')).split(/\s+/).filter((t) => t.length > 0);
    expect(alive.length + seki.length + dead.length).toBe(game.board.stones.filter((s) => s !== 0).length);
  });
});

describe('dead stones at the end of a game', () => {
  it('keeps alive a corner group that lives in seki or wins its race (GNU Go level 1 called it dead)', async () => {
    // A tengen–GNU Go game that ended by two passes (the CI's gtp-gnugo game, 2026-11-24). Black's G2 H2 J2 H1
    // have G1, J1 (an eye) and J3; the White chain around them has G1, J3 and J4. Black at J4 wins the race; White
    // at J3 makes a seki (neither side can then fill G1 or J4). Either way the Black stones live.
    const moves = 'cd ec cg fg gf gg ff hf he hg gd cb eg eh dh fi fb bc eb bd be ie ca dc ba ic da hb fc hd ge gb dg fa dd gc ih di bh ci gh fh fd bi ah ga ee ea db ch bg ei hi ai hh';
    const nodes = moves.split(' ').map((m, i) => `;${i % 2 === 0 ? 'B' : 'W'}[${m}]`).join('');
    const file = join(mkdtempSync(join(tmpdir(), 'tengen-seki-race-')), 'game.sgf');
    writeFileSync(file, `(;GM[1]FF[4]SZ[9]KM[7.5]RU[Chinese]${nodes};W[];B[ed];W[];B[ae];W[];B[])`);
    const engine = startTengen(['--size', '9']);
    try {
      await engine.send(`loadsgf ${file}`);
      const dead = (await engine.send('final_status_list dead')).split(/\s+/).filter((t) => t.length > 0).sort();
      expect(dead).toEqual(['B6', 'B7', 'C8', 'D7', 'E7']);
      expect(await engine.send('final_score')).toBe('B+16.5');
    } finally {
      await engine.quit();
    }
  });
});

describe('default network', () => {
  it('plays 9x9 with the shipped models/9x9 network unless --model none asks for playouts', async () => {
    const shipped = await rawSession('boardsize 9\ngenmove b\nquit\n', ['--visits', '16']);
    expect(shipped.code).toBe(0);
    expect(shipped.stderr).toMatch(/move generator for 9x9: MCTS with network \S*models[\\/]9x9 /);
    expect(shipped.stdout).toMatch(/^= [A-HJ]\d\n\n/m);
    const none = await rawSession('boardsize 9\ngenmove b\nquit\n', ['--visits', '16', '--model', 'none']);
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/move generator for 9x9: Monte-Carlo playouts/);
    expect(none.stderr).not.toMatch(/MCTS with network/);
    const lee = await rawSession('quit\n', ['--model', 'none', '--mode', 'rollout']);
    expect(lee.code).toBe(2);
    expect(lee.stderr).toMatch(/--model none is for --mode zero/);
  });

  it('refuses a rollout policy it cannot read at start-up instead of failing at the first genmove', async () => {
    const missing = await rawSession('boardsize 9\ngenmove b\nquit\n', ['--rollout-policy', join(tmpdir(), 'tengen-no-such-policy.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--rollout-policy: cannot read rollout policy .*tengen-no-such-policy\.json/);
    expect(missing.stdout).toBe('');
  });
});

describe('the game clock', () => {
  it('thinks within the byo-yomi period even with an unbounded visit budget', async () => {
    const engine = startTengen(['--size', '9', '--visits', '100000000']);
    try {
      await engine.send('kgs-time_settings byoyomi 0 2 1');
      const started = performance.now();
      expect(await engine.send('genmove b')).toMatch(/^[A-HJ]\d$/);
      const elapsed = performance.now() - started;
      // 0.8 × 2 s minus the 0.5 s safety margin = 1.1 s; generous slack for a loaded machine.
      expect(elapsed).toBeGreaterThan(700);
      expect(elapsed).toBeLessThan(2500);
      await engine.send('time_left w 1 1');
      const t2 = performance.now();
      await engine.send('genmove w');
      // 0.8 × 1 s - 0.5 s = 0.3 s.
      expect(performance.now() - t2).toBeLessThan(1500);
    } finally {
      await engine.quit();
    }
  });
});

describe('raw stdio', () => {
  it('accepts CR LF, tabs, comments, ids and blank lines; stdout carries only GTP', async () => {
    const { stdout, stderr, code } = await rawSession('1 name\r\n\r\n# comment\n\t2\tprotocol_version # trailing\n\n3 boardsize 9\n4 quit\n5 name\n');
    expect(code).toBe(0);
    expect(stdout).toBe('=1 tengen\n\n=2 2\n\n=3 \n\n=4 \n\n');
    expect(stderr).toContain('Monte-Carlo');
  });

  it('answers a huge line and binary garbage with errors and keeps serving; ends at end of input', async () => {
    const input = Buffer.concat([
      Buffer.from('1 name\n7 play b ' + 'A'.repeat(200_000) + '\n'),
      Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x9b, 0x0a]),
      Buffer.from([0x01, 0x02, 0x7f, 0x1b, 0x32, 0x20, 0x6e, 0x61, 0x6d, 0x65, 0x0a]),
      Buffer.from('3 protocol_version'),
    ]);
    const { stdout, stderr, code } = await rawSession(input);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe('=1 tengen\n\n?7 line too long\n\n? unknown command\n\n=2 tengen\n\n=3 2\n\n');
  });

  it('rejects bad options with a usage message and exit code 2', async () => {
    const { stderr, code } = await rawSession('', ['--visits', 'many']);
    expect(code).toBe(2);
    expect(stderr).toContain('--visits must be a positive integer');
    const utility = await rawSession('', ['--score-utility', '2']);
    expect(utility.code).toBe(2);
    expect(utility.stderr).toContain('--score-utility must be in [0, 1], got 2');
    const cpuct = await rawSession('', ['--cpuct', '0']);
    expect(cpuct.code).toBe(2);
    expect(cpuct.stderr).toContain('--cpuct must be > 0, got 0');
    const temperature = await rawSession('', ['--policy-temperature', '0']);
    expect(temperature.code).toBe(2);
    expect(temperature.stderr).toContain('--policy-temperature must be > 0, got 0');
    const parsed = parseGtpArgs(['--policy-temperature', '1.5', '--cpuct', '2']);
    expect(parsed !== 'help' && parsed.search).toEqual({ cPuct: 2, scoreUtility: undefined, policyTemperature: 1.5 });
  });
});
