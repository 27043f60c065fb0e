/**
 * The AlphaGo-Lee model set's manifest and training logs. A model set is a directory
 *   sl/ rl/ value/        standard network directories (src/nn/model-io.ts), feature set 'lee'
 *   rollout-policy.json   optional (default models/rollout-policy.json)
 *   lee.json              { boardSize, komi, created, sl: {...}, rl: {...}, value: {...} }: provenance and figures
 *   logs/                 each training command's log (JSON lines) and loss plot (SVG)
 * Each training command fills its own section of lee.json; src/lee/model-set.ts loads the set.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../nn/model-io.js';
import { lineChartSvg, type Series } from '../../selfplay/plots.js';

export const LEE_MANIFEST_FILE = 'lee.json';
export type LeeNetName = 'sl' | 'rl' | 'value';

export interface LeeManifest {
  boardSize: number;
  komi: number;
  created: string;
  sl?: Record<string, unknown>;
  rl?: Record<string, unknown>;
  value?: Record<string, unknown>;
}

/** Writes one network's section of DIR/lee.json, creating the manifest or checking its size and komi. */
export async function updateLeeManifest(dir: string, boardSize: number, komi: number, name: LeeNetName, section: Record<string, unknown>): Promise<LeeManifest> {
  const path = join(dir, LEE_MANIFEST_FILE);
  let manifest: LeeManifest = { boardSize, komi, created: new Date().toISOString() };
  if (existsSync(path)) {
    const old = JSON.parse(readFileSync(path, 'utf8')) as LeeManifest;
    if (old.boardSize !== boardSize || old.komi !== komi) {
      throw new Error(`${path} is for ${old.boardSize}x${old.boardSize} komi ${old.komi}, this network is ${boardSize}x${boardSize} komi ${komi}`);
    }
    manifest = old;
  }
  manifest[name] = section;
  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Writes DIR/logs/NAME.jsonl (one JSON object a line) and DIR/logs/NAME-loss.svg. */
export async function writeTrainingLog(dir: string, name: string, entries: readonly object[], chart: { title: string; xLabel: string; yLabel: string; series: Series[] }): Promise<string> {
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  await writeFileAtomic(join(logs, `${name}.jsonl`), entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const svg = join(logs, `${name}-loss.svg`);
  await writeFileAtomic(svg, lineChartSvg(chart));
  return svg;
}
