/**
 * A full 9x9 game between `tengen gtp` and GNU Go through the referee (gtp/referee.ts): every move is
 * checked with engine/ before the other engine sees it, and at the end both engines must report the
 * same final score, which must also be the referee's own count with either engine's dead stones.
 * Skipped when GNU Go is not installed (CI installs it: apt-get install gnugo).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASS } from '../engine/index.js';
import { GtpClient, playRefereedGame } from '../gtp/client.js';
import { DEAD_STONES_POSITION, SEKI_POSITION, positionSgf } from './gtp-positions.js';

const GNUGO = '/usr/games/gnugo';
const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

describe.skipIf(!existsSync(GNUGO))('tengen against GNU Go', () => {
  it('plays a refereed 9x9 game to the end; each engine\'s final score is engine/\'s count with its dead stones', async () => {
    const tengen = GtpClient.spawn(process.execPath, [CLI, 'gtp', '--size', '9', '--visits', '800', '--resign-threshold', '0', '--seed', '3'], {
      name: 'tengen',
      commandTimeoutMs: 20_000,
    });
    // Level 1 keeps GNU Go's thinking to a fraction of a second per move on a shared 2-core machine.
    const gnugo = GtpClient.spawn(GNUGO, ['--mode', 'gtp', '--chinese-rules', '--level', '1'], { name: 'gnugo', commandTimeoutMs: 20_000 });
    try {
      const game = await playRefereedGame(tengen, gnugo, { size: 9, komi: 7.5, maxMoves: 250 });
      expect(game.forfeitReason).toBeUndefined();
      expect(game.end === 'passes' || game.end === 'resign').toBe(true);
      expect(game.moves.length).toBeGreaterThan(20);
      // The referee replayed every move with engine/; the record is a legal game.
      expect(game.moves.slice(-2).every((m) => m.move === PASS) || game.end === 'resign').toBe(true);
      if (game.end === 'passes') {
        expect(game.scores.black).toMatch(/^([BW]\+\d+(\.5)?|0)$/);
        expect(game.scores.white).toMatch(/^([BW]\+\d+(\.5)?|0)$/);
        // The game record in the messages: a disagreement can only be understood from the final position.
        const record = `${JSON.stringify(game.scores)}\n${game.sgf}`;
        // Each engine's final_score is what engine/ counts with that engine's own dead stones: GNU Go and tengen
        // count a position alike.
        expect(game.scores.refereeWithBlackDead, record).toBe(game.scores.black);
        expect(game.scores.refereeWithWhiteDead, record).toBe(game.scores.white);
        if (game.enginesAgree) {
          expect(game.result).toBe(game.scores.black);
        } else {
          // They can differ on the life of a group the game left unsettled: GNU Go at level 1 has called dead a
          // corner group that lives in seki or wins its race (tests/gtp-engine.test.ts has that game). The referee
          // then counts with the dead stones both name.
          expect(game.result, record).toMatch(/^([BW]\+\d+(\.5)?|0)$/);
        }
      }
      expect(game.sgf).toContain('PB[tengen]');
    } finally {
      await tengen.quit();
      await gnugo.quit();
    }
  }, 90_000);

  it('agrees with GNU Go on dead stones, seki and the score of finished positions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-gnugo-'));
    const tengen = GtpClient.spawn(process.execPath, [CLI, 'gtp', '--size', '9'], { name: 'tengen', commandTimeoutMs: 20_000 });
    const gnugo = GtpClient.spawn(GNUGO, ['--mode', 'gtp', '--chinese-rules', '--level', '1'], { name: 'gnugo', commandTimeoutMs: 20_000 });
    // Each engine's lists as sets of vertices (GNU Go and tengen group and order them differently).
    const status = async (engine: GtpClient, kind: string): Promise<string[]> =>
      (await engine.send(`final_status_list ${kind}`)).split(/\s+/).filter((t) => t.length > 0).sort();
    const score = async (engine: GtpClient): Promise<string> => (await engine.send('final_score')).replace(/\.0$/, '');
    try {
      for (const [name, diagram, expected] of [['dead', DEAD_STONES_POSITION, 'W+16'], ['seki', SEKI_POSITION, 'W+14']] as const) {
        const file = join(dir, `${name}.sgf`);
        writeFileSync(file, positionSgf(diagram, 7));
        for (const engine of [tengen, gnugo]) await engine.send(`loadsgf ${file}`);
        expect(await score(tengen)).toBe(expected);
        expect(await score(gnugo)).toBe(expected);
        for (const kind of ['dead', 'seki']) expect(await status(tengen, kind), `${name}: ${kind}`).toEqual(await status(gnugo, kind));
      }
    } finally {
      await tengen.quit();
      await gnugo.quit();
    }
  }, 60_000);
});
