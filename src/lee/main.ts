/**
 * Entry points of the AlphaGo-Lee tools: `tengen collect` (record GTP engine games as SGF),
 * and `tengen train-rollout` (fit the linear rollout policy to SGF records). SGF records become training
 * shards (for the SL policy net too, feature set 'lee') through selfplay/bootstrap.ts convertSgfsToShards.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../../engine/rng.js';
import { collectGames } from './collect.js';
import { RolloutDataset, listSgfFiles, loadGames } from './rollout-dataset.js';
import { RolloutPolicy, defaultRolloutPolicy } from './rollout-policy.js';
import { packageRolloutPolicyPath } from './model-set.js';
import { DEFAULT_BALANCE, SimulationBalancer, balancePositions, type BalanceEpochReport, type BalanceRecord } from './simulation-balancing.js';
import { sgfToGame } from '../../engine/sgf.js';
import { gameWinner } from '../../selfplay/bootstrap.js';
import { createProgress } from '../../selfplay/progress.js';
import {
  DEFAULT_ROLLOUT_TRAINING,
  buildPatternDictionary,
  evaluateRolloutPolicy,
  trainRolloutPolicy,
  type RolloutTrainingConfig,
} from './train-rollout.js';

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

const DEFAULT_BALANCE_EPOCHS = 4;
const DEFAULT_POSITIONS_PER_GAME = 8;
/** Positions from the first moves are left out: the game's result says little about them. */
const BALANCE_MIN_MOVE = 8;

const TRAIN_ROLLOUT_HELP = `usage: tengen train-rollout --sgf DIR [options]

Fits the AlphaGo-Lee linear rollout policy (3x3 and response patterns, tactical flags) to the moves played
in SGF records, holding out a share of the games to measure move-prediction accuracy.

options:
  --sgf DIR        folder of .sgf records, searched recursively (required)
  --out FILE       where to write the weights (default models/rollout-policy.json)
  --epochs N       passes over the training positions (default ${DEFAULT_ROLLOUT_TRAINING.epochs})
  --lr X           AdaGrad step size (default ${DEFAULT_ROLLOUT_TRAINING.learningRate})
  --l2 X           L2 penalty (default ${DEFAULT_ROLLOUT_TRAINING.l2})
  --min-count N    patterns seen fewer times get no weight (default ${DEFAULT_ROLLOUT_TRAINING.minPatternCount})
  --holdout X      share of games held out for evaluation, 0..0.9 (default 0.1)
  --seed N         shuffling seed (default ${DEFAULT_ROLLOUT_TRAINING.seed})
  --evaluate FILE  train nothing: report FILE's move-prediction accuracy on all the records
  -h, --help       this help

simulation balancing (--balance): instead of predicting moves, move the weights of an existing policy so
that the mean outcome of its rollouts meets each recorded game's result (Silver & Tesauro 2009):
  --balance        balance the policy --from FILE on positions drawn from the records
  --from FILE      the policy to start from (default models/rollout-policy.json)
  --epochs N       passes over the positions (default ${DEFAULT_BALANCE_EPOCHS})
  --lr X           step size α (default ${DEFAULT_BALANCE.learningRate})
  --positions-per-game N   positions drawn from each game, after its first ${BALANCE_MIN_MOVE} moves (default ${DEFAULT_POSITIONS_PER_GAME})
  --rollouts N     rollouts per position, for the value and again for its gradient (default ${DEFAULT_BALANCE.valueRollouts})
  --patterns-only  leave the response-pattern weights as they are (fewer weights to fit)
  --seed N         seed of the position draw and the rollouts (default ${DEFAULT_BALANCE.seed})
  The policy is written after every epoch. Gate the result by a match: rollouts that meet the results better
  on average can tell moves apart worse, and a 9x9 policy balanced for 16 epochs won 1 of 13 against GNU Go.
`;


function numberOption(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const x = Number(text);
  if (!Number.isFinite(x) || x < min || x > max) throw new RangeError(`--${name} must be a number in [${min}, ${max}], got '${text}'`);
  return x;
}

export async function trainRolloutMain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sgf: { type: 'string' },
      out: { type: 'string' },
      epochs: { type: 'string' },
      lr: { type: 'string' },
      l2: { type: 'string' },
      'min-count': { type: 'string' },
      holdout: { type: 'string' },
      seed: { type: 'string' },
      evaluate: { type: 'string' },
      balance: { type: 'boolean' },
      from: { type: 'string' },
      'positions-per-game': { type: 'string' },
      rollouts: { type: 'string' },
      'patterns-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(TRAIN_ROLLOUT_HELP);
    return 0;
  }
  if (values.sgf === undefined) {
    process.stderr.write(`tengen train-rollout: --sgf is required\n\n${TRAIN_ROLLOUT_HELP}`);
    return 2;
  }
  const out = values.out ?? 'models/rollout-policy.json';
  const balanceOnly = (['from', 'positions-per-game', 'rollouts', 'patterns-only'] as const).filter((k) => values[k] !== undefined);
  if (values.balance !== true && balanceOnly.length > 0) {
    process.stderr.write(`tengen train-rollout: --${balanceOnly[0]} needs --balance\n\n${TRAIN_ROLLOUT_HELP}`);
    return 2;
  }
  if (values.balance === true) {
    for (const k of ['l2', 'min-count', 'holdout', 'evaluate'] as const) {
      if (values[k] !== undefined) {
        process.stderr.write(`tengen train-rollout: --${k} is for move prediction, not --balance\n\n${TRAIN_ROLLOUT_HELP}`);
        return 2;
      }
    }
    return balanceMain(values.sgf, out, {
      from: values.from ?? packageRolloutPolicyPath(),
      epochs: intOption('epochs', values.epochs, DEFAULT_BALANCE_EPOCHS, 1),
      learningRate: numberOption('lr', values.lr, DEFAULT_BALANCE.learningRate, 0, 100),
      perGame: intOption('positions-per-game', values['positions-per-game'], DEFAULT_POSITIONS_PER_GAME, 1),
      rollouts: intOption('rollouts', values.rollouts, DEFAULT_BALANCE.valueRollouts, 1),
      patternsOnly: values['patterns-only'] === true,
      seed: intOption('seed', values.seed, DEFAULT_BALANCE.seed, 0),
    });
  }
  const config: RolloutTrainingConfig = {
    epochs: intOption('epochs', values.epochs, DEFAULT_ROLLOUT_TRAINING.epochs, 1),
    learningRate: numberOption('lr', values.lr, DEFAULT_ROLLOUT_TRAINING.learningRate, 1e-9, 100),
    l2: numberOption('l2', values.l2, DEFAULT_ROLLOUT_TRAINING.l2, 0, 1),
    minPatternCount: intOption('min-count', values['min-count'], DEFAULT_ROLLOUT_TRAINING.minPatternCount, 1),
    seed: intOption('seed', values.seed, DEFAULT_ROLLOUT_TRAINING.seed, 0),
  };
  const holdout = numberOption('holdout', values.holdout, 0.1, 0, 0.9);

  const files = listSgfFiles(values.sgf);
  if (files.length === 0) throw new Error(`no .sgf files under ${values.sgf}`);
  const { games, rejected } = loadGames(files);
  for (const r of rejected.slice(0, 5)) process.stderr.write(`skipped ${r.file}: ${r.reason}\n`);
  if (rejected.length > 5) process.stderr.write(`... ${rejected.length - 5} more records skipped\n`);
  if (games.length === 0) throw new Error('no usable game records');
  if (values.evaluate !== undefined) {
    const all = new RolloutDataset();
    for (const g of games) all.addGame(g);
    const e = evaluateRolloutPolicy(RolloutPolicy.load(values.evaluate), all);
    process.stdout.write(
      `${values.evaluate} on ${games.length} games / ${e.positions} positions: accuracy ${pct(e.accuracy)}, ` +
        `loss ${e.loss.toFixed(4)} (chance ${pct(e.chanceAccuracy)}, ${e.meanCandidates.toFixed(1)} candidates per position)\n`,
    );
    return 0;
  }
  // Games, not positions, are split, so held-out positions come from games never trained on.
  const rng = new Rng(config.seed);
  for (let i = games.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [games[i], games[j]] = [games[j]!, games[i]!];
  }
  const heldOutGames = holdout > 0 ? Math.max(1, Math.round(games.length * holdout)) : 0;
  const train = new RolloutDataset();
  const test = new RolloutDataset();
  games.forEach((g, i) => (i < games.length - heldOutGames ? train : test).addGame(g));
  if (train.positionCount === 0) throw new Error('the training games have no moves');
  process.stdout.write(
    `records: ${games.length} games (${rejected.length} rejected); training ${train.games} games / ${train.positionCount} positions, ` +
      `held out ${test.games} games / ${test.positionCount} positions\n`,
  );

  const policy = new RolloutPolicy();
  buildPatternDictionary(policy, train, config.minPatternCount);
  process.stdout.write(`patterns: ${policy.pattern3Count} 3x3, ${policy.responseCount} response (seen >= ${config.minPatternCount} times)\n`);
  const heldOut = test.positionCount > 0 ? test : null;
  if (heldOut !== null) {
    const uniform = evaluateRolloutPolicy(new RolloutPolicy(), heldOut);
    const handSet = evaluateRolloutPolicy(defaultRolloutPolicy(), heldOut);
    process.stdout.write(
      `baselines on held-out: chance ${pct(uniform.chanceAccuracy)} (${uniform.meanCandidates.toFixed(1)} candidates per position), ` +
        `hand-set tactical weights ${pct(handSet.accuracy)}\n`,
    );
  }
  const started = Date.now();
  const reports = trainRolloutPolicy(policy, train, heldOut, config, (r) => {
    const h = r.heldOut === null ? '' : `  held-out loss ${r.heldOut.loss.toFixed(4)} accuracy ${pct(r.heldOut.accuracy)}`;
    process.stdout.write(`epoch ${r.epoch}: train loss ${r.train.loss.toFixed(4)} accuracy ${pct(r.train.accuracy)}${h}\n`);
  });
  const last = reports[reports.length - 1]!;
  policy.training = {
    records: values.sgf,
    games: games.length,
    trainPositions: train.positionCount,
    heldOutGames: test.games,
    heldOutPositions: test.positionCount,
    trainAccuracy: last.train.accuracy,
    heldOutAccuracy: last.heldOut?.accuracy ?? null,
    heldOutLoss: last.heldOut?.loss ?? null,
    config,
    seconds: (Date.now() - started) / 1000,
    date: new Date().toISOString(),
  };
  mkdirSync(dirname(out), { recursive: true });
  policy.save(out);
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}

interface BalanceOptions {
  from: string;
  epochs: number;
  learningRate: number;
  perGame: number;
  rollouts: number;
  patternsOnly: boolean;
  seed: number;
}

/** `tengen train-rollout --balance`: simulation balancing of an existing policy (simulation-balancing.ts). */
function balanceMain(sgfDir: string, out: string, o: BalanceOptions): number {
  const files = listSgfFiles(sgfDir);
  if (files.length === 0) throw new Error(`no .sgf files under ${sgfDir}`);
  const policy = RolloutPolicy.load(o.from);
  const records: BalanceRecord[] = [];
  const sizes = new Map<number, number>();
  let rejected = 0;
  for (const file of files) {
    try {
      const loaded = sgfToGame(readFileSync(file, 'utf8'));
      records.push({ game: loaded.game, winner: gameWinner(loaded) });
      sizes.set(loaded.game.size, (sizes.get(loaded.game.size) ?? 0) + 1);
    } catch (e) {
      if (++rejected <= 5) process.stderr.write(`skipped ${file}: ${(e as Error).message}\n`);
    }
  }
  if (records.length === 0) throw new Error('no usable game records');
  // One board size: the most common one (a rollout policy is size-free, a run of rollouts is not).
  const size = [...sizes].sort((a, b) => b[1] - a[1])[0]![0];
  const sameSize = records.filter((r) => r.game.size === size);
  const positions = balancePositions(sameSize, o.perGame, BALANCE_MIN_MOVE, o.seed);
  if (positions.length === 0) throw new Error(`no positions: every ${size}x${size} game is ${BALANCE_MIN_MOVE} moves or shorter`);
  process.stdout.write(
    `balancing ${o.from} on ${positions.length} positions from ${sameSize.length} ${size}x${size} games` +
      `${records.length > sameSize.length ? ` (${records.length - sameSize.length} of other sizes skipped)` : ''}${rejected > 0 ? `, ${rejected} records rejected` : ''}; ` +
      `${o.rollouts} + ${o.rollouts} rollouts a position, α ${o.learningRate}\n`,
  );
  const balancer = new SimulationBalancer(policy, size, {
    valueRollouts: o.rollouts,
    gradientRollouts: o.rollouts,
    learningRate: o.learningRate,
    weights: o.patternsOnly ? 'scalars-patterns' : 'all',
    seed: o.seed,
  });
  const started = Date.now();
  const bar = createProgress('positions', positions.length);
  const reports: BalanceEpochReport[] = [];
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const r = balancer.epoch(positions, epoch, (done) => bar.update(done));
    reports.push(r);
    bar.update(0);
    process.stdout.write(
      `epoch ${epoch}: rollout value MSE ${r.mse.toFixed(4)} against the results, bias ${r.bias >= 0 ? '+' : ''}${r.bias.toFixed(4)} ` +
        `(results minus rollouts, for Black), largest step ${r.largestStep.toFixed(4)}, ${r.seconds.toFixed(0)} s\n`,
    );
    policy.training = {
      ...policy.training,
      balancing: { from: o.from, records: sgfDir, games: sameSize.length, positions: positions.length, options: o, epochs: reports, seconds: (Date.now() - started) / 1000, date: new Date().toISOString() },
    };
    policy.save(out);
  }
  bar.stop();
  process.stdout.write(
    `wrote ${out}. Check it with \`tengen evaluate --rollouts 32 --rollout-policy ${out}\` on held-out games, then gate it with ` +
      `\`tengen match\` (\`tengen gtp --rollout-policy ${out}\`): a lower error alone has made the search weaker (models/9x9/TRAINING.md)\n`,
  );
  return 0;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
