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

  it('the conv policy head: one logit per point from a 1x1 convolution shared by every point, pass last', () => {
    const config = defaultNetConfig(5, { blocks: 1, filters: 8, policyHead: 'conv', policyFilters: 4 });
    const net = createNet(config, { seed: 6 });
    expect(inferNetConfig(net.model, 'zero')).toEqual(config);
    expect(net.model.layers.some((l) => l.name === 'policy_dense')).toBe(false);
    // Its weights do not grow with the board: 4 kernel weights + 1 bias per point logit, 4 + 1 for pass.
    const head = ['policy_point', 'policy_pass'].map((n) => net.model.getLayer(n).countParams());
    expect(head).toEqual([5, 5]);
    const [p] = net.model.predict(tf.ones([1, 18, 5, 5])) as tf.Tensor[];
    expect(p!.shape).toEqual([1, 26]);
    // Each point's logit is w·(that point's policy features) + b, and pass reads the features' board means.
    const x = tf.randomUniform([1, 18, 5, 5], 0, 1, 'float32', 3);
    const features = tf.model({ inputs: net.model.inputs, outputs: net.model.getLayer('policy_relu').output as tf.SymbolicTensor });
    const f = (features.predict(x) as tf.Tensor).dataSync(); // (1, 5, 5, 4), channels last
    const [w, b] = net.model.getLayer('policy_point').getWeights().map((t) => t.dataSync());
    const [wp, bp] = net.model.getLayer('policy_pass').getWeights().map((t) => t.dataSync());
    const logits = ((net.model.predict(x) as tf.Tensor[])[0]!).dataSync();
    const mean = [0, 1, 2, 3].map((c) => Array.from({ length: 25 }, (_, q) => f[q * 4 + c]!).reduce((s, v) => s + v, 0) / 25);
    for (let q = 0; q < 25; q++) expect(logits[q]).toBeCloseTo([0, 1, 2, 3].reduce((s, c) => s + f[q * 4 + c]! * w![c]!, b![0]!), 4);
    expect(logits[25]).toBeCloseTo(mean.reduce((s, m, c) => s + m * wp![c]!, bp![0]!), 4);
    expect(() => defaultNetConfig(5, { policyHead: 'dense3' as never })).toThrow(/policyHead must be 'dense' or 'conv'/);
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

  it('round-trips a conv policy head, and loads networks saved before the field existed as dense', async () => {
    const convConfig = defaultNetConfig(5, { blocks: 1, filters: 8, policyHead: 'conv', policyFilters: 4 });
    const conv = createNet(convConfig, { seed: 12 });
    const dir = join(root, 'conv');
    await saveNet(conv, dir);
    expect((await readNetMetadata(dir)).policyHead).toBe('conv');
    const loaded = await loadNet(dir);
    expect(loaded.config).toEqual(convConfig);
    loaded.model.dispose();
    conv.model.dispose();
    // metadata.json of a dense network has no policyHead: it loads, and is not mistaken for conv.
    const dense = join(root, 'dense-old');
    await saveNet(net, dense);
    expect(JSON.parse(await readFile(join(dense, 'metadata.json'), 'utf8')).policyHead).toBeUndefined();
    const old = await loadNet(dense);
    expect(old.config.policyHead).toBeUndefined();
    old.model.dispose();
    // A metadata file that claims the other head is refused.
    const meta = JSON.parse(await readFile(join(dense, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dense, 'metadata.json'), JSON.stringify({ ...meta, policyHead: 'conv' }));
    await expect(loadNet(dense)).rejects.toThrow(/dense policy head but metadata says conv/);
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
