import { describe, expect, it } from 'vitest';
import { BLACK, PASS, WHITE } from '../engine/index.js';
import {
  LineSplitter,
  formatFailure,
  formatStreamEnd,
  formatStreamLine,
  formatStreamStart,
  formatSuccess,
  parseCommandLine,
  preprocessLine,
} from '../gtp/protocol.js';
import { formatKataInfo, formatLzInfo, formatPolicyGfx, parseAnalyzeArgs } from '../gtp/analysis-format.js';
import type { Analysis } from '../gtp/move-generator.js';
import { v } from './helpers.js';

describe('GTP line preprocessing (spec 3.1)', () => {
  it('drops control characters except HT and LF, turns HT into a space, cuts comments, trims', () => {
    expect(preprocessLine('play\tb\tD4\r')).toBe('play b D4');
    expect(preprocessLine('\x01\x02genmove\x7f w\x1b')).toBe('genmove w');
    expect(preprocessLine('boardsize 9 # a comment')).toBe('boardsize 9');
    expect(preprocessLine('# only a comment')).toBe('');
    expect(preprocessLine('   \t  ')).toBe('');
  });

  it('parses an optional numeric id, the command name and arguments', () => {
    expect(parseCommandLine('12 play b D4')).toEqual({ id: 12, name: 'play', args: ['b', 'D4'] });
    expect(parseCommandLine('play  b   D4')).toEqual({ id: null, name: 'play', args: ['b', 'D4'] });
    expect(parseCommandLine('7')).toEqual({ id: 7, name: '', args: [] });
    // Not an id: letters, signs and absurdly long numbers stay the command name.
    expect(parseCommandLine('-3 name').id).toBeNull();
    expect(parseCommandLine('1234567890123 name').id).toBeNull();
  });

  it('frames responses with the id echoed and exactly one closing empty line', () => {
    expect(formatSuccess(5, 'D4')).toBe('=5 D4\n\n');
    expect(formatSuccess(null, '')).toBe('= \n\n');
    expect(formatFailure(3, 'illegal move')).toBe('?3 illegal move\n\n');
    // Blank lines inside a multi-line response would end it early: they are removed.
    expect(formatSuccess(1, 'a\n\nb\r\n\n')).toBe('=1 a\nb\n\n');
    expect(formatStreamStart(4)).toBe('=4\n');
    expect(formatStreamLine('info move D4\nvisits 3')).toBe('info move D4 visits 3\n');
    expect(formatStreamLine('')).toBe('');
    expect(formatStreamEnd('')).toBe('\n');
    expect(formatStreamEnd('play D4')).toBe('play D4\n\n');
  });
});

describe('LineSplitter', () => {
  it('splits on LF across chunk boundaries and keeps a final unterminated line', () => {
    const s = new LineSplitter(100);
    expect(s.push('na')).toEqual([]);
    expect(s.push('me\r\nver')).toEqual([{ kind: 'line', text: 'name\r' }]);
    expect(s.push(Buffer.from('sion\n\nquit'))).toEqual([
      { kind: 'line', text: 'version' },
      { kind: 'line', text: '' },
    ]);
    expect(s.end()).toEqual([{ kind: 'line', text: 'quit' }]);
  });

  it('drops an overlong line without buffering it, keeping its start for the id', () => {
    const s = new LineSplitter(16);
    const out = [...s.push('42 play '), ...s.push('x'.repeat(1000)), ...s.push('y'.repeat(1000) + '\nname\n')];
    expect(out).toHaveLength(2);
    expect(out[0]!.kind).toBe('overlong');
    if (out[0]!.kind === 'overlong') {
      expect(out[0]!.prefix.startsWith('42 play ')).toBe(true);
      expect(out[0]!.bytes).toBe(2008);
    }
    expect(out[1]).toEqual({ kind: 'line', text: 'name' });
  });
});

function sampleAnalysis(): Analysis {
  const size = 9;
  const ownership = new Float32Array(81).fill(0.25);
  ownership[0] = -1;
  return {
    color: BLACK,
    visits: 300,
    winrate: 0.55,
    scoreLead: 2.5,
    candidates: [
      { move: v('E5', size), visits: 200, winrate: 0.56789, prior: 0.2211, lcb: 0.5, pv: [v('E5', size), v('C3', size), PASS], scoreLead: 3.25 },
      { move: v('D4', size), visits: 100, winrate: 0.4802, prior: 0.1, lcb: 0.45, pv: [v('D4', size)], scoreLead: -1 },
      { move: v('A1', size), visits: 0, winrate: 0, prior: 0.3, lcb: 0, pv: [v('A1', size)] },
    ],
    ownership,
    policy: new Float32Array(82).fill(1 / 82),
  };
}

describe('analysis formats', () => {
  it('parses lz-analyze / kata-analyze arguments as Leela Zero and KataGo accept them', () => {
    expect(parseAnalyzeArgs([])).toMatchObject({ intervalCs: 0, minMoves: 0, ownership: false });
    expect(parseAnalyzeArgs(['w', '50'])).toMatchObject({ color: WHITE, intervalCs: 50 });
    expect(parseAnalyzeArgs(['25'])).toMatchObject({ intervalCs: 25 });
    expect(parseAnalyzeArgs(['b', 'interval', '10', 'minmoves', '3', 'maxmoves', '5', 'ownership', 'true'])).toMatchObject({
      color: BLACK,
      intervalCs: 10,
      minMoves: 3,
      maxMoves: 5,
      ownership: true,
    });
    expect(parseAnalyzeArgs(['b', '10', 'avoid', 'w', 'D4,E5', '3']).intervalCs).toBe(10);
    expect(() => parseAnalyzeArgs(['b', 'bogus'])).toThrow('syntax error');
    expect(() => parseAnalyzeArgs(['interval'])).toThrow('syntax error');
  });

  it('prints lz-analyze lines with integer win rates and priors ×10000, all moves on one line', () => {
    const line = formatLzInfo(sampleAnalysis(), 9, parseAnalyzeArgs(['10']));
    expect(line).toBe(
      'info move E5 visits 200 winrate 5679 prior 2211 lcb 5000 order 0 pv E5 C3 pass ' +
        'info move D4 visits 100 winrate 4802 prior 1000 lcb 4500 order 1 pv D4',
    );
    // minmoves tops up with unvisited moves; maxmoves cuts.
    expect(formatLzInfo(sampleAnalysis(), 9, parseAnalyzeArgs(['minmoves', '3'])).match(/info move/g)).toHaveLength(3);
    expect(formatLzInfo(sampleAnalysis(), 9, parseAnalyzeArgs(['maxmoves', '1'])).match(/info move/g)).toHaveLength(1);
  });

  it('prints kata-analyze lines with decimals, score lead and the ownership map', () => {
    const line = formatKataInfo(sampleAnalysis(), 9, parseAnalyzeArgs(['ownership', 'true']));
    expect(line.startsWith('info move E5 visits 200 winrate 0.56789 scoreMean 3.25 scoreLead 3.25 prior 0.2211 lcb 0.5 order 0 pv E5 C3 pass info move D4')).toBe(true);
    const ownership = line.slice(line.indexOf(' ownership ') + ' ownership '.length).split(' ');
    expect(ownership).toHaveLength(81);
    expect(ownership[0]).toBe('-1');
    expect(ownership[80]).toBe('0.25');
    expect(formatKataInfo(sampleAnalysis(), 9, parseAnalyzeArgs([]))).not.toContain('ownership');
  });

  it('draws the policy for GoGui as influence and percentage labels', () => {
    const policy = new Float32Array(82);
    policy[v('E5', 9)] = 0.5;
    policy[v('C3', 9)] = 0.25;
    policy[81] = 0.25;
    const gfx = formatPolicyGfx(policy, 9).split('\n');
    expect(gfx[0]).toBe('INFLUENCE E5 1 C3 0.5');
    expect(gfx[1]).toBe('LABEL E5 50 C3 25');
    expect(gfx[2]).toBe('TEXT pass 25%');
  });
});
