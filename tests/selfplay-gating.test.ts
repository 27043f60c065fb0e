import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sgfToGame } from '../engine/sgf.js';
import { SimpleEvaluator } from '../src/search/simple-evaluator.js';
import { DEFAULT_SPRT } from '../selfplay/sprt.js';
import { runGating, type GatingRecord } from '../selfplay/gating.js';

describe('gating matches', () => {
  it('alternate colours, record every game with its SGF, and resume only the missing games', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-gate-'));
    const recordPath = join(dir, 'gen0001.json');
    const options = {
      size: 5,
      komi: 0.5,
      visits: 16,
      randomMoves: 2,
      resignThreshold: 0,
      rule: { rule: 'fixed' as const, games: 6, threshold: 0.55, sprt: DEFAULT_SPRT },
      parallel: 3,
      seed: 4,
      generation: 1,
      candidateName: 'gen0001',
      bestName: 'gen0000',
      // The candidate values positions by their area count; the best sees only game ends.
      candidate: new SimpleEvaluator(5, { komi: 0.5, value: 'area' }),
      best: new SimpleEvaluator(5, { komi: 0.5, value: 'zero' }),
      recordPath,
      sgfDir: join(dir, 'gen0001'),
    };
    const record = await runGating(options);
    expect(record.games.map((g) => g.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(record.decision?.done).toBe(true);
    for (const g of record.games) {
      expect(g.candidateColor).toBe(g.index % 2 === 0 ? 'B' : 'W');
      const sgf = readFileSync(join(dir, 'gen0001', g.sgf), 'utf8');
      expect(sgf).toContain(g.candidateColor === 'B' ? 'PB[gen0001]' : 'PW[gen0001]');
      expect(sgf).toContain(`RE[${g.result}]`);
      expect(sgfToGame(sgf).game.moves).toHaveLength(g.moves);
      const candidateWon = g.result.startsWith(g.candidateColor);
      expect(g.outcome).toBe(g.result === '0' ? 'draw' : candidateWon ? 'win' : 'loss');
    }
    const t = record.decision!.tally;
    expect(t.wins + t.losses + t.draws).toBe(6);

    // A kill after four games: the record holds four; a resumed match plays games 4 and 5 only.
    const saved = JSON.parse(readFileSync(recordPath, 'utf8')) as GatingRecord;
    const kept = saved.games.filter((g) => g.index < 4);
    writeFileSync(recordPath, JSON.stringify({ ...saved, games: kept, decision: null, finished: null }));
    const played: number[] = [];
    const resumed = await runGating({ ...options, onGame: (_r, g) => played.push(g.index) });
    expect(played.sort()).toEqual([4, 5]);
    expect(resumed.games).toHaveLength(6);
    expect(resumed.decision?.done).toBe(true);
    // A decided record is final.
    const again = await runGating({ ...options, onGame: () => played.push(-1) });
    expect(played).not.toContain(-1);
    expect(again.decision).toEqual(resumed.decision);
    expect(existsSync(join(dir, 'gen0001', 'game-0005.sgf'))).toBe(true);
  });
});
