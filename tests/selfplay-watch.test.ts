/**
 * `tengen selfplay --watch 0` and `tengen run --watch 0` stream self-play games to the live viewer move by
 * move: a websocket viewer sees `move` messages of a game before that game's `end`, several games are live
 * at once, and this holds for games played in the command's thread and on worker threads (the overlapped
 * pipeline of `tengen run`). Runs the compiled CLI (npm test builds it first).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { defaultNetConfig } from '../src/nn/config.js';
import { createNet } from '../src/nn/model.js';
import { saveNet } from '../src/nn/model-io.js';
import { initTfjsBackend, withTfjsBackend } from '../src/nn/tfjs-runtime.js';

const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

interface ViewerMessage {
  type: string;
  gameId?: string;
  game?: { id: string; status: string; source?: string; moves?: unknown[] };
  move?: { n: number };
}

interface WatchedRun {
  messages: ViewerMessage[];
  /** Most games live at the same time, as the viewer's game list saw it. */
  maxLive: number;
  exitCode: number | null;
  output: string;
}

/** Runs `tengen … --watch 0`, connects a viewer as soon as the server listens, records what it sees. */
async function watchCommand(args: string[]): Promise<WatchedRun> {
  const child = spawn(process.execPath, [cli, ...args, '--backend', 'onnx', '--no-progress', '--watch', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const messages: ViewerMessage[] = [];
  const live = new Set<string>();
  let maxLive = 0;
  let viewer: WebSocket | null = null;
  const connected = new Promise<void>((resolve) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      const m = /viewer at (http:\/\/\S+)/.exec(output);
      if (m === null || viewer !== null) return;
      const url = new URL(m[1]!);
      viewer = new WebSocket(`ws://${url.host}/ws?subscribe=*`);
      viewer.on('message', (data) => {
        const msg = JSON.parse(String(data)) as ViewerMessage;
        messages.push(msg);
        if ((msg.type === 'gameStarted' || (msg.type === 'snapshot' && msg.game?.status === 'live')) && msg.game?.source === 'selfplay') live.add(msg.game.id);
        if (msg.type === 'end' && msg.gameId) live.delete(msg.gameId);
        maxLive = Math.max(maxLive, live.size);
      });
      viewer.on('open', () => resolve());
      viewer.on('error', () => resolve());
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  });
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await Promise.race([connected, new Promise((r) => setTimeout(r, 100))]);
  (viewer as WebSocket | null)?.terminate();
  return { messages, maxLive, exitCode, output };
}

/**
 * Per self-play game: the moves it had when the viewer first saw it (a game already running when the viewer
 * connected comes as a snapshot), the message indices of its later moves, and of its end.
 */
function byGame(messages: ViewerMessage[]): Map<string, { before: number; moves: number[]; end: number | null }> {
  const games = new Map<string, { before: number; moves: number[]; end: number | null }>();
  const get = (id: string) => games.get(id) ?? { before: 0, moves: [], end: null };
  messages.forEach((m, i) => {
    if ((m.type === 'gameStarted' || m.type === 'snapshot') && m.game?.source === 'selfplay' && !games.has(m.game.id)) {
      games.set(m.game.id, { before: m.game.moves?.length ?? 0, moves: [], end: null });
    }
    if (m.type === 'move' && m.gameId) get(m.gameId).moves.push(i);
    if (m.type === 'end' && m.gameId) get(m.gameId).end = i;
  });
  return games;
}

describe('tengen selfplay --watch', () => {
  let modelDir: string;

  beforeAll(async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run tsc (npm test does) before this test`);
    modelDir = mkdtempSync(join(tmpdir(), 'tengen-watch-net-'));
    await initTfjsBackend('cpu');
    await withTfjsBackend('cpu', async () => {
      const net = createNet(defaultNetConfig(7, { blocks: 1, filters: 8 }), { seed: 3 });
      await saveNet(net, modelDir);
      net.model.dispose();
    });
  });

  const selfplay = (extra: string[]): string[] => {
    const out = mkdtempSync(join(tmpdir(), 'tengen-selfplay-watch-'));
    return ['selfplay', '--model', modelDir, '--games', '4', '--out', out, '--visits', '12', '--komi', '0.5', '--resign-threshold', '0', '--threads', '1', ...extra];
  };
  const run = (): string[] => {
    const base = mkdtempSync(join(tmpdir(), 'tengen-run-watch-'));
    const config = join(base, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        komi: 0.5,
        blocks: 1,
        filters: 8,
        selfplay: { gamesPerGeneration: 4, gamesPerShard: 2, visits: 12, resignThreshold: 0 },
        train: { stepsPerGeneration: 5, batchSize: 16, bnCalibrationBatches: 1 },
        gate: { alwaysPromote: true },
      }),
    );
    return ['run', '--run', join(base, 'run'), '--config', config, '--size', '7', '--generations', '1', '--pipeline', 'overlapped', '--workers', '2', '--train-threads', '1'];
  };

  // Concurrency is only certain in the command thread (--parallel 2 starts both games before either can end);
  // on a loaded machine one worker may finish its short game before the other worker has loaded its net.
  for (const [label, args, concurrent] of [
    ['tengen selfplay, games in the command thread', () => selfplay(['--parallel', '2']), true],
    ['tengen selfplay, games on worker threads', () => selfplay(['--workers', '2', '--games-per-shard', '2', '--parallel', '1']), false],
    ['tengen run, overlapped pipeline', run, false],
  ] as const) {
    it(`streams each move before the game ends (${label})`, { timeout: 60_000 }, async () => {
      const r = await watchCommand(args());
      expect(r.exitCode, r.output).toBe(0);
      const games = byGame(r.messages);
      expect(games.size, r.output).toBe(4);
      expect(games.size).toBe(r.messages.filter((m) => m.type === 'end' && games.has(m.gameId!)).length);
      for (const [id, g] of games) {
        expect(g.end, `game ${id} ended`).not.toBeNull();
        // Moves arrive one message each, numbered on from what the viewer had, and all before the game's end.
        expect(g.moves.length).toBeGreaterThan(5);
        expect(g.moves.map((i) => r.messages[i]!.move!.n)).toEqual(g.moves.map((_, k) => g.before + k + 1));
        expect(Math.max(...g.moves)).toBeLessThan(g.end!);
      }
      if (!concurrent) return;
      // Games are played at once, and the viewer's list holds them all while they run.
      expect(r.maxLive).toBeGreaterThanOrEqual(2);
      // Streaming, not a replay at the end: while a game was in progress another game's moves came in.
      const interleaved = [...games.values()].some((g) => {
        const [first, last] = [g.moves[0]!, g.moves[g.moves.length - 1]!];
        return r.messages.slice(first, last).some((m) => m.type === 'move' && r.messages[first]!.gameId !== m.gameId);
      });
      expect(interleaved).toBe(true);
    });
  }
});
