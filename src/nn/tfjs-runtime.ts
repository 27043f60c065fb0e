/**
 * tfjs backends in one process: initialisation of each (wasm paths, optional native/GPU packages) and a
 * process-wide queue, because tfjs has one global "current backend". Every tfjs evaluator runs its
 * forward pass inside `withTfjsBackend`, so evaluators on different backends can coexist (parity tests)
 * without their tensors being computed on the wrong one.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export type TfjsBackendName = 'cpu' | 'wasm' | 'tensorflow' | 'webgpu';

/** A backend that cannot run here, with the reason (missing package, no GPU adapter…). */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: string,
    reason: string,
  ) {
    super(`backend '${backend}' is not available: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs `fn` with `backend` as tfjs's current backend, after every earlier queued tfjs call has finished. */
export function withTfjsBackend<T>(backend: TfjsBackendName, fn: () => Promise<T> | T): Promise<T> {
  const run = queue.then(async () => {
    if (tf.getBackend() !== backend) {
      if (!(await tf.setBackend(backend))) throw new BackendUnavailableError(backend, 'tfjs failed to initialise it');
    }
    return fn();
  });
  queue = run.catch(() => undefined);
  return run;
}

const initialised = new Map<TfjsBackendName, Promise<void>>();

/** Makes a tfjs backend ready (once per process). Throws BackendUnavailableError with the reason. */
export function initTfjsBackend(backend: TfjsBackendName): Promise<void> {
  let p = initialised.get(backend);
  if (p === undefined) {
    p = initialise(backend);
    initialised.set(backend, p);
    // A failed initialisation may succeed later (e.g. a package installed meanwhile in a long-lived process).
    p.catch(() => initialised.delete(backend));
  }
  return p;
}

async function initialise(backend: TfjsBackendName): Promise<void> {
  switch (backend) {
    case 'cpu':
      break;
    case 'wasm':
      await initWasm();
      break;
    case 'tensorflow':
      await initTensorflow();
      break;
    case 'webgpu':
      await initWebgpu();
      break;
    default:
      throw new BackendUnavailableError(String(backend), 'unknown tfjs backend');
  }
  await withTfjsBackend(backend, () => {
    if (backend === 'cpu') silenceCpuNodeBanner();
  });
}

/** The cpu backend prints a "use tfjs-node" banner on first use in Node; tengen chooses backends itself. */
export function silenceCpuNodeBanner(): void {
  // Let the engine pick its default first: that (re)creates the backend instances we then adjust.
  tf.backend();
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu !== null && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

async function initWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // In Node the .wasm binaries are read from the package's dist folder (a path prefix, trailing slash).
  const require = createRequire(import.meta.url);
  const distDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  wasm.setWasmPaths(`${distDir}/`);
}

/** Loads a package by a computed name so the compiler does not require it to be installed. */
async function importOptional(name: string): Promise<unknown> {
  return import(name) as Promise<unknown>;
}

async function initTensorflow(): Promise<void> {
  const errors: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await importOptional(pkg);
      if (tf.findBackendFactory('tensorflow') === null) {
        throw new Error(`${pkg} loaded but registered its backend with another copy of @tensorflow/tfjs-core (versions must match @tensorflow/tfjs ${tf.version.tfjs})`);
      }
      return;
    } catch (e) {
      errors.push(`${pkg}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new BackendUnavailableError(
    'tensorflow',
    `install @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (optional, needs libtensorflow) — ${errors.join('; ')}`,
  );
}

interface WebgpuModule {
  create(options: string[]): { requestAdapter(): Promise<unknown> };
  globals: Record<string, unknown>;
}

/** Installs Dawn's WebGPU (npm `webgpu`) as navigator.gpu in Node, and checks that an adapter exists. */
export async function probeWebgpuAdapter(): Promise<void> {
  let mod: WebgpuModule;
  try {
    mod = (await importOptional('webgpu')) as WebgpuModule;
  } catch (e) {
    throw new BackendUnavailableError('webgpu', `the optional package 'webgpu' (Dawn) cannot be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
  const g = globalThis as unknown as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } };
  if (g.navigator?.gpu === undefined) {
    Object.assign(globalThis, mod.globals);
    const gpu = mod.create([]);
    if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    else Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  }
  const adapter = await g.navigator!.gpu!.requestAdapter();
  if (adapter === null || adapter === undefined) {
    throw new BackendUnavailableError('webgpu', 'no WebGPU adapter (no GPU, or no Vulkan/Metal/D3D12 driver visible to Dawn)');
  }
}

async function initWebgpu(): Promise<void> {
  await probeWebgpuAdapter();
  try {
    await importOptional('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    throw new BackendUnavailableError('webgpu', `@tensorflow/tfjs-backend-webgpu cannot be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
  if (tf.findBackendFactory('webgpu') === null) {
    throw new BackendUnavailableError('webgpu', '@tensorflow/tfjs-backend-webgpu registered with another copy of @tensorflow/tfjs-core');
  }
}
