/** `tengen evaluate`: a network's move prediction and value error on recorded games (record-eval.ts). */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Board } from '../engine/board.js';
import { createEvaluator } from '../src/nn/create-evaluator.js';
import { BACKEND_NAMES, type BackendChoice } from '../src/nn/evaluator.js';
import { sgfFilesFromSources } from '../src/lee/rollout-dataset.js';
import { createProgress } from './progress.js';
import { evaluateOnRecords, type RecordEvaluation } from './record-eval.js';

const DEFAULT_LAMBDAS = [0.25, 0.5, 0.75];

const USAGE = `usage: tengen evaluate --model DIR --sgf PATH [--sgf PATH ...] [options]

How well a network predicts recorded games it was not trained on: top-1 move accuracy, policy
cross-entropy on the played move, and value MSE against each game's result (z = ±1 for the player to
move; predicting 0 everywhere scores 1.0). With --rollouts K it also scores the mean of K rollouts of the
AlphaGo-Lee rollout policy per position, and the leaf values (1 − λ)·v + λ·rollout that \`tengen gtp
--lambda λ\` searches with, so λ can be chosen from data. Rollouts cost about 13 ms a position at K = 32 (9x9).

  --model DIR        a saved network (required)
  --sgf PATH         an SGF file or a folder searched recursively (required, repeatable); records of another
                     board size are skipped and counted
  --rollouts K       also score K rollouts per position (default: none)
  --lambda LIST      λ values for the mixed error, comma-separated (default ${DEFAULT_LAMBDAS.join(',')}; needs --rollouts)
  --rollout-policy F rollout policy weights for --rollouts, to compare rollout policies by how well their
                     rollouts predict results (default: the one the network's play.json names, else
                     models/rollout-policy.json)
  --seed N           rollout seed (default 1)
  --backend NAME     auto|${BACKEND_NAMES.join('|')} (default auto)
  --threads N        CPU threads for the network (default: backend's choice)
  --json             print the result as JSON
  --no-progress      no progress bar
  -h, --help         this help
`;

class UsageError extends Error {}

function intOption(text: string | undefined, name: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}

function lambdaList(text: string): number[] {
  const values = text.split(',').map((t) => t.trim());
  return values.map((t) => {
    const x = Number(t);
    if (t === '' || !(x >= 0 && x <= 1)) throw new UsageError(`--lambda takes numbers in [0, 1] separated by commas, got '${text}'`);
    return x;
  });
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

export function formatRecordEvaluation(model: string, r: RecordEvaluation, rollouts: number | undefined, rolloutPolicy?: string): string {
  const lines = [
    `${model}: ${r.games} games, ${r.positions} positions${r.rejected.length > 0 ? ` (${r.rejected.length} records skipped)` : ''}`,
    `  policy: top-1 ${pct(r.top1)}, cross-entropy ${r.policyCrossEntropy.toFixed(3)}`,
    `  value:  MSE ${r.valueMse.toFixed(3)} against the game result (0 everywhere: 1.000)`,
  ];
  if (r.rolloutMse !== undefined) {
    lines.push(`  rollouts (${rollouts} a position${rolloutPolicy !== undefined ? `, ${rolloutPolicy}` : ''}): MSE ${r.rolloutMse.toFixed(3)}`);
    for (const m of r.mixedMse ?? []) lines.push(`  (1 − λ)·v + λ·rollout, λ ${m.lambda}: MSE ${m.mse.toFixed(3)}`);
  }
  for (const x of r.rejected.slice(0, 5)) lines.push(`  skipped ${x.file}: ${x.reason}`);
  if (r.rejected.length > 5) lines.push(`  … and ${r.rejected.length - 5} more`);
  return `${lines.join('\n')}\n`;
}

export async function evaluateMain(argv: string[]): Promise<number> {
  try {
    const { values: v } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        sgf: { type: 'string', multiple: true },
        rollouts: { type: 'string' },
        lambda: { type: 'string' },
        seed: { type: 'string' },
        'rollout-policy': { type: 'string' },
        backend: { type: 'string' },
        threads: { type: 'string' },
        json: { type: 'boolean' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (v.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (v.model === undefined) throw new UsageError('--model is required');
    const sources = v.sgf ?? [];
    const found = sgfFilesFromSources(sources);
    if ('error' in found) throw new UsageError(found.error);
    const { files } = found;
    const rollouts = intOption(v.rollouts, 'rollouts', 1);
    if (v.lambda !== undefined && rollouts === undefined) throw new UsageError('--lambda needs --rollouts');
    if (v['rollout-policy'] !== undefined && rollouts === undefined) throw new UsageError('--rollout-policy needs --rollouts');
    if (v['rollout-policy'] !== undefined && !existsSync(v['rollout-policy'])) throw new UsageError(`rollout policy ${v['rollout-policy']} does not exist`);
    const lambdas = v.lambda === undefined ? DEFAULT_LAMBDAS : lambdaList(v.lambda);
    const seed = intOption(v.seed, 'seed', 0) ?? 1;
    const backend = (v.backend ?? 'auto') as BackendChoice;
    if (backend !== 'auto' && !BACKEND_NAMES.includes(backend)) throw new UsageError(`--backend must be auto or one of ${BACKEND_NAMES.join(', ')}, got '${v.backend}'`);
    const threads = intOption(v.threads, 'threads', 1);

    const evaluator = await createEvaluator({ modelDir: v.model, backend, ...(threads !== undefined ? { threads } : {}) });
    try {
      let rolloutValue: ((board: Board, komi: number) => number) | undefined;
      let rolloutPolicyPath: string | undefined;
      if (rollouts !== undefined) {
        const { RolloutLeafEvaluator } = await import('../src/lee/leaf.js');
        const { packageRolloutPolicyPath } = await import('../src/lee/model-set.js');
        const { RolloutPolicy } = await import('../src/lee/rollout-policy.js');
        // The rollouts `tengen gtp --model DIR` plays with: --rollout-policy, else the network's play.json, else the package's.
        const { readNetworkPlaySettings } = await import('../gtp/generator-factory.js');
        rolloutPolicyPath = v['rollout-policy'] ?? readNetworkPlaySettings(v.model).rolloutPolicy ?? packageRolloutPolicyPath();
        let policy: InstanceType<typeof RolloutPolicy>;
        try {
          policy = RolloutPolicy.load(rolloutPolicyPath);
        } catch (e) {
          throw new UsageError(`rollout policy ${rolloutPolicyPath}: ${(e as Error).message}`);
        }
        // Rollouts are scored under each record's komi: one evaluator per komi seen.
        const byKomi = new Map<number, InstanceType<typeof RolloutLeafEvaluator>>();
        rolloutValue = (board, komi) => {
          let leaf = byKomi.get(komi);
          if (leaf === undefined) {
            leaf = new RolloutLeafEvaluator({ policy, size: board.size, komi, lambda: 1, rolloutsPerLeaf: rollouts, seed });
            byKomi.set(komi, leaf);
          }
          return leaf.evaluate(board);
        };
      }
      const bar = createProgress('records', files.length, { enabled: v['no-progress'] !== true && v.json !== true });
      const result = await evaluateOnRecords({ evaluator, files, rolloutValue, lambdas, onGame: (done) => bar.update(done) });
      bar.stop();
      if (result.positions === 0) {
        process.stderr.write(`tengen evaluate: no usable records (${result.rejected.length} skipped${result.rejected[0] ? `, e.g. ${result.rejected[0].file}: ${result.rejected[0].reason}` : ''})\n`);
        return 1;
      }
      process.stdout.write(
        v.json === true
          ? `${JSON.stringify({ model: v.model, rollouts: rollouts ?? 0, ...(rolloutPolicyPath !== undefined ? { rolloutPolicy: rolloutPolicyPath } : {}), ...result })}\n`
          : formatRecordEvaluation(v.model, result, rollouts, rolloutPolicyPath),
      );
      return 0;
    } finally {
      await evaluator.dispose();
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`tengen evaluate: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}
