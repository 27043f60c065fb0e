/**
 * Text forms of search analysis: Leela Zero's `lz-analyze` lines, KataGo's `kata-analyze` lines, and
 * GoGui's gfx commands. All values are from the analysed colour's point of view, as both engines print.
 */
import { BLACK, toGtpVertex, type Move } from '../engine/index.js';
import { GtpError } from './protocol.js';
import type { Analysis, CandidateMove } from './move-generator.js';
import { parseColor, type StoneColor } from '../engine/index.js';

export interface AnalyzeOptions {
  /** Colour to analyse (default: the player to move). */
  color?: StoneColor;
  /** Centiseconds between info lines; 0 = no periodic output. */
  intervalCs: number;
  /** Report at least this many moves (zero-visit ones included when needed). */
  minMoves: number;
  /** Report at most this many moves. */
  maxMoves: number;
  /** kata-analyze: append the ownership map. */
  ownership: boolean;
}

/**
 * Parses `[color] [interval] [key value ...]` as Leela Zero and KataGo accept it. `allow`/`avoid`
 * (`avoid b D4,E5 10`) are accepted and ignored: restricting the search is not supported.
 */
export function parseAnalyzeArgs(args: readonly string[]): AnalyzeOptions {
  const options: AnalyzeOptions = { intervalCs: 0, minMoves: 0, maxMoves: Infinity, ownership: false };
  let i = 0;
  const color = args[i] === undefined ? null : parseColor(args[i]!);
  if (color !== null) {
    options.color = color;
    i++;
  }
  if (args[i] !== undefined && /^\d+$/.test(args[i]!)) options.intervalCs = Number(args[i++]);
  const count = (text: string | undefined): number => {
    if (text === undefined || !/^\d{1,9}$/.test(text)) throw new GtpError('syntax error');
    return Number(text);
  };
  while (i < args.length) {
    const key = args[i++]!;
    switch (key) {
      case 'interval':
        options.intervalCs = count(args[i++]);
        break;
      case 'minmoves':
        options.minMoves = count(args[i++]);
        break;
      case 'maxmoves':
        options.maxMoves = count(args[i++]);
        break;
      case 'ownership': {
        const v = args[i++];
        if (v !== 'true' && v !== 'false') throw new GtpError('syntax error');
        options.ownership = v === 'true';
        break;
      }
      case 'allow':
      case 'avoid':
        if (args.length - i < 3) throw new GtpError('syntax error');
        i += 3;
        break;
      case 'pvVisits':
      case 'ownershipStdev':
      case 'movesOwnership':
      case 'rootInfo':
        i++;
        break;
      default:
        throw new GtpError('syntax error');
    }
  }
  return options;
}

/** The candidates to print: visited ones, topped up to minMoves with unvisited ones, cut to maxMoves. */
function reported(analysis: Analysis, options: AnalyzeOptions): CandidateMove[] {
  const visited = analysis.candidates.filter((c) => c.visits > 0);
  const out = visited.slice(0, options.maxMoves);
  if (out.length < options.minMoves) {
    const rest = analysis.candidates.filter((c) => c.visits === 0).sort((a, b) => b.prior - a.prior);
    out.push(...rest.slice(0, Math.min(options.maxMoves, options.minMoves) - out.length));
  }
  return out;
}

function pvText(pv: readonly Move[], size: number): string {
  return pv.map((m) => toGtpVertex(m, size)).join(' ');
}

const permyriad = (x: number): number => Math.max(0, Math.min(10000, Math.round(x * 10000)));

/** Compact decimal (at most 6 decimals, no trailing zeros, never "-0"). */
export function decimal(x: number): string {
  const r = Number(x.toFixed(6));
  return String(r === 0 ? 0 : r);
}

/** `info move D4 visits 1178 winrate 4802 prior 2211 lcb 4781 order 0 pv D4 C3 ...` for every move, one line. */
export function formatLzInfo(analysis: Analysis, size: number, options: AnalyzeOptions): string {
  return reported(analysis, options)
    .map(
      (c, order) =>
        `info move ${toGtpVertex(c.move, size)} visits ${c.visits} winrate ${permyriad(c.winrate)} prior ${permyriad(c.prior)}` +
        ` lcb ${permyriad(c.lcb)} order ${order} pv ${pvText(c.pv, size)}`,
    )
    .join(' ');
}

/** KataGo's form: decimals in [0,1], scoreMean/scoreLead in points, `ownership` map at the end if asked. */
export function formatKataInfo(analysis: Analysis, size: number, options: AnalyzeOptions): string {
  const parts = reported(analysis, options).map((c, order) => {
    const score = c.scoreLead === undefined ? '' : ` scoreMean ${decimal(c.scoreLead)} scoreLead ${decimal(c.scoreLead)}`;
    return (
      `info move ${toGtpVertex(c.move, size)} visits ${c.visits} winrate ${decimal(c.winrate)}${score}` +
      ` prior ${decimal(c.prior)} lcb ${decimal(c.lcb)} order ${order} pv ${pvText(c.pv, size)}`
    );
  });
  if (options.ownership && analysis.ownership !== undefined && parts.length > 0) {
    parts.push(`ownership ${Array.from(analysis.ownership, decimal).join(' ')}`);
  }
  return parts.join(' ');
}

/** GoGui gfx: the policy as an influence map plus percentage labels for the moves above 1%. */
export function formatPolicyGfx(policy: Float32Array, size: number): string {
  const area = size * size;
  let max = 0;
  for (let a = 0; a <= area; a++) max = Math.max(max, policy[a] ?? 0);
  if (max <= 0) return 'TEXT no policy';
  const influence: string[] = [];
  const labels: string[] = [];
  for (let p = 0; p < area; p++) {
    const v = policy[p]!;
    if (v <= 0) continue;
    const vertex = toGtpVertex(p, size);
    influence.push(`${vertex} ${decimal(v / max)}`);
    if (v >= 0.01) labels.push(`${vertex} ${Math.round(v * 100)}`);
  }
  const lines = [];
  if (influence.length > 0) lines.push(`INFLUENCE ${influence.join(' ')}`);
  if (labels.length > 0) lines.push(`LABEL ${labels.join(' ')}`);
  lines.push(`TEXT pass ${Math.round((policy[area] ?? 0) * 100)}%`);
  return lines.join('\n');
}

/** GoGui gfx: ownership as influence, positive = Black (GoGui's convention). */
export function formatOwnershipGfx(ownership: Float32Array, color: StoneColor, size: number): string {
  const sign = color === BLACK ? 1 : -1;
  const parts: string[] = [];
  for (let p = 0; p < size * size; p++) parts.push(`${toGtpVertex(p, size)} ${decimal(sign * ownership[p]!)}`);
  return `INFLUENCE ${parts.join(' ')}`;
}
