/**
 * `tengen match --black "CMD" --white "CMD" --games N --size 9 --komi 7.5 [--out DIR] [--watch PORT]`
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { lineChartSvg, type Point } from '../../selfplay/plots.js';
import { winRate } from '../../selfplay/elo.js';
import { openWatch, type WatchSink } from '../watch/index.js';
import { DEFAULT_MATCH_CONFIG, runMatch, type MatchConfig, type MatchSummary } from './match.js';
import { expandEngineShortcut, type ShortcutSettings } from '../lee/engine-shortcut.js';

const HELP = `usage: tengen match --black "CMD" --white "CMD" [options]

Plays two GTP engines against each other with colours alternating (the --black engine, "A", is Black in
odd-numbered games), checks every move with tengen's rules engine, scores finished games, and prints A's
win rate with a 95% confidence interval (Wilson) and the Elo difference, each engine's seconds per move
(mean and longest, as the referee timed its genmove answers) and how many of the games were different
games. A command starting with "tengen" runs this installation, e.g. --black "tengen gtp --visits 200".

options:
  --black CMD          engine A (Black in game 1)                             (required)
  --white CMD          engine B                                               (required)
  --games N            number of games                                        (default ${DEFAULT_MATCH_CONFIG.games})
  --size N             board size                                             (default ${DEFAULT_MATCH_CONFIG.size})
  --komi X             komi                                                   (default ${DEFAULT_MATCH_CONFIG.komi})
  --rules NAME         chinese | japanese | tromp-taylor (referee's scoring)  (default ${DEFAULT_MATCH_CONFIG.rules})
  --handicap N         fixed handicap stones for Black                        (default 0)
  --no-alternate       A keeps Black in every game
  --move-timeout S     an engine answering a command later than this loses    (default ${DEFAULT_MATCH_CONFIG.moveTimeoutSeconds})
  --max-moves N        stop and score a game after N moves                    (default 3 × area)
  --opening-moves N    the referee opens each pair of games with the same N random moves,
                       so deterministic engines do not replay one game      (default 0)
  --seed N             seed of the random openings                            (default 1)
  --name-a NAME, --name-b NAME   names in SGFs and reports                    (default: the commands)
  --out DIR            write game-NNN.sgf, match.json and winrate.svg here
  --watch PORT|URL     stream the games to the live viewer
  --quiet              no progress bar

engine shortcuts (AlphaGo play modes at equal settings; src/lee/engine-shortcut.ts):
  tengen:zero [ARGS]     tengen gtp --mode zero --model <zero net> --size N --komi K [--time S] [--visits V] [ARGS]
  tengen:lee [ARGS]      tengen gtp --mode lee --model <Lee set> ...  (SL priors, value net + rollouts)
  tengen:rollout [ARGS]  tengen gtp --mode rollout ...               (no networks: uniform priors, rollouts)
  tengen                 tengen:MODE with the --mode below
  ARGS are more \`tengen gtp\` options (e.g. --lambda 0.3) and override the generated ones.
  --mode MODE          zero | lee | rollout: what a bare "tengen" engine plays   (default zero)
  --time S             seconds per move given to shortcut engines               (default: none, gtp's visits)
  --visits N           visits per move given to shortcut engines                (default: none)
  --threads N          network threads of each shortcut engine                  (default: gtp's)
  --lee-model DIR      Lee model set of tengen:lee                              (default models/<N>x<N>-lee)
  --zero-model DIR     network of tengen:zero            (default models/<N>x<N>, else models/<N>x<N>-bootstrap)
`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        black: { type: 'string' },
        white: { type: 'string' },
        games: { type: 'string' },
        size: { type: 'string' },
        komi: { type: 'string' },
        rules: { type: 'string' },
        handicap: { type: 'string' },
        'no-alternate': { type: 'boolean' },
        'move-timeout': { type: 'string' },
        'max-moves': { type: 'string' },
        'opening-moves': { type: 'string' },
        seed: { type: 'string' },
        'name-a': { type: 'string' },
        'name-b': { type: 'string' },
        out: { type: 'string' },
        watch: { type: 'string' },
        quiet: { type: 'boolean' },
        mode: { type: 'string' },
        time: { type: 'string' },
        visits: { type: 'string' },
        threads: { type: 'string' },
        'lee-model': { type: 'string' },
        'zero-model': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (e) {
    process.stderr.write(`tengen match: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const o = parsed.values;
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let config: MatchConfig;
  try {
    config = buildConfig(o);
  } catch (e) {
    process.stderr.write(`tengen match: ${(e as Error).message}\n`);
    return 2;
  }

  let watch: WatchSink | undefined;
  if (o.watch !== undefined) watch = await openWatch(o.watch);
  const bar = o.quiet || !process.stderr.isTTY
    ? null
    : new cliProgress.SingleBar({ format: 'match |{bar}| {value}/{total} games | A {rate}', hideCursor: true }, cliProgress.Presets.shades_classic);
  bar?.start(config.games, 0, { rate: '-' });
  const summary = await runMatch(config, {
    watch,
    log: (line) => (bar ? bar.updateETA() : undefined, process.stderr.write(`${line}\n`)),
    onGameEnd: (record, s) => {
      const rate = `${(100 * s.winRate.rate).toFixed(1)}%`;
      if (bar) bar.increment(1, { rate });
      else {
        const who = record.winner === null ? 'draw' : record.winner === 'A' ? config.nameA : config.nameB;
        process.stderr.write(
          `game ${record.index + 1}/${config.games}: ${record.blackPlayer === 'A' ? config.nameA : config.nameB} (B) — ${record.result} (${record.end}, ${record.moves} moves) winner ${who}; A ${rate}\n`,
        );
      }
    },
  }).finally(() => bar?.stop());
  await watch?.close();
  process.stdout.write(report(config, summary));
  if (config.outDir !== undefined) {
    writeFileSync(join(config.outDir, 'winrate.svg'), winRatePlot(config, summary));
  }
  return 0;
}

export function buildConfig(o: Record<string, string | boolean | undefined>): MatchConfig {
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const int = (k: string, dflt: number, min: number, max: number): number => {
    const text = str(k);
    if (text === undefined) return dflt;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`--${k} must be an integer from ${min} to ${max}, got '${text}'`);
    return n;
  };
  const blackText = str('black');
  const whiteText = str('white');
  if (!blackText || !whiteText) throw new Error('--black and --white engine commands are required');
  const komiText = str('komi');
  const komi = komiText === undefined ? DEFAULT_MATCH_CONFIG.komi : Number(komiText);
  if (!Number.isFinite(komi) || Math.abs(komi) > 1000) throw new RangeError(`--komi must be a number, got '${komiText}'`);
  // tengen:lee / tengen:zero / tengen:rollout expand to full `tengen gtp` command lines.
  const mode = str('mode') ?? 'zero';
  if (mode !== 'zero' && mode !== 'lee' && mode !== 'rollout') throw new RangeError(`--mode must be zero, lee or rollout, got '${mode}'`);
  const timeText = str('time');
  if (timeText !== undefined && !(Number(timeText) > 0)) throw new RangeError(`--time must be a positive number of seconds, got '${timeText}'`);
  const shortcuts: ShortcutSettings = {
    size: int('size', DEFAULT_MATCH_CONFIG.size, 2, 25),
    komi,
    mode,
    time: timeText === undefined ? undefined : Number(timeText),
    visits: str('visits') === undefined ? undefined : int('visits', 0, 1, 1e9),
    threads: str('threads') === undefined ? undefined : int('threads', 0, 1, 1024),
    leeModel: str('lee-model'),
    zeroModel: str('zero-model'),
  };
  const black = expandEngineShortcut(blackText, shortcuts) ?? blackText;
  const white = expandEngineShortcut(whiteText, shortcuts) ?? whiteText;
  const rules = (str('rules') ?? DEFAULT_MATCH_CONFIG.rules).toLowerCase();
  if (rules !== 'chinese' && rules !== 'japanese' && rules !== 'tromp-taylor') {
    throw new RangeError(`--rules must be chinese, japanese or tromp-taylor, got '${rules}'`);
  }
  const timeoutText = str('move-timeout');
  const moveTimeoutSeconds = timeoutText === undefined ? DEFAULT_MATCH_CONFIG.moveTimeoutSeconds : Number(timeoutText);
  if (!(moveTimeoutSeconds > 0)) throw new RangeError(`--move-timeout must be a positive number of seconds, got '${timeoutText}'`);
  return {
    playerA: black,
    playerB: white,
    games: int('games', DEFAULT_MATCH_CONFIG.games, 1, 100_000),
    size: int('size', DEFAULT_MATCH_CONFIG.size, 2, 25),
    komi,
    rules,
    handicap: int('handicap', 0, 0, 9),
    alternate: !o['no-alternate'],
    moveTimeoutSeconds,
    maxMoves: int('max-moves', 0, 0, 10_000),
    openingMoves: int('opening-moves', 0, 0, 100),
    seed: int('seed', 1, 0, 2 ** 31 - 1),
    outDir: str('out'),
    nameA: str('name-a') ?? blackText,
    nameB: str('name-b') ?? whiteText,
  };
}

export function report(config: MatchConfig, s: MatchSummary): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const line = (t: { wins: number; losses: number; draws: number }): string => `${t.wins} won, ${t.losses} lost, ${t.draws} drawn`;
  const elo = (x: number): string => `${x >= 0 ? '+' : ''}${Math.round(x)}`;
  const voidish = s.games.filter((g) => g.end === 'crash' || g.end === 'timeout' || g.end === 'forfeit');
  return [
    '',
    `A: ${config.nameA}`,
    `B: ${config.nameB}`,
    `${config.size}x${config.size}, komi ${config.komi}, ${config.rules} rules${config.handicap ? `, handicap ${config.handicap}` : ''}`,
    `games: ${s.games.length} (${line(s.tally)} for A; as Black ${line(s.asBlack)}; as White ${line(s.asWhite)})`,
    ...(['A', 'B'] as const)
      .map((player) => [player, s.thinking[player]] as const)
      .filter(([, t]) => t.moves > 0)
      .map(([player, t]) => `${player} seconds per move: mean ${(t.totalMs / t.moves / 1000).toFixed(2)}, longest ${(t.maxMs / 1000).toFixed(2)} (${t.moves} moves, wall clock as the referee saw it)`),
    `distinct games: ${s.distinctGames} of ${s.games.length}${s.distinctGames < s.games.length ? ' (repeated games are not independent: the interval below is too narrow; use --opening-moves)' : ''}`,
    `A win rate: ${pct(s.winRate.rate)}  95% CI [${pct(s.winRate.low)}, ${pct(s.winRate.high)}]`,
    `Elo A − B: ${elo(s.elo.elo)}  95% CI [${elo(s.elo.low)}, ${elo(s.elo.high)}]`,
    ...(voidish.length > 0 ? [`forfeits: ${voidish.map((g) => `game ${g.index + 1} ${g.result} (${g.end}${g.note ? `: ${g.note}` : ''})`).join('; ')}`] : []),
    '',
  ].join('\n');
}

function winRatePlot(config: MatchConfig, s: MatchSummary): string {
  const points: Point[] = [];
  const tally = { wins: 0, losses: 0, draws: 0 };
  for (const g of s.games) {
    if (g.winner === 'A') tally.wins++;
    else if (g.winner === 'B') tally.losses++;
    else tally.draws++;
    const w = winRate(tally);
    points.push({ x: g.index + 1, y: 100 * w.rate, low: 100 * w.low, high: 100 * w.high });
  }
  return lineChartSvg({
    title: `${config.nameA} vs ${config.nameB}: A's win rate (95% CI)`,
    xLabel: 'games',
    yLabel: 'win rate of A (%)',
    series: [{ name: 'A win rate', color: '#1f77b4', points }],
    guides: [{ y: 50, label: '50%' }],
    yMin: 0,
    yMax: 100,
  });
}
