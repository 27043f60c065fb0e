/**
 * `npm run bench -- nn [9|19] [onnx|wasm|cpu|tensorflow|webgpu|wasm-layers|cpu-layers|raw|batched|remote|train] [batch=1,8] [threads=N] [seconds=S] [limit=S]`
 *
 * Positions/s of the policy-value net per backend and batch size, for 9x9 6x64 and 19x19 10x128 (random
 * weights, random positions), and in the same run:
 * - raw: onnxruntime-node's InferenceSession.run called directly with prebuilt tensors on the same
 *   exported graph and session options — the ceiling for tengen's `onnx` path (goal: onnx ≥ 0.8× raw);
 * - batched: `batch` concurrent one-position requests gathered by BatchingEvaluator over onnx (what a
 *   search with that many descents in flight sees);
 * - remote: the same requests coming from 2 worker threads through RemoteEvaluator to one batched owner
 *   (what piscina search workers sharing one net see).
 * Calls predicted to take longer than `limit` seconds (default 10; tfjs cpu at 19x19, say) are printed
 * as skipped. Training rows time the ONNX training step (forward + backward + SGD update).
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { BatchingEvaluator } from '../src/nn/batching.js';
import { serveEvaluator } from '../src/nn/remote.js';
import { defaultNetConfig, type NetConfig } from '../src/nn/config.js';
import { createEvaluator, probeBackend } from '../src/nn/create-evaluator.js';
import { BACKEND_NAMES, planesPerPosition, type BackendName, type Evaluator } from '../src/nn/evaluator.js';
import { cloneModel, createNet, netInfo } from '../src/nn/model.js';
import { createOnnxSession, loadOnnxRuntime } from '../src/nn/onnx-evaluator.js';
import { exportOnnx, ONNX_INPUT } from '../src/nn/onnx-export.js';
import { TfjsTrainer } from '../src/nn/tfjs-trainer.js';
import { OnnxTrainer, type Trainer } from '../src/nn/trainer.js';

type Row = { net: string; path: string; batch: number; rate?: number; msPerCall?: number; note?: string };

const MIN_SAMPLES = 5;
const ORT_PATHS = ['raw', 'onnx', 'batched', 'remote'];

interface RemoteLoad {
  workers: number;
  batching: BatchingEvaluator;
  /** Every worker fires its share of `batch` concurrent one-position requests; resolves when all are answered. */
  round(): Promise<void>;
  stop(): Promise<void>;
}

// Search-worker stand-in: evaluates `n` positions as n concurrent one-position requests per command.
const REMOTE_WORKER = `
  const { workerData, parentPort } = require('node:worker_threads');
  (async () => {
    const { RemoteEvaluator } = await import(workerData.moduleUrl);
    const remote = await RemoteEvaluator.connect(workerData.port);
    const { fp, planes } = workerData;
    const positions = planes.length / fp;
    parentPort.on('message', async (n) => {
      await Promise.all(Array.from({ length: n }, (_, i) => remote.evaluate(planes.subarray((i % positions) * fp, (i % positions + 1) * fp), 1)));
      parentPort.postMessage('done');
    });
    parentPort.postMessage('ready');
  })();
`;

/** Worker threads (as search workers would be) sharing one batched onnx owner through RemoteEvaluator. */
async function startRemoteLoad(net: ReturnType<typeof createNet>, threads: number, batch: number, planes: Float32Array, fp: number): Promise<RemoteLoad> {
  const batching = new BatchingEvaluator(await createEvaluator({ model: net, backend: 'onnx', threads }), { maxBatch: batch, maxWaitMs: 1 });
  const workerCount = Math.min(2, batch);
  const moduleUrl = new URL('../src/nn/remote.js', import.meta.url).href;
  const workers: { worker: Worker; stop: () => void; share: number }[] = [];
  for (let w = 0; w < workerCount; w++) {
    const { port1, port2 } = new MessageChannel();
    const stop = serveEvaluator(port1, batching);
    const worker = new Worker(REMOTE_WORKER, { eval: true, workerData: { moduleUrl, port: port2, fp, planes: planes.slice(0, batch * fp) }, transferList: [port2] });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    const share = Math.floor(batch / workerCount) + (w < batch % workerCount ? 1 : 0);
    workers.push({ worker, stop, share });
  }
  return {
    workers: workerCount,
    batching,
    round: () =>
      Promise.all(
        workers.map(
          ({ worker, share }) =>
            new Promise<void>((resolve) => {
              worker.once('message', () => resolve());
              worker.postMessage(share);
            }),
        ),
      ).then(() => undefined),
    stop: async () => {
      for (const w of workers) {
        w.stop();
        await w.worker.terminate();
      }
      await batching.dispose();
    },
  };
}

interface Options {
  sizes: number[];
  paths: string[];
  batches: number[];
  threads: number;
  seconds: number;
  /** Calls predicted to take longer than this many seconds are skipped. */
  slowLimit: number;
}

function parseArgs(args: string[]): Options {
  const sizes: number[] = [];
  const paths: string[] = [];
  let batches = [1, 8, 64, 256];
  let threads = availableParallelism();
  let seconds = 1.5;
  let slowLimit = 10;
  const knownPaths = ['raw', ...BACKEND_NAMES, 'wasm-layers', 'cpu-layers', 'batched', 'remote', 'train'];
  for (const a of args) {
    if (a === '9' || a === '19') sizes.push(Number(a));
    else if (knownPaths.includes(a)) paths.push(a);
    else if (a.startsWith('batch=')) batches = a.slice(6).split(',').map(Number);
    else if (a.startsWith('threads=')) threads = Number(a.slice(8));
    else if (a.startsWith('seconds=')) seconds = Number(a.slice(8));
    else if (a.startsWith('limit=')) slowLimit = Number(a.slice(6));
    else throw new Error(`bench nn: unknown argument '${a}' (sizes 9/19, paths ${knownPaths.join('/')}, batch=1,8, threads=N, seconds=S, limit=S)`);
  }
  if (batches.some((b) => !Number.isInteger(b) || b < 1)) throw new Error('bench nn: batch sizes must be positive integers');
  return {
    sizes: sizes.length ? sizes : [9, 19],
    paths: paths.length ? paths : ['raw', 'onnx', 'batched', 'remote', 'wasm', 'wasm-layers', 'cpu', 'tensorflow', 'webgpu', 'train'],
    batches,
    threads,
    seconds,
    slowLimit,
  };
}

function randomPlanes(floats: number): Float32Array {
  const planes = new Float32Array(floats);
  for (let i = 0; i < floats; i++) planes[i] = Math.random() < 0.25 ? 1 : 0;
  return planes;
}

/** Runs `call` (one batch) repeatedly for about `seconds` after a warm-up; returns calls/s and ms/call. */
async function time(call: () => Promise<unknown>, seconds: number, warmupMs?: number): Promise<{ callsPerSecond: number; ms: number }> {
  const w0 = performance.now();
  await call();
  const warm = warmupMs ?? performance.now() - w0;
  // A second warm-up for fast calls: first runs include lazy allocation and kernel selection.
  if (warm < 200) await call();
  const start = performance.now();
  let calls = 0;
  do {
    await call();
    calls++;
  } while (performance.now() - start < seconds * 1000);
  const elapsed = performance.now() - start;
  return { callsPerSecond: (calls * 1000) / elapsed, ms: elapsed / calls };
}

async function benchNet(config: NetConfig, o: Options, rows: Row[]): Promise<void> {
  const label = `${config.boardSize}x${config.boardSize} ${config.blocks}x${config.filters}`;
  const net = createNet(config, { seed: 7 });
  const info = netInfo(config);
  const fp = planesPerPosition(info);
  const maxBatch = Math.max(...o.batches);
  const planes = randomPlanes(maxBatch * fp);
  const onnxBytes = exportOnnx(net.model, config);

  // The onnxruntime paths (raw, onnx, batched) are measured interleaved call by call and reported by their
  // median call time: on a shared 2-core machine, load from other processes comes and goes, and
  // alternating single calls exposes every path to the same load, so the ratios stay fair.
  const ortPaths = o.paths.filter((p) => ORT_PATHS.includes(p));
  if (ortPaths.length > 0) {
    const ort = await loadOnnxRuntime();
    const session = ortPaths.includes('raw') ? await createOnnxSession(onnxBytes, { threads: o.threads }) : null;
    const onnx = ortPaths.includes('onnx') ? await createEvaluator({ model: net, backend: 'onnx', threads: o.threads }) : null;
    for (const batch of o.batches) {
      const contenders: { path: string; call: () => Promise<unknown>; note?: () => string }[] = [];
      if (session !== null) {
        const feeds = { [ONNX_INPUT]: new ort.Tensor('float32', planes.subarray(0, batch * fp), [batch, info.inputPlanes, config.boardSize, config.boardSize]) };
        contenders.push({ path: 'raw onnxruntime', call: () => session.run(feeds) });
      }
      if (onnx !== null) contenders.push({ path: 'onnx', call: () => onnx.evaluate(planes, batch) });
      let batching: BatchingEvaluator | null = null;
      if (ortPaths.includes('batched')) {
        const b = new BatchingEvaluator(await createEvaluator({ model: net, backend: 'onnx', threads: o.threads }), { maxBatch: batch, maxWaitMs: 1 });
        batching = b;
        const singles = Array.from({ length: batch }, (_, i) => planes.subarray(i * fp, (i + 1) * fp));
        contenders.push({
          path: 'onnx via BatchingEvaluator',
          call: () => Promise.all(singles.map((p) => b.evaluate(p, 1))),
          note: () => `mean batch ${(b.stats().positions / b.stats().batches).toFixed(1)}`,
        });
      }
      let remote: RemoteLoad | null = null;
      if (ortPaths.includes('remote')) {
        const r = await startRemoteLoad(net, o.threads, batch, planes, fp);
        remote = r;
        contenders.push({
          path: `onnx via ${r.workers} RemoteEvaluator threads`,
          call: () => r.round(),
          note: () => `mean batch ${(r.batching.stats().positions / r.batching.stats().batches).toFixed(1)}`,
        });
      }
      const best = await timeInterleaved(contenders, o.seconds);
      for (const c of contenders) {
        const t = best.get(c.path)!;
        rows.push({ net: label, path: c.path, batch, rate: t.callsPerSecond * batch, msPerCall: t.ms, note: c.note?.() });
      }
      await batching?.dispose();
      await remote?.stop();
    }
    await session?.release();
    await onnx?.dispose();
  }

  for (const path of o.paths) {
    if (ORT_PATHS.includes(path)) continue;
    if (path === 'train') {
      await benchTraining(net, o, label, rows);
      continue;
    }
    // 'wasm-layers' / 'cpu-layers': the tfjs layers model instead of the fused forward pass.
    const layers = path.endsWith('-layers');
    const backend = (layers ? path.slice(0, -'-layers'.length) : path) as BackendName;
    const probe = await probeBackend(backend);
    if (!probe.available) {
      rows.push({ net: label, path, batch: 0, note: `unavailable: ${probe.reason ?? ''}`.slice(0, 110) });
      continue;
    }
    const evaluator: Evaluator = await createEvaluator({ model: net, backend, threads: o.threads, tfjsGraph: layers ? 'layers' : 'fused' });
    let perPositionS = 0;
    for (const batch of o.batches) {
      const predicted = perPositionS * batch;
      if (predicted > o.slowLimit) {
        rows.push({ net: label, path, batch, note: `skipped (~${predicted.toFixed(0)} s per call)` });
        continue;
      }
      // Slow paths: one timed call is enough (and the warm-up already tells us its cost).
      const seconds = predicted > 1 ? 0 : o.seconds;
      const t = await time(() => evaluator.evaluate(planes, batch), seconds);
      perPositionS = Math.max(perPositionS, t.ms / 1000 / batch);
      rows.push({ net: label, path, batch, rate: t.callsPerSecond * batch, msPerCall: t.ms });
    }
    await evaluator.dispose();
  }
}

/**
 * SGD steps: the ONNX training graph (forward + backward + update in one session.run), and tfjs autodiff
 * on a GPU tfjs backend (webgpu, tensorflow) where one is available.
 */
async function benchTraining(net: ReturnType<typeof createNet>, o: Options, label: string, rows: Row[]): Promise<void> {
  const info = netInfo(net.config);
  const fp = planesPerPosition(info);
  const actions = info.boardSize * info.boardSize + 1;
  const trainers: { path: string; make: () => Promise<Trainer> }[] = [{ path: 'onnx training step', make: () => OnnxTrainer.create(net, { threads: o.threads }) }];
  for (const backend of ['webgpu', 'tensorflow'] as const) {
    if ((await probeBackend(backend)).available) {
      // TfjsTrainer trains the model in place: give it a copy so every row starts from the same weights.
      const copy = { ...net, model: cloneModel(net.model, net.config) };
      trainers.push({ path: `${backend} training step`, make: () => TfjsTrainer.create(copy, backend) });
    }
  }
  for (const { path, make } of trainers) {
    const trainer = await make();
    let perPositionS = 0;
    for (const batch of o.batches) {
      const predicted = perPositionS * batch;
      if (predicted > o.slowLimit) {
        rows.push({ net: label, path, batch, note: `skipped (~${predicted.toFixed(0)} s per step)` });
        continue;
      }
      const planes = randomPlanes(batch * fp);
      const policy = new Float32Array(batch * actions).fill(1 / actions);
      const value = Float32Array.from({ length: batch }, (_, i) => (i % 2 ? 1 : -1));
      const t = await time(() => trainer.step(planes, policy, value, batch, 1e-3), predicted > 1 ? 0 : o.seconds);
      perPositionS = Math.max(perPositionS, t.ms / 1000 / batch);
      rows.push({ net: label, path, batch, rate: t.callsPerSecond * batch, msPerCall: t.ms });
    }
    await trainer.dispose();
  }
}

/** Alternates one call of each contender until each had ~`seconds` and MIN_SAMPLES calls; median per path. */
async function timeInterleaved(
  contenders: { path: string; call: () => Promise<unknown> }[],
  seconds: number,
): Promise<Map<string, { callsPerSecond: number; ms: number }>> {
  for (const c of contenders) {
    await c.call();
    await c.call();
  }
  const samples = new Map<string, number[]>(contenders.map((c) => [c.path, []]));
  const start = performance.now();
  let rounds = 0;
  while (rounds < MIN_SAMPLES || performance.now() - start < seconds * 1000 * contenders.length) {
    for (const c of contenders) {
      const t0 = performance.now();
      await c.call();
      samples.get(c.path)!.push(performance.now() - t0);
    }
    rounds++;
  }
  const result = new Map<string, { callsPerSecond: number; ms: number }>();
  for (const [path, times] of samples) {
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    result.set(path, { callsPerSecond: 1000 / median, ms: median });
  }
  return result;
}

function printTable(rows: Row[]): void {
  const raw = new Map<string, number>();
  for (const r of rows) if (r.path === 'raw onnxruntime' && r.rate !== undefined) raw.set(`${r.net}/${r.batch}`, r.rate);
  const header = ['net', 'path', 'batch', 'positions/s', 'ms/call', 'vs raw', 'note'];
  const lines = rows.map((r) => {
    const base = raw.get(`${r.net}/${r.batch}`);
    return [
      r.net,
      r.path,
      r.batch === 0 ? '-' : String(r.batch),
      r.rate === undefined ? '-' : r.rate >= 100 ? r.rate.toFixed(0) : r.rate.toFixed(2),
      r.msPerCall === undefined ? '-' : r.msPerCall.toFixed(2),
      r.rate !== undefined && base !== undefined && r.path !== 'raw onnxruntime' && !r.path.endsWith('training step') ? `${(r.rate / base).toFixed(2)}x` : '',
      r.note ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

export async function run(args: string[]): Promise<void> {
  const o = parseArgs(args);
  console.log(`nn bench: ${o.threads} threads, ~${o.seconds} s per measurement, batches ${o.batches.join(',')}`);
  const rows: Row[] = [];
  for (const size of o.sizes) {
    await benchNet(defaultNetConfig(size), o, rows);
  }
  printTable(rows);
}
