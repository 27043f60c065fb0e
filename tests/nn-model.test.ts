import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultNetConfig } from '../src/nn/config.js';
import { createEvaluator } from '../src/nn/create-evaluator.js';
import { createNet, inferNetConfig, type PolicyValueNet } from '../src/nn/model.js';
import { loadNet, NetFileError, readNetMetadata, saveNet, writeFileAtomic } from '../src/nn/model-io.js';
import { denseKernelChannelsFirst, exportOnnx } from '../src/nn/onnx-export.js';
import { ProtoWriter, readProtoFields } from '../src/nn/protobuf.js';

describe('PolicyValueNet model', () => {
  it('builds the configured shape: stem, blocks, heads with area+1 policy logits', () => {
    const config = defaultNetConfig(5, { blocks: 3, filters: 8 });
    const net = createNet(config, { seed: 5 });
    expect(inferNetConfig(net.model, 'zero')).toEqual(config);
    expect(net.model.inputs[0]!.shape).toEqual([null, 18, 5, 5]);
    expect(net.model.outputs.map((o) => o.shape)).toEqual([
      [null, 26],
      [null, 1],
    ]);
    const [p, v] = net.model.predict(tf.ones([2, 18, 5, 5])) as tf.Tensor[];
    expect(p!.shape).toEqual([2, 26]);
    expect(Array.from(v!.dataSync()).every((x) => Math.abs(x) <= 1)).toBe(true);
    net.model.dispose();
  });

  it('defaults fit the machine: 9x9 6x64, 19x19 10x128', () => {
    expect(defaultNetConfig(9)).toMatchObject({ blocks: 6, filters: 64 });
    expect(defaultNetConfig(19)).toMatchObject({ blocks: 10, filters: 128 });
    expect(() => defaultNetConfig(9, { blocks: -1 })).toThrow(/blocks must be an integer/);
    expect(() => defaultNetConfig(1)).toThrow(/boardSize/);
  });

  it('dense kernels are re-ordered from (h,w,c) to (c,h,w) rows', () => {
    // area 2, channels 3, units 1: row (p,c) = p*3+c holds value 10*p + c.
    const k = Float32Array.from([0, 1, 2, 10, 11, 12]);
    expect(Array.from(denseKernelChannelsFirst(k, 2, 3, 1))).toEqual([0, 10, 1, 11, 2, 12]);
  });
});

describe('protobuf and ONNX bytes', () => {
  it('round-trips varints (negative int64 too), floats and nested messages', () => {
    const bytes = new ProtoWriter()
      .varint(1, 300)
      .varint(2, -1)
      .float(3, 1.5)
      .message(4, (w) => w.string(1, 'hi'))
      .finish();
    const fields = readProtoFields(bytes);
    expect(fields.map((f) => f.field)).toEqual([1, 2, 3, 4]);
    expect(fields[0]!.varint).toBe(300n);
    expect(BigInt.asIntN(64, fields[1]!.varint!)).toBe(-1n);
    expect(new DataView(fields[2]!.bytes!.buffer, fields[2]!.bytes!.byteOffset, 4).getFloat32(0, true)).toBe(1.5);
    expect(new TextDecoder().decode(readProtoFields(fields[3]!.bytes!)[0]!.bytes)).toBe('hi');
  });

  it('exported model declares IR 8, opset 17, and one Conv per conv layer (BN folded)', () => {
    const config = defaultNetConfig(5, { blocks: 2, filters: 8 });
    const net = createNet(config, { seed: 2 });
    const model = readProtoFields(exportOnnx(net.model, config));
    expect(model.find((f) => f.field === 1)!.varint).toBe(8n);
    const opset = readProtoFields(model.find((f) => f.field === 8)!.bytes!);
    expect(opset.find((f) => f.field === 2)!.varint).toBe(17n);
    const graph = readProtoFields(model.find((f) => f.field === 7)!.bytes!);
    const ops = graph
      .filter((f) => f.field === 1)
      .map((n) => new TextDecoder().decode(readProtoFields(n.bytes!).find((f) => f.field === 4)!.bytes));
    expect(ops.filter((o) => o === 'Conv').length).toBe(1 + 2 * 2 + 2);
    expect(ops).not.toContain('BatchNormalization');
    expect(ops).toContain('Softmax');
    net.model.dispose();
  });
});

describe('saving and loading a network directory', () => {
  const config = defaultNetConfig(5, { blocks: 1, filters: 8 });
  let net: PolicyValueNet;
  let root: string;
  beforeAll(async () => {
    net = createNet(config, { seed: 11 });
    net.trainingSteps = 1234;
    net.parent = 'gen-0003';
    root = await mkdtemp(join(tmpdir(), 'tengen-nn-io-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('round-trips weights, config and metadata; leaves no temp files', async () => {
    const dir = join(root, 'a');
    const created = new Date('2026-01-02T03:04:05Z');
    const meta = await saveNet(net, dir, { created });
    expect((await readdir(dir)).sort()).toEqual(['metadata.json', 'model.json', 'model.onnx', 'weights.bin']);
    const read = await readNetMetadata(dir);
    expect(read).toEqual(meta);
    expect(read).toMatchObject({ boardSize: 5, blocks: 1, filters: 8, featureSet: 'zero', inputPlanes: 18, trainingSteps: 1234, parent: 'gen-0003', created: created.toISOString() });
    expect(read.files['weights.bin'].sha256).toMatch(/^[0-9a-f]{64}$/);
    const loaded = await loadNet(dir);
    expect(loaded.config).toEqual(config);
    expect(loaded.trainingSteps).toBe(1234);
    const a = net.model.getWeights();
    const b = loaded.model.getWeights();
    expect(b.length).toBe(a.length);
    a.forEach((w, i) => expect(b[i]!.dataSync()).toEqual(w.dataSync()));
    // Saving again over an existing network replaces it.
    net.trainingSteps = 2000;
    await saveNet(net, dir);
    expect((await readNetMetadata(dir)).trainingSteps).toBe(2000);
    expect((await readdir(dir)).some((f) => f.includes('.tmp-'))).toBe(false);
    loaded.model.dispose();
  });

  it('a corrupted weights file gives a clear error on every path', async () => {
    const dir = join(root, 'b');
    await saveNet(net, dir);
    const weights = await readFile(join(dir, 'weights.bin'));
    weights[10] ^= 0xff;
    await writeFile(join(dir, 'weights.bin'), weights);
    await expect(loadNet(dir)).rejects.toThrow(NetFileError);
    await expect(loadNet(dir)).rejects.toThrow(/weights.bin fails its SHA-256 checksum/);
    await expect(createEvaluator({ modelDir: dir, backend: 'cpu' })).rejects.toThrow(/weights.bin fails/);
    // The ONNX file is intact, so the onnx backend still loads.
    const onnx = await createEvaluator({ modelDir: dir, backend: 'onnx', threads: 1 });
    await onnx.dispose();
  });

  it('truncated, missing, mismatched or foreign files are reported', async () => {
    const dir = join(root, 'c');
    await saveNet(net, dir);
    const onnx = await readFile(join(dir, 'model.onnx'));
    await writeFile(join(dir, 'model.onnx'), onnx.subarray(0, 100));
    await expect(createEvaluator({ modelDir: dir, backend: 'onnx' })).rejects.toThrow(/model.onnx has 100 bytes but metadata says/);

    const meta = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...meta, blocks: 3 }));
    await expect(loadNet(dir)).rejects.toThrow(/model has blocks 1 but metadata says 3/);
    await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...meta, version: 99 }));
    await expect(loadNet(dir)).rejects.toThrow(/format version 99/);
    await writeFile(join(dir, 'metadata.json'), '{"format": "something else"}');
    await expect(loadNet(dir)).rejects.toThrow(/not a tengen network/);
    await writeFile(join(dir, 'metadata.json'), '{not json');
    await expect(loadNet(dir)).rejects.toThrow(/metadata.json is not valid JSON/);
    await expect(loadNet(join(root, 'nowhere'))).rejects.toThrow(/metadata.json is missing/);
  });

  it('writeFileAtomic replaces contents whole', async () => {
    const file = join(root, 'atomic.txt');
    await writeFileAtomic(file, 'first');
    await writeFileAtomic(file, 'second');
    expect(await readFile(file, 'utf8')).toBe('second');
  });
});
