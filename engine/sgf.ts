/**
 * SGF read/write through @sabaki/sgf. Reading is all-or-nothing: the whole main line is checked against
 * engine/ and a malformed or illegal record throws SgfError before anything is returned.
 */
import sgf, { type SgfNode } from '@sabaki/sgf';
import { BLACK, WHITE, type StoneColor } from './color.js';
import { parseSgfPoint, toSgfPoint } from './coords.js';
import { Game } from './game.js';
import { rulesPreset, type GameRules } from './rules.js';

export class SgfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SgfError';
  }
}

export interface SgfInfo {
  blackName?: string;
  whiteName?: string;
  /** RE, e.g. 'B+3.5'. Defaults to the game's result when it has one. */
  result?: string;
  date?: string;
  event?: string;
  /** Comment per move index (0 = first move), written as C[]. */
  comments?: ReadonlyMap<number, string>;
  /** Root comment. */
  gameComment?: string;
}

const RULES_NAMES: Record<string, string> = { area: 'Chinese', territory: 'Japanese' };

export function gameToSgf(game: Game, info: SgfInfo = {}): string {
  const size = game.size;
  const root: Record<string, string[]> = {
    GM: ['1'],
    FF: ['4'],
    CA: ['UTF-8'],
    AP: ['tengen'],
    SZ: [String(size)],
    KM: [String(game.rules.komi)],
    RU: [game.rules.suicide ? 'NZ' : (RULES_NAMES[game.rules.scoring] ?? 'Chinese')],
  };
  if (game.handicap > 0) root.HA = [String(game.handicap)];
  if (game.setupBlack.length > 0) root.AB = game.setupBlack.map((p) => toSgfPoint(p, size));
  if (game.setupWhite.length > 0) root.AW = game.setupWhite.map((p) => toSgfPoint(p, size));
  const firstColor = game.moves[0]?.color;
  if (firstColor === WHITE && game.handicap === 0) root.PL = ['W'];
  if (info.blackName) root.PB = [info.blackName];
  if (info.whiteName) root.PW = [info.whiteName];
  const result = info.result ?? game.result?.text;
  if (result) root.RE = [result];
  if (info.date) root.DT = [info.date];
  if (info.event) root.EV = [info.event];
  if (info.gameComment) root.GC = [info.gameComment];

  // Build the main line as nested single-child nodes.
  let id = 0;
  const rootNode: SgfNode = { id: id++, data: root, parentId: null, children: [] };
  let parent = rootNode;
  game.moves.forEach(({ color, move }, i) => {
    const data: Record<string, string[]> = { [color === BLACK ? 'B' : 'W']: [toSgfPoint(move, size)] };
    const comment = info.comments?.get(i);
    if (comment) data.C = [comment];
    const node: SgfNode = { id: id++, data, parentId: parent.id, children: [] };
    parent.children.push(node);
    parent = node;
  });
  return sgf.stringify([rootNode]) + '\n';
}

export interface LoadedSgf {
  game: Game;
  blackName?: string;
  whiteName?: string;
  result?: string;
}

/**
 * Parses an SGF and replays its main line (first child at each node) up to `moveLimit` moves.
 * `rules` overrides what the record says (its RU property is honoured when recognised).
 */
export function sgfToGame(text: string, options: { moveLimit?: number; rules?: Partial<GameRules> } = {}): LoadedSgf {
  let roots: SgfNode[];
  try {
    roots = sgf.parse(text);
  } catch (e) {
    throw new SgfError(`malformed SGF: ${(e as Error).message}`);
  }
  const root = roots[0];
  if (root === undefined || (Object.keys(root.data).length === 0 && root.children.length === 0)) {
    throw new SgfError('malformed SGF: no game tree');
  }
  const prop = (node: SgfNode, key: string): string | undefined => node.data[key]?.[0];
  const gm = prop(root, 'GM');
  if (gm !== undefined && gm !== '1') throw new SgfError(`not a Go record (GM[${gm}])`);
  const szText = prop(root, 'SZ') ?? '19';
  if (!/^\d+$/.test(szText.trim())) throw new SgfError(`unsupported board size SZ[${szText}] (square boards only)`);
  const size = Number(szText);
  if (size < 2 || size > 25) throw new SgfError(`unsupported board size ${size} (2..25)`);
  const komiText = prop(root, 'KM');
  const komi = komiText === undefined || komiText.trim() === '' ? 0 : Number(komiText);
  if (!Number.isFinite(komi)) throw new SgfError(`bad komi KM[${komiText}]`);
  const preset = rulesPreset(prop(root, 'RU') ?? '') ?? {};
  const game = new Game(size, { ...preset, komi, ...options.rules });

  const points = (node: SgfNode, key: string): number[] => {
    const out: number[] = [];
    for (const v of node.data[key] ?? []) {
      // Compressed point lists ('aa:cc') expand to rectangles.
      const [a, b] = v.split(':');
      const first = parseSgfPoint(a ?? '', size);
      const last = b === undefined ? first : parseSgfPoint(b, size);
      if (first === null || last === null || first < 0 || last < 0) throw new SgfError(`bad point ${key}[${v}]`);
      const [r0, c0, r1, c1] = [Math.floor(first / size), first % size, Math.floor(last / size), last % size];
      for (let r = Math.min(r0, r1); r <= Math.max(r0, r1); r++) {
        for (let c = Math.min(c0, c1); c <= Math.max(c0, c1); c++) out.push(r * size + c);
      }
    }
    return out;
  };

  const black = points(root, 'AB');
  const white = points(root, 'AW');
  const pl = prop(root, 'PL')?.toUpperCase();
  const firstMoveNode = root.children[0];
  const inferred: StoneColor =
    pl === 'W' ? WHITE : pl === 'B' ? BLACK : firstMoveNode?.data.W !== undefined ? WHITE : black.length > 0 && white.length === 0 ? WHITE : BLACK;
  const ha = Number(prop(root, 'HA') ?? '0');
  try {
    if (ha >= 2 && white.length === 0 && black.length === ha) {
      game.setHandicapStones(black);
    } else if (black.length > 0 || white.length > 0) {
      game.setSetup(black, white, inferred);
    } else if (inferred === WHITE) {
      game.setSetup([], [], WHITE);
    }
  } catch (e) {
    throw new SgfError(`bad setup stones: ${(e as Error).message}`);
  }

  const limit = options.moveLimit ?? Infinity;
  let node = root.children[0];
  let moveIndex = 0;
  while (node !== undefined && moveIndex < limit) {
    for (const key of ['B', 'W'] as const) {
      const v = node.data[key]?.[0];
      if (v === undefined) continue;
      const move = parseSgfPoint(v, size);
      if (move === null) throw new SgfError(`bad move ${key}[${v}] at move ${moveIndex + 1}`);
      try {
        game.play(move, key === 'B' ? BLACK : WHITE);
      } catch (e) {
        throw new SgfError(`illegal move ${key}[${v}] at move ${moveIndex + 1}: ${(e as Error).message}`);
      }
      moveIndex++;
    }
    node = node.children[0];
  }
  return { game, blackName: prop(root, 'PB'), whiteName: prop(root, 'PW'), result: prop(root, 'RE') };
}
