/**
 * The command table: every GTP command the engine knows, in one list from which `list_commands` and
 * `known_command` answer. Handlers are small functions that return the response text or throw a
 * GtpError; they never write to the output themselves (the server frames responses), except through
 * the streaming context the analysis commands use.
 */
import {
  BLACK,
  parseColor,
  parseGtpVertex,
  rulesPreset,
  toGtpVertex,
  type GameRules,
  type KoRule,
  type Move,
  type ScoringRule,
  type StoneColor,
} from '../engine/index.js';
import { GtpError } from './protocol.js';
import type { GtpEngine } from './engine.js';
import {
  formatKataInfo,
  formatLzInfo,
  formatOwnershipGfx,
  formatPolicyGfx,
  parseAnalyzeArgs,
  type AnalyzeOptions,
} from './analysis-format.js';
import type { Analysis } from './move-generator.js';
import { gtpTimeControl, type TimeControl } from '../src/search/time-manager.js';

export interface CommandContext {
  /** Aborted when the controller sends more input while an interruptible command runs. */
  readonly signal: AbortSignal;
  /** Starts a streamed response: `=id` is sent now; lines follow; the handler's return value ends it. */
  startStream(): void;
  streamLine(text: string): void;
  /** The session ends after this command's response. */
  requestQuit(): void;
}

export interface CommandSpec {
  readonly name: string;
  /** Stops at the next input line (analysis runs until the controller says something). */
  readonly interruptible?: boolean;
  run(engine: GtpEngine, args: readonly string[], context: CommandContext): Promise<string> | string;
}

/** Visits an open-ended analysis may reach before it just waits to be stopped. */
const ANALYSIS_VISIT_CAP = 1_000_000;
/** Visits for one-shot analyses (GoGui gfx commands) when no --visits was given. */
const QUICK_ANALYSIS_VISITS = 800;

// ---------------------------------------------------------------- argument parsing

function colorArg(text: string | undefined, message = 'invalid color'): StoneColor {
  const color = text === undefined ? null : parseColor(text);
  if (color === null) throw new GtpError(message);
  return color;
}

function intArg(text: string | undefined): number {
  if (text === undefined || !/^[-+]?\d{1,9}$/.test(text)) throw new GtpError('syntax error');
  return Number(text);
}

function numberArg(text: string | undefined): number {
  const value = text === undefined ? NaN : Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value)) throw new GtpError('syntax error');
  return value;
}

function arity(args: readonly string[], min: number, max = min): void {
  if (args.length < min || args.length > max) throw new GtpError('syntax error');
}

function vertexList(engine: GtpEngine, points: readonly Move[]): string {
  return points.map((p) => toGtpVertex(p, engine.size)).join(' ');
}

// ---------------------------------------------------------------- rules in KataGo's words

const KO_NAMES: Record<string, KoRule> = { SIMPLE: 'simple', POSITIONAL: 'positional', SITUATIONAL: 'situational' };
const SCORING_NAMES: Record<string, ScoringRule> = { AREA: 'area', TERRITORY: 'territory' };

function rulesJson(rules: GameRules): string {
  return JSON.stringify({
    hasButton: false,
    ko: rules.ko.toUpperCase(),
    scoring: rules.scoring.toUpperCase(),
    suicide: rules.suicide,
    tax: 'NONE',
    whiteHandicapBonus: rules.whiteHandicapBonus,
    komi: rules.komi,
  });
}

/** One KataGo rule field; the fields tengen does not model are accepted only at the value it plays by. */
function ruleField(key: string, value: unknown): Partial<GameRules> {
  const text = String(value).toUpperCase();
  switch (key) {
    case 'ko':
      if (!(text in KO_NAMES)) throw new GtpError(`unknown ko rule ${String(value)}`);
      return { ko: KO_NAMES[text]! };
    case 'scoring':
      if (!(text in SCORING_NAMES)) throw new GtpError(`unknown scoring rule ${String(value)}`);
      return { scoring: SCORING_NAMES[text]! };
    case 'suicide':
    case 'multiStoneSuicideLegal':
      if (text !== 'TRUE' && text !== 'FALSE') throw new GtpError(`suicide must be true or false`);
      return { suicide: text === 'TRUE' };
    case 'tax':
      if (text !== 'NONE' && text !== 'SEKI') throw new GtpError(`tax ${String(value)} is not supported`);
      return {};
    case 'hasButton':
      if (text !== 'FALSE') throw new GtpError('button go is not supported');
      return {};
    case 'whiteHandicapBonus':
      if (text !== '0' && text !== 'N' && text !== 'N-1') throw new GtpError(`whiteHandicapBonus must be 0, N or N-1`);
      return { whiteHandicapBonus: text };
    case 'friendlyPassOk':
      return {};
    case 'komi':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new GtpError('bad komi');
      return { komi: value };
    default:
      throw new GtpError(`unknown rule ${key}`);
  }
}

function parseRules(text: string): Partial<GameRules> {
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new GtpError('syntax error');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new GtpError('syntax error');
    let rules: Partial<GameRules> = {};
    for (const [key, value] of Object.entries(json)) rules = { ...rules, ...ruleField(key, value) };
    return rules;
  }
  const preset = rulesPreset(text);
  if (preset === null) throw new GtpError(`unknown rules ${text}`);
  return preset;
}

function applyRules(engine: GtpEngine, rules: Partial<GameRules>): void {
  const { komi, ...rest } = rules;
  engine.setRules(rest);
  if (komi !== undefined) engine.setKomi(komi);
}

// ---------------------------------------------------------------- analysis

type InfoFormat = (analysis: Analysis, size: number, options: AnalyzeOptions) => string;

async function runAnalyze(engine: GtpEngine, args: readonly string[], context: CommandContext, format: InfoFormat): Promise<string> {
  const options = parseAnalyzeArgs(args);
  const color = options.color ?? engine.game.toPlay;
  context.startStream();
  const intervalMs = options.intervalCs * 10;
  const emit = (a: Analysis): void => context.streamLine(format(a, engine.size, options));
  const final = await engine.analyze(
    color,
    { visits: ANALYSIS_VISIT_CAP },
    { signal: context.signal, analysisIntervalMs: intervalMs > 0 ? Math.max(10, intervalMs) : undefined, onAnalysis: intervalMs > 0 ? emit : undefined },
  );
  if (intervalMs > 0 && !context.signal.aborted) emit(final);
  // Analysis is open-ended: once the search has nothing more to do, wait for the controller to stop it.
  if (!context.signal.aborted) await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
  return '';
}

async function runGenmoveAnalyze(engine: GtpEngine, args: readonly string[], context: CommandContext, format: InfoFormat): Promise<string> {
  const options = parseAnalyzeArgs(args);
  const color = options.color ?? engine.game.toPlay;
  context.startStream();
  const intervalMs = options.intervalCs * 10;
  const move = await engine.genmove(color, {
    analysisIntervalMs: intervalMs > 0 ? Math.max(10, intervalMs) : undefined,
    onAnalysis: intervalMs > 0 ? (a) => context.streamLine(format(a, engine.size, options)) : undefined,
  });
  if (move === 'resign') engine.resign(color);
  return `play ${move === 'resign' ? 'resign' : toGtpVertex(move, engine.size)}`;
}

async function quickAnalysis(engine: GtpEngine): Promise<Analysis> {
  return engine.analyze(engine.game.toPlay, { visits: Math.min(engine.config.visits ?? QUICK_ANALYSIS_VISITS, QUICK_ANALYSIS_VISITS) }, {});
}

async function genmoveCommand(engine: GtpEngine, args: readonly string[], cleanup: boolean): Promise<string> {
  arity(args, 1);
  const color = colorArg(args[0]);
  const move = await engine.genmove(color, { cleanup });
  if (move === 'resign') {
    engine.resign(color);
    return 'resign';
  }
  return toGtpVertex(move, engine.size);
}

// ---------------------------------------------------------------- the table

const GOGUI_ANALYZE_COMMANDS = [
  'gfx/Policy heatmap/tengen-gfx_policy',
  'gfx/Ownership/tengen-gfx_ownership',
  'string/Win rate/tengen-winrate',
].join('\n');

export const COMMANDS: readonly CommandSpec[] = [
  // Administrative (GTP v2 required).
  { name: 'protocol_version', run: () => '2' },
  { name: 'name', run: (e) => e.config.name },
  { name: 'version', run: (e) => e.config.version },
  {
    name: 'known_command',
    run: (_e, args) => {
      arity(args, 1);
      return COMMAND_BY_NAME.has(args[0]!) ? 'true' : 'false';
    },
  },
  { name: 'list_commands', run: () => COMMANDS.map((c) => c.name).join('\n') },
  {
    name: 'quit',
    run: (_e, _args, context) => {
      context.requestQuit();
      return '';
    },
  },

  // Setup.
  {
    name: 'boardsize',
    run: (e, args) => {
      arity(args, 1);
      e.setBoardSize(intArg(args[0]));
      return '';
    },
  },
  { name: 'clear_board', run: (e) => (e.clearBoard(), '') },
  {
    name: 'komi',
    run: (e, args) => {
      arity(args, 1);
      e.setKomi(numberArg(args[0]));
      return '';
    },
  },
  { name: 'get_komi', run: (e) => String(e.rules.komi) },
  {
    name: 'fixed_handicap',
    run: (e, args) => {
      arity(args, 1);
      return vertexList(e, e.setFixedHandicap(intArg(args[0])));
    },
  },
  {
    name: 'place_free_handicap',
    run: (e, args) => {
      arity(args, 1);
      return vertexList(e, e.placeFreeHandicap(intArg(args[0])));
    },
  },
  {
    name: 'set_free_handicap',
    run: (e, args) => {
      const points = args.map((a) => parseGtpVertex(a, e.size));
      if (points.some((p) => p === null)) throw new GtpError('bad vertex list');
      e.setFreeHandicap(points as Move[]);
      return '';
    },
  },

  // Play.
  {
    name: 'play',
    run: (e, args) => {
      arity(args, 2);
      const color = parseColor(args[0]!);
      const move = parseGtpVertex(args[1]!, e.size);
      if (color === null || move === null) throw new GtpError('invalid color or coordinate');
      e.play(color, move);
      return '';
    },
  },
  { name: 'genmove', run: (e, args) => genmoveCommand(e, args, false) },
  { name: 'kgs-genmove_cleanup', run: (e, args) => genmoveCommand(e, args, true) },
  { name: 'undo', run: (e) => (e.undo(), '') },

  // Scoring.
  { name: 'final_score', run: (e) => e.finalScore() },
  {
    name: 'final_status_list',
    run: (e, args) => {
      arity(args, 1);
      const kind = args[0]!;
      if (kind !== 'alive' && kind !== 'dead' && kind !== 'seki') throw new GtpError('syntax error');
      return e.finalStatus()[kind].map((chain) => vertexList(e, chain)).join('\n');
    },
  },

  // Clocks.
  {
    name: 'time_settings',
    run: (e, args) => {
      arity(args, 3);
      const [main, period, stones] = [numberArg(args[0]), numberArg(args[1]), intArg(args[2])];
      if (main < 0 || period < 0 || stones < 0) throw new GtpError('syntax error');
      e.setTimeControl(gtpTimeControl(main, period, stones));
      return '';
    },
  },
  {
    // KGS: `none`, `absolute MAIN`, `byoyomi MAIN PERIOD PERIODS`, `canadian MAIN PERIOD STONES` (seconds).
    name: 'kgs-time_settings',
    run: (e, args) => {
      const kind = args[0];
      let control: TimeControl;
      if (kind === 'none') {
        arity(args, 1);
        control = { kind: 'none' };
      } else if (kind === 'absolute') {
        arity(args, 2);
        control = { kind: 'absolute', mainMs: numberArg(args[1]) * 1000 };
      } else if (kind === 'byoyomi') {
        arity(args, 4);
        control = { kind: 'byoyomi', mainMs: numberArg(args[1]) * 1000, periodMs: numberArg(args[2]) * 1000, periods: intArg(args[3]) };
      } else if (kind === 'canadian') {
        arity(args, 4);
        control = { kind: 'canadian', mainMs: numberArg(args[1]) * 1000, periodMs: numberArg(args[2]) * 1000, stones: intArg(args[3]) };
      } else {
        throw new GtpError('syntax error');
      }
      e.setTimeControl(control);
      return '';
    },
  },
  {
    name: 'time_left',
    run: (e, args) => {
      arity(args, 3);
      const color = colorArg(args[0]);
      const [seconds, count] = [numberArg(args[1]), intArg(args[2])];
      if (seconds < 0 || count < 0) throw new GtpError('syntax error');
      e.setTimeLeft(color, seconds, count);
      return '';
    },
  },

  // SGF.
  {
    name: 'loadsgf',
    run: async (e, args) => {
      arity(args, 1, 2);
      const moveNumber = args[1] === undefined ? undefined : intArg(args[1]);
      if (moveNumber !== undefined && moveNumber < 1) throw new GtpError('syntax error');
      await e.loadSgf(args[0]!, moveNumber);
      return '';
    },
  },
  {
    name: 'printsgf',
    run: async (e, args) => {
      arity(args, 0, 1);
      if (args[0] === undefined) return e.sgfText();
      await e.saveSgf(args[0]);
      return '';
    },
  },

  // Views.
  { name: 'showboard', run: (e) => e.boardDiagram() },
  {
    name: 'list_stones',
    run: (e, args) => {
      arity(args, 1);
      return vertexList(e, e.stonesOf(colorArg(args[0])));
    },
  },
  {
    name: 'captures',
    run: (e, args) => {
      arity(args, 1);
      return String(e.capturesBy(colorArg(args[0])));
    },
  },

  // KGS.
  { name: 'kgs-game_over', run: () => '' },
  {
    name: 'kgs-rules',
    run: (e, args) => {
      arity(args, 1);
      applyRules(e, parseRules(args[0]!));
      return '';
    },
  },

  // Rules (KataGo's commands, tengen's rule set: ko, suicide, scoring).
  { name: 'kata-get-rules', run: (e) => rulesJson(e.rules) },
  {
    name: 'kata-set-rules',
    run: (e, args) => {
      if (args.length === 0) throw new GtpError('syntax error');
      applyRules(e, parseRules(args.join(' ')));
      return '';
    },
  },
  {
    name: 'kata-set-rule',
    run: (e, args) => {
      arity(args, 2);
      const value = args[1]!;
      applyRules(e, ruleField(args[0]!, args[0] === 'komi' ? numberArg(value) : value));
      return '';
    },
  },

  // Analysis (Leela Zero / KataGo / Sabaki / Lizzie).
  { name: 'lz-analyze', interruptible: true, run: (e, args, c) => runAnalyze(e, args, c, formatLzInfo) },
  { name: 'kata-analyze', interruptible: true, run: (e, args, c) => runAnalyze(e, args, c, formatKataInfo) },
  { name: 'lz-genmove_analyze', run: (e, args, c) => runGenmoveAnalyze(e, args, c, formatLzInfo) },
  { name: 'kata-genmove_analyze', run: (e, args, c) => runGenmoveAnalyze(e, args, c, formatKataInfo) },
  { name: 'stop', run: () => '' },

  // GoGui.
  { name: 'gogui-analyze_commands', run: () => GOGUI_ANALYZE_COMMANDS },
  {
    name: 'tengen-gfx_policy',
    run: async (e) => formatPolicyGfx((await quickAnalysis(e)).policy ?? new Float32Array(e.size * e.size + 1), e.size),
  },
  {
    name: 'tengen-gfx_ownership',
    run: async (e) => {
      const analysis = await quickAnalysis(e);
      return analysis.ownership === undefined ? 'TEXT no ownership estimate' : formatOwnershipGfx(analysis.ownership, analysis.color, e.size);
    },
  },
  {
    name: 'tengen-winrate',
    run: async (e) => {
      const a = await quickAnalysis(e);
      const black = a.color === BLACK ? a.winrate : 1 - a.winrate;
      return `Black ${(black * 100).toFixed(1)}%, White ${((1 - black) * 100).toFixed(1)}% (${a.visits} visits)`;
    },
  },

  // Kigo sends `level N`; strength here is set by --visits / --time.
  {
    name: 'level',
    run: () => {
      throw new GtpError('level is not supported: use --visits or --time');
    },
  },
];

const COMMAND_BY_NAME: ReadonlyMap<string, CommandSpec> = new Map(COMMANDS.map((c) => [c.name, c]));

export function findCommand(name: string): CommandSpec | undefined {
  return COMMAND_BY_NAME.get(name);
}
