/**
 * Fuzzing the GTP front end: 10^5 random and mutated lines go through the same server, command table
 * and engine the process uses (in-process, so it runs in seconds), then a smaller batch through the
 * real `tengen gtp` process over a pipe. Every command line must get exactly one well-formed response
 * with its id echoed, and the engine must keep answering.
 *
 * In-process the dead-stone estimate and the searches use a handful of playouts so that 10^5 lines stay
 * fast; the process run leaves out the commands whose cost is a search or an ownership estimate.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GAME_RULES, Rng } from '../engine/index.js';
import { COMMANDS } from '../gtp/commands.js';
import { GtpEngine } from '../gtp/engine.js';
import { PlayoutGenerator } from '../gtp/playout-generator.js';
import { MAX_LINE_BYTES } from '../gtp/protocol.js';
import { GtpServer } from '../gtp/server.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

/** Plausible commands: every command of the table with typical, edge-case and wrong arguments. */
const SEEDS = [
  'protocol_version', 'name', 'version', 'known_command play', 'known_command nope', 'list_commands',
  'boardsize 9', 'boardsize 5', 'boardsize 13', 'boardsize 0', 'boardsize 99', 'boardsize x', 'clear_board',
  'komi 6.5', 'komi -3', 'komi 1e400', 'komi', 'get_komi',
  'play b E5', 'play w C3', 'play black D4', 'play white pass', 'play b A1', 'play w J9', 'play b T19', 'play b Z1', 'play b', 'play b E5 extra',
  'genmove b', 'genmove w', 'genmove', 'kgs-genmove_cleanup b', 'undo', 'undo', 'showboard',
  'final_score', 'final_status_list dead', 'final_status_list alive', 'final_status_list seki', 'final_status_list',
  'fixed_handicap 2', 'fixed_handicap 9', 'fixed_handicap 0', 'fixed_handicap 1', 'place_free_handicap 3', 'place_free_handicap 400',
  'set_free_handicap C3 G7', 'set_free_handicap A1', 'set_free_handicap pass pass',
  'time_settings 300 30 5', 'time_settings 0 1 0', 'time_settings a b c', 'time_left b 100 0', 'time_left w 10 3', 'time_left x 1 1',
  'kgs-time_settings none', 'kgs-time_settings byoyomi 60 10 3', 'kgs-time_settings canadian 60 60 10', 'kgs-time_settings absolute', 'kgs-game_over',
  'kgs-rules chinese', 'kgs-rules japanese', 'kgs-rules new_zealand', 'kgs-rules aga', 'kgs-rules go',
  'kata-get-rules', 'kata-set-rules tromp-taylor', 'kata-set-rules {"ko":"SITUATIONAL"}', 'kata-set-rules {bad json', 'kata-set-rule scoring TERRITORY', 'kata-set-rule tax ALL',
  'loadsgf missing.sgf', 'loadsgf missing.sgf 3', 'printsgf', 'printsgf fuzz-out.sgf',
  'lz-analyze b 1', 'lz-analyze 10 minmoves 2', 'kata-analyze w interval 1 ownership true', 'lz-analyze b nonsense', 'stop',
  'lz-genmove_analyze b 1', 'kata-genmove_analyze w 1',
  'gogui-analyze_commands', 'tengen-gfx_policy', 'tengen-gfx_ownership', 'tengen-winrate',
  'list_stones black', 'list_stones white', 'list_stones green', 'captures b', 'captures w', 'level 10',
];

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHJKLMNOPQRSTUVWXYZ0123456789 \t#_-.{}":,\r\x00\x01\x1b\x7f';

function randomText(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[rng.int(ALPHABET.length)];
  return out;
}

/** One fuzz line as bytes (never containing LF): a seed, a mutated seed, or noise. */
function fuzzLine(rng: Rng, seeds: readonly string[]): Buffer {
  const seed = seeds[rng.int(seeds.length)]!;
  const withId = (text: string): string => (rng.next() < 0.5 ? `${rng.int(1_000_000)} ${text}` : text);
  const r = rng.next();
  if (r < 0.3) return Buffer.from(withId(seed));
  if (r < 0.7) {
    // Character-level mutations of a seed.
    const chars = [...seed];
    const edits = 1 + rng.int(4);
    for (let e = 0; e < edits; e++) {
      const at = rng.int(chars.length + 1);
      const kind = rng.int(3);
      if (kind === 0) chars.splice(at, 0, ALPHABET[rng.int(ALPHABET.length)]!);
      else if (kind === 1) chars.splice(at, 1);
      else chars[at] = ALPHABET[rng.int(ALPHABET.length)]!;
    }
    return Buffer.from(withId(chars.join('')));
  }
  if (r < 0.85) {
    // Token-level: a seed's command with another seed's arguments, or tokens shuffled.
    const a = seed.split(' ');
    const b = seeds[rng.int(seeds.length)]!.split(' ');
    const tokens = rng.next() < 0.5 ? [a[0]!, ...b.slice(1)] : [...a, ...b].sort(() => rng.next() - 0.5);
    return Buffer.from(withId(tokens.join(rng.next() < 0.2 ? '\t' : ' ')));
  }
  if (r < 0.95) return Buffer.from(randomText(rng, rng.int(40)));
  // Binary garbage (any byte but LF).
  const bytes = Buffer.alloc(1 + rng.int(60));
  for (let i = 0; i < bytes.length; i++) {
    let b = rng.int(256);
    if (b === 10) b = 11;
    bytes[i] = b;
  }
  return bytes;
}

/** What the spec says the engine must answer, worked out independently of the engine's own code. */
function expectedResponses(lines: readonly Buffer[]): (number | null)[] {
  const ids: (number | null)[] = [];
  for (const bytes of lines) {
    if (bytes.length > MAX_LINE_BYTES) {
      const m = /^\s*(\d{1,9})[ \t]/.exec(bytes.subarray(0, 64).toString('latin1').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ''));
      ids.push(m ? Number(m[1]) : null);
      continue;
    }
    let text = '';
    for (const ch of bytes.toString('utf8')) {
      if (ch === '#') break;
      const code = ch.codePointAt(0)!;
      if (code === 9) text += ' ';
      else if (code >= 32 && code !== 127) text += ch;
    }
    text = text.trim();
    if (text === '') continue;
    const first = text.split(' ')[0]!;
    ids.push(/^\d{1,9}$/.test(first) ? Number(first) : null);
  }
  return ids;
}

/**
 * Splits output into responses and checks each one's shape; returns their ids. (Plain checks collected
 * into one assertion: 10^5 expect() calls would dominate the test's run time.)
 */
function parseResponses(output: string): (number | null)[] {
  expect(output.endsWith('\n\n') || output === '').toBe(true);
  const responses = output.slice(0, -2).split('\n\n');
  // '=id text' or '?id message', further lines non-empty; or a stream: '=id' then info/play lines.
  const shape = /^[=?]\d*( [^\n]*)?(\n[^\n]+)*$/;
  const malformed = responses.filter((r) => !shape.test(r) || /^\?\d*\s*$/.test(r.split('\n')[0]!));
  expect(malformed.slice(0, 5).map((r) => r.slice(0, 200))).toEqual([]);
  return responses.map((response) => {
    const m = /^[=?](\d*)/.exec(response)!;
    return m[1] === '' ? null : Number(m[1]);
  });
}

describe('GTP fuzzing', () => {
  it('answers 10^5 random and mutated lines in-process, every response well formed, ids in order', async () => {
    const rng = new Rng(2024);
    const lines: Buffer[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(fuzzLine(rng, SEEDS));
    // A few overlong lines, one with an id.
    lines.splice(500, 0, Buffer.from('77 play b ' + 'A'.repeat(MAX_LINE_BYTES + 10)));
    lines.splice(90_000, 0, Buffer.alloc(3 * MAX_LINE_BYTES, 0x41));
    const engine = new GtpEngine(
      {
        boardSize: 9,
        rules: { ...DEFAULT_GAME_RULES },
        visits: 2,
        resignThreshold: 0.1,
        resignMinMovesFraction: 0.25,
        resignMinVisits: 50,
        resignConsecutiveMoves: 1,
        workingDir: mkdtempSync(join(tmpdir(), 'tengen-fuzz-')),
        name: 'tengen',
        version: 'test',
        seed: 1,
        ownershipPlayouts: 4,
        log: () => {},
      },
      async () => new PlayoutGenerator({ defaultPlayouts: 2 }),
    );
    const output: string[] = [];
    const server = new GtpServer(engine, { write: (t) => output.push(t), log: () => {} });
    // Feed in chunks cut at random places, so lines straddle chunk boundaries.
    const input = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    for (let at = 0; at < input.length; ) {
      const size = 1 + rng.int(4096);
      server.feed(input.subarray(at, at + size));
      at += size;
    }
    server.end();
    await server.finished;
    expect(server.hasQuit).toBe(false);
    const text = output.join('');
    const ids = parseResponses(text);
    const expected = expectedResponses(lines);
    expect(ids.length).toBe(expected.length);
    expect(ids).toEqual(expected);
    // Sanity: the fuzz reached real commands, not just errors.
    expect(text).toMatch(/^=\d* [A-HJ-T]\d+$/m);
    expect(text).toContain('line too long');
    expect(ids.length).toBeGreaterThan(50_000);
  }, 120_000);

  it('keeps the real process alive through garbage, huge lines and binary input over a pipe', async () => {
    const rng = new Rng(99);
    // The process fuzz leaves out what costs a search or an ownership estimate (covered in-process above).
    const cheap = SEEDS.filter((s) => !/genmove|analyze|final_|gfx|winrate|printsgf fuzz|quit/.test(s));
    const lines: Buffer[] = [];
    for (let i = 0; i < 5000; i++) lines.push(fuzzLine(rng, cheap));
    lines.push(Buffer.from('5 ' + 'x'.repeat(1_000_000)));
    lines.push(Buffer.from('424242 name'));
    const child = spawn(process.execPath, [CLI, 'gtp', '--size', '9', '--visits', '8'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: mkdtempSync(join(tmpdir(), 'tengen-fuzzp-')),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.end(Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr.slice(-2000)).toBe(0);
    const ids = parseResponses(stdout);
    expect(ids).toEqual(expectedResponses(lines));
    expect(stdout.endsWith('=424242 tengen\n\n')).toBe(true);
    expect(stderr).not.toContain('internal error');
  }, 120_000);

  it('has a fuzz corpus that covers the whole command table', () => {
    const seeded = new Set(SEEDS.map((s) => s.split(' ')[0]));
    for (const c of COMMANDS) if (c.name !== 'quit') expect(seeded.has(c.name), c.name).toBe(true);
  });
});
