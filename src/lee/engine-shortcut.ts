/**
 * Engine shortcuts for `tengen match`: `tengen:zero`, `tengen:lee` and `tengen:rollout` stand for the
 * `tengen gtp` command line of that play mode with the match's board, komi and time per move, so the three
 * AlphaGo players meet at equal time without spelling out their options:
 *
 *   tengen:lee [ARGS]      tengen gtp --mode lee --model <lee set> --size N --komi K [--time S] [--visits V] [ARGS]
 *   tengen:zero [ARGS]     tengen gtp --mode zero [--model <zero net>] ...
 *   tengen:rollout [ARGS]  tengen gtp --mode rollout ...
 *
 * ARGS (any `tengen gtp` option, e.g. `--lambda 0.3`) come last and so override the generated ones.
 * A bare `tengen` is the match's --mode (default zero).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { splitCommandLine } from '../match/engine-command.js';

export type ShortcutMode = 'zero' | 'lee' | 'rollout';
const MODES: readonly ShortcutMode[] = ['zero', 'lee', 'rollout'];

export interface ShortcutSettings {
  size: number;
  komi: number;
  /** Seconds per move (gtp --time). */
  time?: number;
  /** Visits per move (gtp --visits). */
  visits?: number;
  /** CPU threads of each engine's network backend. */
  threads?: number;
  /** Lee model set (default models/<N>x<N>-lee). */
  leeModel?: string;
  /** Zero network (default models/<N>x<N>, else models/<N>x<N>-bootstrap, else gtp's own default). */
  zeroModel?: string;
  /** Mode of a bare `tengen` engine. */
  mode?: ShortcutMode;
  /** Where models/ is (default: the working directory's models/). */
  modelsDir?: string;
}

/** The Zero network a `tengen:zero` engine uses when none is named. */
export function defaultZeroModel(size: number, modelsDir = 'models'): string | undefined {
  for (const name of [`${size}x${size}`, `${size}x${size}-bootstrap`]) {
    const dir = join(modelsDir, name);
    if (existsSync(join(dir, 'metadata.json'))) return dir;
  }
  return undefined;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `tengen gtp` command line a shortcut stands for, or null when `text` is not a shortcut (an ordinary
 * engine command, used as given). Throws on an unknown mode.
 */
export function expandEngineShortcut(text: string, s: ShortcutSettings): string | null {
  const words = splitCommandLine(text);
  const head = words[0];
  if (head === undefined) return null;
  let mode: string;
  if (head === 'tengen' && words.length === 1) mode = s.mode ?? 'zero';
  else if (head.startsWith('tengen:')) mode = head.slice('tengen:'.length);
  else return null;
  if (!MODES.includes(mode as ShortcutMode)) throw new RangeError(`unknown engine shortcut '${head}': use tengen:zero, tengen:lee or tengen:rollout`);
  const modelsDir = s.modelsDir ?? 'models';
  const args = ['tengen', 'gtp', '--mode', mode];
  if (mode === 'lee') args.push('--model', s.leeModel ?? join(modelsDir, `${s.size}x${s.size}-lee`));
  if (mode === 'zero') {
    const model = s.zeroModel ?? defaultZeroModel(s.size, modelsDir);
    if (model !== undefined) args.push('--model', model);
  }
  args.push('--size', String(s.size), '--komi', String(s.komi));
  if (s.time !== undefined) args.push('--time', String(s.time));
  if (s.visits !== undefined) args.push('--visits', String(s.visits));
  if (s.threads !== undefined && mode !== 'rollout') args.push('--threads', String(s.threads));
  args.push(...words.slice(1));
  return args.map(quote).join(' ');
}
