/**
 * `tengen gtp --model DIR`: the network path end to end (saved net → createEvaluator → MCTS → GTP),
 * with a tiny random network so it runs in seconds. Strength is not the point; the plumbing is.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Game } from '../engine/index.js';
import { GtpClient } from '../gtp/client.js';
import { expectLegalGenmoves } from './helpers.js';
import { defaultNetConfig } from '../src/nn/config.js';
import { saveNet } from '../src/nn/model-io.js';
import { createNet } from '../src/nn/model.js';
import { packageRolloutPolicyPath } from '../src/lee/model-set.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

describe('tengen gtp with a network', () => {
  let modelDir: string;
  let engine: GtpClient;
  const stderr: string[] = [];

  beforeAll(async () => {
    modelDir = join(mkdtempSync(join(tmpdir(), 'tengen-net-')), 'net');
    const net = createNet(defaultNetConfig(9, { blocks: 1, filters: 8, valueHidden: 16 }), { seed: 5 });
    await saveNet(net, modelDir);
    net.model.dispose();
    engine = GtpClient.spawn(process.execPath, [CLI, 'gtp', '--model', modelDir, '--backend', 'onnx', '--threads', '1', '--visits', '48'], {
      name: 'tengen',
      commandTimeoutMs: 60_000,
      stderr: (line) => stderr.push(line),
    });
  }, 60_000);
  afterAll(async () => {
    await engine.quit();
  });

  it('loads the network and says so on stderr; starts on the network\'s board size', async () => {
    expect(await engine.send('name')).toBe('tengen');
    expect((await engine.send('showboard')).split('\n')[0]!.trim()).toBe('A B C D E F G H J');
    expect(stderr.join('\n')).not.toContain('Monte-Carlo');
    expect(stderr.join('\n')).toContain(`MCTS with network ${modelDir} on onnx`);
  });

  it('plays legal moves with the search', async () => {
    await engine.send('clear_board');
    const game = new Game(9);
    await expectLegalGenmoves((c) => engine.send(c), game, 6);
  });

  it('streams lz-analyze lines with principal variations from the tree', async () => {
    const lines: string[] = [];
    const response = await engine.request('lz-analyze 2', {
      onLine: (line) => {
        lines.push(line);
        if (lines.length === 3) engine.interrupt();
      },
    });
    expect(response.ok).toBe(true);
    const last = lines.at(-1)!;
    expect(last).toMatch(/^info move \S+ visits \d+ winrate \d+ prior \d+ lcb \d+ order 0 pv \S+/);
    expect(Number(/visits (\d+)/.exec(last)![1])).toBeGreaterThan(1);
  });

  it('shows the network policy as a GoGui heatmap', async () => {
    const gfx = await engine.send('tengen-gfx_policy');
    expect(gfx).toMatch(/^INFLUENCE /);
    expect(gfx).toMatch(/^TEXT pass \d+%$/m);
  });

  it('--lambda mixes the network value with rollouts: says so and plays legal moves', async () => {
    const lines: string[] = [];
    const mixed = GtpClient.spawn(process.execPath, [CLI, 'gtp', '--model', modelDir, '--backend', 'onnx', '--threads', '1', '--visits', '64', '--lambda', '0.5'], {
      name: 'tengen',
      commandTimeoutMs: 60_000,
      stderr: (line) => lines.push(line),
    });
    try {
      await mixed.send('name');
      expect(lines.join('\n')).toContain(`MCTS with network ${modelDir} on onnx (own thread) and rollouts in the search thread (λ = 0.5, n_thr = 4)`);
      await expectLegalGenmoves((c) => mixed.send(c), new Game(9), 4);
    } finally {
      await mixed.quit();
    }
  }, 60_000);

  it('follows the network\'s play.json (λ) unless --lambda is given; a bad play.json is a start-up error', async () => {
    const withPlay = join(mkdtempSync(join(tmpdir(), 'tengen-net-play-')), 'net');
    cpSync(modelDir, withPlay, { recursive: true });
    writeFileSync(join(withPlay, 'play.json'), JSON.stringify({ lambda: 1, scoreUtility: 0.25, note: 'measured' }));
    const start = async (extra: string[]): Promise<string> => {
      const lines: string[] = [];
      const client = GtpClient.spawn(process.execPath, [CLI, 'gtp', '--model', withPlay, '--backend', 'onnx', '--threads', '1', '--visits', '16', ...extra], {
        name: 'tengen',
        commandTimeoutMs: 60_000,
        stderr: (line) => lines.push(line),
      });
      try {
        await client.send('name');
        expect(await client.send('genmove b')).toMatch(/^([A-HJ-T][1-9]|pass)$/);
      } finally {
        await client.quit();
      }
      return lines.join('\n');
    };
    const followed = await start([]);
    expect(followed).toContain('play.json: λ = 1, score utility 0.25 (measured)');
    expect(followed).toContain('and rollouts in the search thread (λ = 1');
    const overridden = await start(['--lambda', '0']);
    expect(overridden).toContain(`MCTS with network ${withPlay} on onnx`);
    expect(overridden).not.toContain('rollouts');
    expect(await start(['--lambda', '0.5'])).toContain('play.json: score utility 0.25 (measured)');
    // A bad play.json: exit code 1 at start-up and the reason on stderr.
    const startupError = async (playJson: string): Promise<string> => {
      writeFileSync(join(withPlay, 'play.json'), playJson);
      const child = spawn(process.execPath, [CLI, 'gtp', '--model', withPlay], { stdio: ['pipe', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.stdin.end('name\n');
      expect(await new Promise<number | null>((resolve) => child.on('exit', resolve))).toBe(1);
      return err;
    };
    expect(await startupError('{"lambda": 1, "scoreUtility": -1}')).toMatch(/play\.json: scoreUtility must be a number in \[0, 1\]/);
    expect(await startupError('{"lambda": 2}')).toMatch(/play\.json: lambda must be a number in \[0, 1\]/);
    // A rollout policy of the network's own, named by play.json, unless --rollout-policy names another.
    expect(await startupError('{"lambda": 1, "rolloutPolicy": "../rollout-policy.json"}')).toMatch(/play\.json: rolloutPolicy must name a file in/);
    expect(await startupError('{"lambda": 1, "rolloutPolicy": "balanced.json"}')).toMatch(/play\.json: rolloutPolicy .*balanced\.json is missing/);
    cpSync(packageRolloutPolicyPath(), join(withPlay, 'balanced.json'));
    writeFileSync(join(withPlay, 'play.json'), JSON.stringify({ lambda: 1, rolloutPolicy: 'balanced.json' }));
    expect(await start([])).toContain(`play.json: λ = 1, rollout policy ${join(withPlay, 'balanced.json')}; --lambda`);
    expect(await start(['--rollout-policy', packageRolloutPolicyPath()])).toContain('play.json: λ = 1; --lambda');
  }, 60_000);

  it('fails at start-up, with the reason, when --model cannot be loaded', async () => {
    const child = spawn(process.execPath, [CLI, 'gtp', '--model', join(modelDir, 'missing')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stdin.end('name\n');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/missing/);
  }, 60_000);
});
