import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchingEvaluator } from '../src/nn/batching.js';
import { defaultNetConfig } from '../src/nn/config.js';
import { createEvaluator, type BackendEvaluator } from '../src/nn/create-evaluator.js';
import { planesPerPosition, policySize, type EvalOutput, type Evaluator, type NetInfo } from '../src/nn/evaluator.js';
import { createNet } from '../src/nn/model.js';
import { saveNet } from '../src/nn/model-io.js';
import { NetThreadEvaluator } from '../src/nn/net-thread.js';
import { RemoteEvaluator, serveEvaluator } from '../src/nn/remote.js';

const size = 5;
const config = defaultNetConfig(size, { blocks: 1, filters: 8 });
const fp = 18 * size * size;

function randomPlanes(count: number, seed: number): Float32Array {
  const planes = new Float32Array(count * fp);
  let s = seed;
  for (let i = 0; i < planes.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    planes[i] = s / 4294967296 < 0.3 ? 1 : 0;
  }
  return planes;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Records every batch size; answers deterministically from the input (value = first float of each position). */
class RecordingEvaluator implements Evaluator {
  readonly info: NetInfo = { boardSize: size, featureSet: 'zero', inputPlanes: 18 };
  readonly batches: number[] = [];
  disposed = false;
  constructor(private readonly delayMs = 2) {}
  async evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    this.batches.push(count);
    await new Promise((r) => setTimeout(r, this.delayMs));
    const actions = policySize(this.info);
    const policy = new Float32Array(count * actions);
    const value = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      value[i] = planes[i * fp]! + planes[i * fp + 1]! / 2;
      policy[i * actions] = planes[i * fp + 2]!;
    }
    return { policy, value };
  }
  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

describe('BatchingEvaluator', () => {
  it('gathers concurrent requests into batches and routes each answer back to its caller', async () => {
    const inner = new RecordingEvaluator();
    const batching = new BatchingEvaluator(inner, { maxBatch: 8, maxWaitMs: 5 });
    const inputs = Array.from({ length: 20 }, (_, i) => randomPlanes(1, i + 1));
    const outs = await Promise.all(inputs.map((p) => batching.evaluate(p, 1)));
    outs.forEach((o, i) => {
      expect(o.value.length).toBe(1);
      expect(o.value[0]).toBe(inputs[i]![0]! + inputs[i]![1]! / 2);
      expect(o.policy.length).toBe(26);
      expect(o.policy[0]).toBe(inputs[i]![2]);
    });
    expect(inner.batches).toEqual([8, 8, 4]);
    expect(batching.stats()).toEqual({ batches: 3, positions: 20, requests: 20, largestBatch: 8 });
    await batching.dispose();
    expect(inner.disposed).toBe(true);
  });

  it('multi-position requests are never split; an oversized one runs alone', async () => {
    const inner = new RecordingEvaluator();
    const batching = new BatchingEvaluator(inner, { maxBatch: 4, maxWaitMs: 5 });
    const big = randomPlanes(6, 3);
    const [a, b, c] = await Promise.all([batching.evaluate(randomPlanes(3, 1), 3), batching.evaluate(big, 6), batching.evaluate(randomPlanes(2, 2), 2)]);
    expect(a.value.length).toBe(3);
    expect(b.value.length).toBe(6);
    expect(c.value.length).toBe(2);
    for (let i = 0; i < 6; i++) expect(b.value[i]).toBe(big[i * fp]! + big[i * fp + 1]! / 2);
    expect(inner.batches).toEqual([3, 6, 2]);
    await batching.dispose();
  });

  it('a lone request waits at most maxWaitMs', async () => {
    const inner = new RecordingEvaluator(0);
    const batching = new BatchingEvaluator(inner, { maxBatch: 64, maxWaitMs: 20 });
    const start = performance.now();
    await batching.evaluate(randomPlanes(1, 1), 1);
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(15);
    expect(elapsed).toBeLessThan(1000);
    await batching.dispose();
  });

  it('errors reach every caller in the failed batch, and later batches still work', async () => {
    let fail = true;
    const inner = new RecordingEvaluator();
    const flaky: Evaluator = {
      info: inner.info,
      evaluate: (p, n) => (fail ? Promise.reject(new Error('backend exploded')) : inner.evaluate(p, n)),
      dispose: async () => undefined,
    };
    const batching = new BatchingEvaluator(flaky, { maxBatch: 4, maxWaitMs: 1 });
    const results = await Promise.allSettled([batching.evaluate(randomPlanes(1, 1), 1), batching.evaluate(randomPlanes(1, 2), 1)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await batching.evaluate(randomPlanes(1, 3), 1)).value.length).toBe(1);
    await expect(batching.evaluate(randomPlanes(1, 3), 0)).rejects.toThrow(/count must be a positive integer/);
    await batching.dispose();
    await expect(batching.evaluate(randomPlanes(1, 3), 1)).rejects.toThrow(/disposed/);
  });

  it('gives the same answers as the unbatched onnx evaluator', async () => {
    const net = createNet(config, { seed: 8 });
    const direct = await createEvaluator({ model: net, backend: 'onnx', threads: 1 });
    const batching = new BatchingEvaluator(await createEvaluator({ model: net, backend: 'onnx', threads: 1 }), { maxBatch: 16, maxWaitMs: 2 });
    const planes = randomPlanes(12, 77);
    const expected = await direct.evaluate(planes, 12);
    const outs = await Promise.all(Array.from({ length: 12 }, (_, i) => batching.evaluate(planes.subarray(i * fp, (i + 1) * fp), 1)));
    const actions = policySize(direct.info);
    outs.forEach((o, i) => {
      expect(maxAbsDiff(o.policy, expected.policy.subarray(i * actions, (i + 1) * actions))).toBeLessThan(1e-5);
      expect(maxAbsDiff(o.value, expected.value.subarray(i, i + 1))).toBeLessThan(1e-5);
    });
    expect(batching.stats().batches).toBeLessThan(12);
    await batching.dispose();
    await direct.dispose();
  });
});

describe('RemoteEvaluator over worker threads', () => {
  const remoteModule = fileURLToPath(new URL('../dist/src/nn/remote.js', import.meta.url));
  let owner: BackendEvaluator;
  let batching: BatchingEvaluator;

  beforeAll(async () => {
    if (!existsSync(remoteModule)) throw new Error(`worker threads load compiled code: run \`npx tsc\` first (missing ${remoteModule})`);
    owner = await createEvaluator({ model: createNet(config, { seed: 21 }), backend: 'onnx', threads: 1 });
    batching = new BatchingEvaluator(owner, { maxBatch: 32, maxWaitMs: 3, disposeInner: false });
  });
  afterAll(async () => {
    await batching.dispose();
    await owner.dispose();
  });

  // The worker evaluates each of its positions as a separate concurrent request, as search descents do.
  const workerSource = `
    const { workerData, parentPort } = require('node:worker_threads');
    (async () => {
      const { RemoteEvaluator } = await import(workerData.moduleUrl);
      const remote = await RemoteEvaluator.connect(workerData.port);
      const fp = workerData.fp;
      const planes = workerData.planes;
      const count = planes.length / fp;
      const outs = await Promise.all(Array.from({ length: count }, (_, i) => remote.evaluate(planes.subarray(i * fp, (i + 1) * fp), 1)));
      // The caller's buffer must still be usable after evaluate (it was copied, not transferred away).
      const intact = planes.length === count * fp;
      parentPort.postMessage({ intact, info: remote.info, values: outs.map((o) => o.value[0]), policies: outs.map((o) => Array.from(o.policy)) });
      await remote.dispose();
    })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
  `;

  it('two workers share one batched net owner and get the same answers as direct evaluation', async () => {
    const perWorker = 10;
    const jobs = [0, 1].map(async (w) => {
      const planes = randomPlanes(perWorker, 100 + w);
      const { port1, port2 } = new MessageChannel();
      const stop = serveEvaluator(port1, batching);
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: { moduleUrl: pathToFileURL(remoteModule).href, port: port2, planes, fp },
        transferList: [port2],
      });
      try {
        const result = await new Promise<{ error?: string; intact: boolean; info: NetInfo; values: number[]; policies: number[][] }>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
        if (result.error) throw new Error(result.error);
        return { planes, result };
      } finally {
        stop();
        await worker.terminate();
      }
    });
    const results = await Promise.all(jobs);
    for (const { planes, result } of results) {
      expect(result.intact).toBe(true);
      expect(result.info).toEqual(owner.info);
      const expected = await owner.evaluate(planes, perWorker);
      const actions = policySize(owner.info);
      expect(maxAbsDiff(result.values, expected.value)).toBeLessThan(1e-5);
      result.policies.forEach((p, i) => expect(maxAbsDiff(p, expected.policy.subarray(i * actions, (i + 1) * actions))).toBeLessThan(1e-5));
    }
    const stats = batching.stats();
    expect(stats.requests).toBe(20);
    expect(stats.batches).toBeLessThan(20);
  });

  it('errors on the owner side come back as rejections; a closed owner fails pending calls', async () => {
    const { port1, port2 } = new MessageChannel();
    const stop = serveEvaluator(port1, batching);
    const remote = await RemoteEvaluator.connect(port2);
    expect(remote.info.boardSize).toBe(size);
    await expect(remote.evaluate(new Float32Array(3), 1)).rejects.toThrow(/need 450 floats, got 3/);
    const out = await remote.evaluate(randomPlanes(2, 5), 2);
    expect(out.value.length).toBe(2);
    stop();
    await new Promise((r) => setTimeout(r, 20));
    await expect(remote.evaluate(randomPlanes(1, 5), 1)).rejects.toThrow(/closed/);
    expect(planesPerPosition(remote.info)).toBe(fp);
  });
});

describe('NetThreadEvaluator (a network on its own thread)', () => {
  it('answers as the same network opened in this thread; concurrent calls each get their own answer', async () => {
    const modelDir = join(mkdtempSync(join(tmpdir(), 'tengen-net-thread-')), 'net');
    const net = createNet(config, { seed: 33 });
    await saveNet(net, modelDir);
    net.model.dispose();
    const here = await createEvaluator({ modelDir, backend: 'onnx', threads: 1 });
    const there = await NetThreadEvaluator.open({ modelDir, backend: 'onnx', threads: 1 });
    try {
      expect(there.backend).toBe('onnx');
      expect(there.info).toEqual(here.info);
      const planes = randomPlanes(6, 9);
      const expected = await here.evaluate(planes, 6);
      const outs = await Promise.all([there.evaluate(planes, 6), there.evaluate(planes.subarray(fp), 1)]);
      expect(maxAbsDiff(outs[0].policy, expected.policy)).toBeLessThan(1e-5);
      expect(maxAbsDiff(outs[0].value, expected.value)).toBeLessThan(1e-5);
      expect(outs[1].value[0]).toBeCloseTo(expected.value[1]!, 5);
      expect(planes.length).toBe(6 * fp);
      await expect(there.evaluate(new Float32Array(3), 1)).rejects.toThrow(/need 450 floats, got 3/);
    } finally {
      await there.dispose();
      await here.dispose();
    }
    await expect(there.evaluate(randomPlanes(1, 1), 1)).rejects.toThrow(/closed|disposed/);
  }, 60_000);

  it('a network that cannot be opened is an error from open(), with the reason', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'tengen-net-thread-')), 'missing');
    await expect(NetThreadEvaluator.open({ modelDir: missing, backend: 'onnx', threads: 1 })).rejects.toThrow(/missing/);
  }, 60_000);
});
