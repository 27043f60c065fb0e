import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Game } from '../engine/index.js';
import { Rng } from '../engine/rng.js';
import {
  ShardWriter,
  decodeShard,
  listShardFiles,
  loadShards,
  readRecord,
  readShard,
  recordPolicy,
  SHARD_EXTENSION,
} from '../selfplay/shards.js';
import { appendLine, readJsonLines, writeJsonAtomic } from '../selfplay/atomic.js';

function randomGame(size: number, moves: number, seed: number): Game {
  const game = new Game(size);
  const rng = new Rng(seed);
  for (let i = 0; i < moves && !game.isOver; i++) {
    const legal = game.board.legalMoves();
    game.play(legal.length === 0 ? -1 : legal[rng.int(legal.length)]!);
  }
  return game;
}

describe('training shards', () => {
  it('round-trips history, side to move, visit counts and z exactly', () => {
    const size = 7;
    const area = size * size;
    const game = randomGame(size, 30, 1);
    const writer = new ShardWriter(size, 'zero', 8);
    const expected: { history: Uint8Array[]; policy: number[]; z: number; toPlay: number }[] = [];
    for (let k = 0; k < 5; k++) {
      const history = game.stonesHistory(8 - k); // fewer than 8 positions: padded with empty boards
      const policy = Array.from({ length: area + 1 }, (_, a) => (a * 7 + k) % 13);
      const z = [1, -1, 0][k % 3]!;
      const toPlay = k % 2 === 0 ? 1 : 2;
      writer.add(history, toPlay as 1 | 2, policy, z);
      expected.push({ history, policy, z, toPlay });
    }
    const dir = mkdtempSync(join(tmpdir(), 'tengen-shard-'));
    const path = join(dir, `a${SHARD_EXTENSION}`);
    writer.writeTo(path);
    const shard = readShard(path);
    expect(shard.header).toMatchObject({ boardSize: 7, featureSet: 'zero', historyLength: 8, recordCount: 5 });
    expected.forEach((e, i) => {
      const r = readRecord(shard, i);
      expect(r.toPlay).toBe(e.toPlay);
      expect(r.z).toBe(e.z);
      expect(Array.from(r.policy)).toEqual(e.policy);
      for (let t = 0; t < 8; t++) {
        const got = Array.from(r.history.subarray(t * area, (t + 1) * area));
        expect(got).toEqual(t < e.history.length ? Array.from(e.history[t]!) : new Array(area).fill(0));
      }
      const probs = new Float32Array(area + 1);
      const sum = recordPolicy(shard, i, probs);
      expect(sum).toBe(e.policy.reduce((a, b) => a + b, 0));
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    });
    // Compact: deflated history planes are far below the raw record size.
    expect(readFileSync(path).length).toBeLessThan(5 * writer.recordSize);
  });

  it('value targets: version 2 records keep q at 1/127 resolution; version 1 records read q = z', () => {
    const size = 5;
    const area = size * size;
    const game = randomGame(size, 6, 2);
    const policy = Array.from({ length: area + 1 }, (_, a) => a % 3);
    const dir = mkdtempSync(join(tmpdir(), 'tengen-shard-q-'));
    const withQ = new ShardWriter(size, 'zero', 8, true);
    withQ.add(game.stonesHistory(8), 1, policy, 1, 0.25);
    withQ.add(game.stonesHistory(8), 2, policy, -1, -1);
    withQ.endGame();
    withQ.writeTo(join(dir, `q${SHARD_EXTENSION}`));
    const q = readShard(join(dir, `q${SHARD_EXTENSION}`));
    expect(q.header).toMatchObject({ version: 2, valueTargets: true, recordCount: 2 });
    expect(readRecord(q, 0)).toMatchObject({ z: 1, toPlay: 1 });
    expect(readRecord(q, 0).q).toBeCloseTo(0.25, 2);
    expect(readRecord(q, 1).q).toBe(-1);
    expect(Array.from(readRecord(q, 1).policy)).toEqual(policy);
    const plain = new ShardWriter(size, 'zero', 8);
    plain.add(game.stonesHistory(8), 2, policy, -1);
    plain.endGame();
    plain.writeTo(join(dir, `p${SHARD_EXTENSION}`));
    const p = readShard(join(dir, `p${SHARD_EXTENSION}`));
    expect(p.header).toMatchObject({ version: 1, valueTargets: false });
    expect(readRecord(p, 0).q).toBe(-1);
    expect(() => withQ.add(game.stonesHistory(8), 1, policy, 1)).toThrow(/value target q/);
    expect(() => withQ.add(game.stonesHistory(8), 1, policy, 1, 1.5)).toThrow(/value target q/);
    expect(() => plain.add(game.stonesHistory(8), 1, policy, 1, 0.5)).toThrow(/without value targets/);
  });

  it('scales visit counts above 16 bits, keeping proportions', () => {
    const writer = new ShardWriter(3);
    const policy = [100000, 50000, 0, 0, 0, 0, 0, 0, 0, 25000];
    writer.add([new Uint8Array(9)], 1, policy, 1);
    const shard = decodeShard('mem', writer.encode());
    const probs = new Float32Array(10);
    recordPolicy(shard, 0, probs);
    expect(probs[0]).toBeCloseTo(100000 / 175000, 4);
    expect(probs[9]).toBeCloseTo(25000 / 175000, 4);
  });

  it('rejects bad input with clear errors', () => {
    const writer = new ShardWriter(5);
    expect(() => writer.add([new Uint8Array(25)], 1, new Array(25).fill(1), 1)).toThrow(/26/);
    expect(() => writer.add([new Uint8Array(25)], 1, new Array(26).fill(1), 2)).toThrow(/z must be/);
    expect(() => writer.add([new Uint8Array(24)], 1, new Array(26).fill(1), 1)).toThrow(/history\[0\]/);
    expect(() => new ShardWriter(1)).toThrow(/board size/);
  });

  it('detects flipped bits, truncation and foreign files; loadShards skips and reports them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-shard-'));
    const game = randomGame(5, 20, 2);
    const make = (name: string): string => {
      const w = new ShardWriter(5);
      for (let i = 0; i < 10; i++) w.add(game.stonesHistory(8), 1, new Array(26).fill(i), 1);
      const p = join(dir, name);
      w.writeTo(p);
      return p;
    };
    const good = make(`000-good${SHARD_EXTENSION}`);
    const flipped = make(`001-flipped${SHARD_EXTENSION}`);
    const bytes = readFileSync(flipped);
    bytes[bytes.length - 3]! ^= 0x10;
    writeFileSync(flipped, bytes);
    expect(() => readShard(flipped)).toThrow(/checksum mismatch/);
    const truncated = make(`002-truncated${SHARD_EXTENSION}`);
    writeFileSync(truncated, readFileSync(truncated).subarray(0, 40));
    expect(() => readShard(truncated)).toThrow(/truncated/);
    const foreign = join(dir, `003-foreign${SHARD_EXTENSION}`);
    writeFileSync(foreign, 'hello world, this is not a shard at all!');
    expect(() => readShard(foreign)).toThrow(/bad magic/);
    const header = make(`004-header${SHARD_EXTENSION}`);
    const hb = readFileSync(header);
    hb[12]! ^= 1; // record count
    writeFileSync(header, hb);
    expect(() => readShard(header)).toThrow(/checksum/);

    const files = listShardFiles(dir);
    expect(files).toHaveLength(5);
    const loaded = loadShards(files);
    expect(loaded.shards.map((s) => s.path)).toEqual([good]);
    expect(loaded.corrupt.map((c) => c.path).sort()).toEqual([flipped, truncated, foreign, header].sort());
    expect(readdirSync(dir).some((f) => f.startsWith('.tmp-'))).toBe(false);
  });

  it('keeps append-only logs readable after a torn last line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-log-'));
    const log = join(dir, 'metrics.jsonl');
    appendLine(log, JSON.stringify({ a: 1 }));
    writeFileSync(log, `${readFileSync(log, 'utf8')}{"a": 2, "b"`); // a kill mid-append
    appendLine(log, JSON.stringify({ a: 3 }));
    expect(readJsonLines<{ a: number }>(log).map((r) => r.a)).toEqual([1, 3]);
    writeJsonAtomic(join(dir, 'x.json'), { ok: true });
    expect(JSON.parse(readFileSync(join(dir, 'x.json'), 'utf8'))).toEqual({ ok: true });
  });
});
