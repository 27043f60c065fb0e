/**
 * Entry points of the AlphaGo-Lee tools: `tengen collect` (record GTP engine games as SGF) and
 * `tengen train-rollout` (fit the linear rollout policy to SGF records).
 */
import { parseArgs } from 'node:util';
import { collectGames } from './collect.js';

const COLLECT_HELP = `usage: tengen collect --engine "CMD" [options]

Plays GTP engines against each other and saves each game as an SGF file.

options:
  --engine CMD     first engine's command line (required); {seed} is replaced by a per-game seed,
                   e.g. "/usr/games/gnugo --mode gtp --chinese-rules --level 1 --seed {seed}"
  --engine2 CMD    second engine (default: the first one, i.e. self-play)
  --games N        number of games (default 10)
  --size S         board size (default 9)
  --komi K         komi (default 7)
  --out DIR        output folder for game-NNNNN.sgf (default records)
  --seed N         base seed for {seed} (default 1)
  --max-moves N    stop and score a game after N moves (default 3 x size x size)
  -h, --help       this help
`;

function intOption(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`--${name} must be an integer >= ${min}, got '${text}'`);
  return n;
}

export async function collectMain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      engine: { type: 'string' },
      engine2: { type: 'string' },
      games: { type: 'string' },
      size: { type: 'string' },
      komi: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      'max-moves': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(COLLECT_HELP);
    return 0;
  }
  if (values.engine === undefined) {
    process.stderr.write(`tengen collect: --engine is required\n\n${COLLECT_HELP}`);
    return 2;
  }
  const komi = values.komi === undefined ? 7 : Number(values.komi);
  if (!Number.isFinite(komi)) throw new RangeError(`--komi must be a number, got '${values.komi}'`);
  const games = intOption('games', values.games, 10, 1);
  const started = Date.now();
  let blackWins = 0;
  const collected = await collectGames({
    engine: values.engine,
    engine2: values.engine2,
    games,
    size: intOption('size', values.size, 9, 2),
    komi,
    out: values.out ?? 'records',
    seed: intOption('seed', values.seed, 1, 0),
    maxMoves: values['max-moves'] === undefined ? undefined : intOption('max-moves', values['max-moves'], 0, 1),
    onGame: (i, result, moves) => {
      if (result.startsWith('B')) blackWins++;
      process.stderr.write(`game ${i + 1}/${games}: ${result} in ${moves} moves\n`);
    },
  });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(
    `${collected.length} games written to ${values.out ?? 'records'} in ${seconds.toFixed(1)} s (black won ${blackWins})\n`,
  );
  return 0;
}

export async function trainRolloutMain(argv: string[]): Promise<number> {
  void argv;
  process.stderr.write('tengen train-rollout: not built yet\n');
  return 1;
}
