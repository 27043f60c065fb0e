/**
 * `tengen gtp --watch 0`: the GTP game shows up in the embedded live viewer; undo and new boards follow.
 * Checked through the viewer server's /api/games listing.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GtpClient } from '../gtp/client.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

interface GameSummary {
  id: string;
  size: number;
  status: string;
  moveCount: number;
  result: unknown;
}

describe('tengen gtp --watch', () => {
  let engine: GtpClient;
  let viewer: string;

  beforeAll(async () => {
    let found!: (url: string) => void;
    const url = new Promise<string>((resolve) => (found = resolve));
    engine = GtpClient.spawn(process.execPath, [CLI, 'gtp', '--size', '9', '--visits', '50', '--watch', '0'], {
      name: 'tengen',
      commandTimeoutMs: 30_000,
      stderr: (line) => {
        const m = /viewer at (http:\/\/\S+)/.exec(line);
        if (m) found(m[1]!);
      },
    });
    expect(await engine.send('name')).toBe('tengen');
    viewer = await url;
  });
  afterAll(async () => {
    await engine.quit();
  });

  const games = async (): Promise<GameSummary[]> => {
    const response = await fetch(new URL('/api/games', viewer));
    return ((await response.json()) as { games: GameSummary[] }).games;
  };

  it('publishes moves, follows undo, and ends the game when the board is cleared', async () => {
    await engine.send('clear_board');
    await engine.send('play b E5');
    await engine.send('genmove w');
    await engine.send('play b C3');
    let live = (await games()).filter((g) => g.status === 'live');
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ size: 9, moveCount: 3 });
    await engine.send('undo');
    expect((await games()).find((g) => g.id === live[0]!.id)!.moveCount).toBe(2);
    const first = live[0]!.id;
    await engine.send('clear_board');
    await engine.send('play b D4');
    const all = await games();
    expect(all.find((g) => g.id === first)!.status).not.toBe('live');
    live = all.filter((g) => g.status === 'live');
    expect(live).toHaveLength(1);
    expect(live[0]!.id).not.toBe(first);
    expect(live[0]!.moveCount).toBe(1);
  });

  it('records the result when the game ends by two passes', async () => {
    await engine.send('play w pass');
    await engine.send('play b pass');
    const game = (await games()).find((g) => g.moveCount === 3)!;
    expect(game.status).not.toBe('live');
    expect(JSON.stringify(game.result)).toMatch(/[BW]\+/);
  });
});
