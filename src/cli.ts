#!/usr/bin/env node
/**
 * `tengen <command> [options]`: a dispatcher. Each subsystem owns its command's options, help text and
 * behaviour in one entry module (`main(argv) → exit code`); this table is the single list of commands,
 * and modules load lazily so `tengen gtp` starts without loading the trainer.
 */
import { readFileSync } from 'node:fs';

type CommandMain = (argv: string[]) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandMain>;
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  gtp: {
    summary: 'speak GTP on stdin/stdout (for Sabaki, Lizzie, GoGui, Kigo, KGS/OGS bridges)',
    load: () => loadMain('../gtp/main.js', 'main'),
  },
  selfplay: {
    summary: 'play self-play games and write (state, π, z) training shards + SGFs',
    load: () => loadMain('../selfplay/main.js', 'selfplayMain'),
  },
  train: {
    summary: 'train a candidate network from a run\'s latest self-play games',
    load: () => loadMain('../selfplay/main.js', 'trainMain'),
  },
  bootstrap: {
    summary: 'start a run from recorded games (SGF, e.g. GNU Go): supervised records + generation 1 trained on them',
    load: () => loadMain('../selfplay/bootstrap-main.js', 'bootstrapMain'),
  },
  evaluate: {
    summary: 'score a network on recorded games: move prediction, value error, and rollout/λ mixes',
    load: () => loadMain('../selfplay/record-eval-main.js', 'evaluateMain'),
  },
  gate: {
    summary: 'play the candidate against the best network; promote it if it wins',
    load: () => loadMain('../selfplay/main.js', 'gateMain'),
  },
  run: {
    summary: 'the whole AlphaGo Zero loop: self-play → train → gate, generation after generation (resumable)',
    load: () => loadMain('../selfplay/main.js', 'runMain'),
  },
  status: {
    summary: 'summarise a training run (generations, promotions, losses, plots)',
    load: () => loadMain('../selfplay/main.js', 'statusMain'),
  },
  match: {
    summary: 'play GTP engines against each other; win rate with 95% CI and Elo',
    load: () => loadMain('./match/main.js', 'main'),
  },
  watch: {
    summary: 'serve the live game viewer (HTTP + websocket) and accept game publishers',
    load: () => loadMain('./watch/main.js', 'main'),
  },
  collect: {
    summary: 'record games between GTP engines as SGF (training data for the rollout policy)',
    load: () => loadMain('./lee/main.js', 'collectMain'),
  },
  'train-rollout': {
    summary: 'fit the AlphaGo-Lee linear rollout policy to SGF records',
    load: () => loadMain('./lee/main.js', 'trainRolloutMain'),
  },
  'train-sl': {
    summary: 'train the AlphaGo-Lee SL policy network on SGF records (Lee features)',
    load: () => loadMain('./lee/nets-main.js', 'trainSlMain'),
  },
  'train-rl': {
    summary: 'improve the SL policy by REINFORCE against a pool of its earlier snapshots (AlphaGo-Lee RL policy)',
    load: () => loadMain('./lee/nets-main.js', 'trainRlMain'),
  },
  'train-value': {
    summary: 'train the AlphaGo-Lee value network on one position per SL/RL game',
    load: () => loadMain('./lee/nets-main.js', 'trainValueMain'),
  },
};

/**
 * Loads a command's entry module. The specifier is a variable on purpose: the dispatcher then builds even
 * while a subsystem is absent, and a missing one is a clear runtime error rather than a broken install.
 */
async function loadMain(specifier: string, exportName: string): Promise<CommandMain> {
  const mod = (await import(specifier)) as Record<string, unknown>;
  const main = mod[exportName];
  if (typeof main !== 'function') throw new Error(`${specifier} does not export ${exportName}()`);
  return main as CommandMain;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    `tengen ${version()} — a Go engine that learns the way AlphaGo did`,
    '',
    'usage: tengen <command> [options]      (tengen <command> --help for its options)',
    '',
    'commands:',
    ...lines,
    '',
  ].join('\n');
}

export async function cli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    process.stderr.write(`tengen: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const main = await entry.load();
  return main(rest);
}

const code = await cli(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`tengen: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
});
// Let pending output flush; commands that keep servers open return only when they are done.
process.exitCode = code;
