/**
 * A network on disk: one directory holding
 *   model.json     tfjs topology + weights manifest (tfjs layers format)
 *   weights.bin    tfjs weights
 *   model.onnx     the same network exported for onnxruntime (BN folded), see onnx-export.ts
 *   metadata.json  shape, feature set, training steps, parent, creation time, and the size and SHA-256 of
 *                  the three files above
 *
 * Every file is written atomically (temp file, fsync, rename, fsync of the directory) and metadata.json
 * last: it is the commit point. A crash mid-save leaves either the old metadata (whose checksums then no
 * longer match the replaced files: a clear error, never a silently mixed network) or the new one.
 * Reading checks the checksums, the format version, and that the tfjs model's shape matches the metadata.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { policyHeadOf, validateNetConfig, type NetConfig } from './config.js';
import type { FeatureSet } from './evaluator.js';
import { featurePlaneCount } from './features.js';
import { inferNetConfig, type PolicyValueNet } from './model.js';
import { exportOnnx } from './onnx-export.js';

export const METADATA_FILE = 'metadata.json';
export const MODEL_JSON_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const ONNX_FILE = 'model.onnx';
export const NET_FORMAT = 'tengen-net';
export const NET_FORMAT_VERSION = 1;

type NetFileName = typeof MODEL_JSON_FILE | typeof WEIGHTS_FILE | typeof ONNX_FILE;

export interface FileChecksum {
  bytes: number;
  sha256: string;
}

export interface NetMetadata extends NetConfig {
  format: typeof NET_FORMAT;
  version: number;
  inputPlanes: number;
  trainingSteps: number;
  parent: string | null;
  /** ISO 8601 creation time. */
  created: string;
  files: Record<NetFileName, FileChecksum>;
}

/** A network directory that cannot be used as it is: missing, corrupted, or not matching its metadata. */
export class NetFileError extends Error {
  constructor(
    readonly dir: string,
    message: string,
  ) {
    super(`network ${dir}: ${message}`);
    this.name = 'NetFileError';
  }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes a file so that readers see either the old contents or the new, never a torn mix. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await handle.close();
  await rename(tmp, path);
  await syncDirectory(resolve(path, '..'));
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable. Some platforms cannot fsync a directory; that only weakens durability.
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    /* best effort */
  }
}

function checksum(data: Uint8Array): FileChecksum {
  return { bytes: data.length, sha256: sha256(data) };
}

function toBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/** model.json contents for tfjs artifacts whose weights live in weights.bin. */
function modelJson(artifacts: tf.io.ModelArtifacts): string {
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
  };
  return JSON.stringify(json);
}

/** Serialises a network to the bytes of its directory's files (no disk access). */
export async function serializeNet(net: PolicyValueNet, created = new Date()): Promise<{ files: Record<NetFileName, Uint8Array>; metadata: NetMetadata }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await net.model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  if (artifacts === undefined) throw new Error('tfjs did not hand over the model artifacts');
  const files: Record<NetFileName, Uint8Array> = {
    [MODEL_JSON_FILE]: new TextEncoder().encode(modelJson(artifacts)),
    [WEIGHTS_FILE]: toBytes(artifacts.weightData),
    [ONNX_FILE]: exportOnnx(net.model, net.config),
  };
  const metadata: NetMetadata = {
    format: NET_FORMAT,
    version: NET_FORMAT_VERSION,
    ...net.config,
    inputPlanes: featurePlaneCount(net.config.featureSet),
    trainingSteps: net.trainingSteps,
    parent: net.parent,
    created: created.toISOString(),
    files: {
      [MODEL_JSON_FILE]: checksum(files[MODEL_JSON_FILE]),
      [WEIGHTS_FILE]: checksum(files[WEIGHTS_FILE]),
      [ONNX_FILE]: checksum(files[ONNX_FILE]),
    },
  };
  return { files, metadata };
}

/** Saves a network into `dir` (created if needed), replacing any network there. */
export async function saveNet(net: PolicyValueNet, dir: string, options: { created?: Date } = {}): Promise<NetMetadata> {
  const { files, metadata } = await serializeNet(net, options.created);
  await mkdir(dir, { recursive: true });
  for (const name of [WEIGHTS_FILE, MODEL_JSON_FILE, ONNX_FILE] as const) await writeFileAtomic(join(dir, name), files[name]);
  await writeFileAtomic(join(dir, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  return metadata;
}

async function readOrFail(dir: string, name: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(join(dir, name)));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NetFileError(dir, code === 'ENOENT' ? `${name} is missing` : `cannot read ${name}: ${(e as Error).message}`);
  }
}

/** Reads and validates metadata.json. */
export async function readNetMetadata(dir: string): Promise<NetMetadata> {
  const raw = await readOrFail(dir, METADATA_FILE);
  let m: unknown;
  try {
    m = JSON.parse(new TextDecoder().decode(raw));
  } catch (e) {
    throw new NetFileError(dir, `${METADATA_FILE} is not valid JSON (${(e as Error).message})`);
  }
  return validateMetadata(dir, m);
}

function validateMetadata(dir: string, m: unknown): NetMetadata {
  if (typeof m !== 'object' || m === null) throw new NetFileError(dir, `${METADATA_FILE} is not an object`);
  const o = m as Record<string, unknown>;
  if (o.format !== NET_FORMAT) throw new NetFileError(dir, `${METADATA_FILE} is not a tengen network (format ${JSON.stringify(o.format)})`);
  if (o.version !== NET_FORMAT_VERSION) {
    throw new NetFileError(dir, `${METADATA_FILE} has format version ${JSON.stringify(o.version)}; this tengen reads version ${NET_FORMAT_VERSION}`);
  }
  try {
    validateNetConfig(o as unknown as NetConfig);
  } catch (e) {
    throw new NetFileError(dir, `${METADATA_FILE}: ${(e as Error).message}`);
  }
  if (o.inputPlanes !== featurePlaneCount(o.featureSet as FeatureSet)) {
    throw new NetFileError(dir, `${METADATA_FILE}: inputPlanes ${String(o.inputPlanes)} does not match feature set '${String(o.featureSet)}'`);
  }
  if (typeof o.trainingSteps !== 'number' || !(o.trainingSteps >= 0)) throw new NetFileError(dir, `${METADATA_FILE}: bad trainingSteps`);
  if (o.parent !== null && typeof o.parent !== 'string') throw new NetFileError(dir, `${METADATA_FILE}: parent must be a string or null`);
  if (typeof o.created !== 'string' || Number.isNaN(Date.parse(o.created))) throw new NetFileError(dir, `${METADATA_FILE}: bad created time`);
  const files = o.files as Record<string, unknown> | undefined;
  for (const name of [MODEL_JSON_FILE, WEIGHTS_FILE, ONNX_FILE]) {
    const f = files?.[name] as Partial<FileChecksum> | undefined;
    if (typeof f?.bytes !== 'number' || typeof f.sha256 !== 'string') throw new NetFileError(dir, `${METADATA_FILE}: no checksum for ${name}`);
  }
  return o as unknown as NetMetadata;
}

async function readChecked(dir: string, name: NetFileName, metadata: NetMetadata): Promise<Uint8Array> {
  const data = await readOrFail(dir, name);
  const expected = metadata.files[name];
  if (data.length !== expected.bytes) {
    throw new NetFileError(dir, `${name} has ${data.length} bytes but metadata says ${expected.bytes} (truncated, corrupted, or from another network)`);
  }
  if (sha256(data) !== expected.sha256) throw new NetFileError(dir, `${name} fails its SHA-256 checksum (corrupted, or from another network)`);
  return data;
}

/**
 * Copies a saved network directory to `toDir` byte for byte, every file checked against its checksum first
 * (a corrupt source is refused, not copied). metadata.json is written last, so an interrupted copy leaves
 * a directory that readNetMetadata rejects rather than one that looks whole.
 */
export async function copyNet(fromDir: string, toDir: string): Promise<NetMetadata> {
  const metadata = await readNetMetadata(fromDir);
  const files = await Promise.all(([MODEL_JSON_FILE, WEIGHTS_FILE, ONNX_FILE] as const).map(async (name) => ({ name, data: await readChecked(fromDir, name, metadata) })));
  const metadataBytes = await readOrFail(fromDir, METADATA_FILE);
  await mkdir(toDir, { recursive: true });
  for (const f of files) await writeFileAtomic(join(toDir, f.name), f.data);
  await writeFileAtomic(join(toDir, METADATA_FILE), metadataBytes);
  return metadata;
}

/** The exported ONNX graph, checksum-verified, with its metadata. */
export async function readOnnxModel(dir: string): Promise<{ metadata: NetMetadata; bytes: Uint8Array }> {
  const metadata = await readNetMetadata(dir);
  return { metadata, bytes: await readChecked(dir, ONNX_FILE, metadata) };
}

/**
 * A tfjs IOHandler over model.json + weights.bin in a directory, for Node (tfjs-node's file:// handler is
 * not available). Loading verifies the files against metadata.json when `metadata` is given.
 */
export function fileIOHandler(dir: string, metadata?: NetMetadata): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(join(dir, WEIGHTS_FILE), toBytes(artifacts.weightData));
      await writeFileAtomic(join(dir, MODEL_JSON_FILE), modelJson(artifacts));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonBytes = metadata ? await readChecked(dir, MODEL_JSON_FILE, metadata) : await readOrFail(dir, MODEL_JSON_FILE);
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(new TextDecoder().decode(jsonBytes)) as tf.io.ModelJSON;
      } catch (e) {
        throw new NetFileError(dir, `${MODEL_JSON_FILE} is not valid JSON (${(e as Error).message})`);
      }
      if (json.modelTopology === undefined || !Array.isArray(json.weightsManifest)) {
        throw new NetFileError(dir, `${MODEL_JSON_FILE} lacks modelTopology or weightsManifest`);
      }
      const specs = json.weightsManifest.flatMap((g) => g.weights);
      const paths = json.weightsManifest.flatMap((g) => g.paths.map((p) => basename(p)));
      if (paths.length !== 1 || paths[0] !== WEIGHTS_FILE) throw new NetFileError(dir, `${MODEL_JSON_FILE} must reference ${WEIGHTS_FILE} only`);
      const weights = metadata ? await readChecked(dir, WEIGHTS_FILE, metadata) : await readOrFail(dir, WEIGHTS_FILE);
      const expectedBytes = specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
      if (specs.some((s) => s.dtype !== 'float32')) throw new NetFileError(dir, `${MODEL_JSON_FILE} lists non-float32 weights`);
      if (weights.length !== expectedBytes) {
        throw new NetFileError(dir, `${WEIGHTS_FILE} has ${weights.length} bytes but ${MODEL_JSON_FILE} describes ${expectedBytes}`);
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: specs,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
      };
    },
  };
}

/** Loads a network (tfjs model in the current tfjs backend), verifying checksums and shape. */
export async function loadNet(dir: string): Promise<PolicyValueNet> {
  const metadata = await readNetMetadata(dir);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(fileIOHandler(dir, metadata));
  } catch (e) {
    if (e instanceof NetFileError) throw e;
    throw new NetFileError(dir, `tfjs cannot load the model: ${(e as Error).message}`);
  }
  const config = metadataConfig(metadata);
  let actual: NetConfig;
  try {
    actual = inferNetConfig(model, config.featureSet);
  } catch (e) {
    model.dispose();
    throw new NetFileError(dir, (e as Error).message);
  }
  if (policyHeadOf(actual) !== policyHeadOf(config)) {
    model.dispose();
    throw new NetFileError(dir, `model has a ${policyHeadOf(actual)} policy head but metadata says ${policyHeadOf(config)}`);
  }
  for (const key of Object.keys(config) as (keyof NetConfig)[]) {
    if (actual[key] !== config[key]) {
      model.dispose();
      throw new NetFileError(dir, `model has ${key} ${String(actual[key])} but metadata says ${String(config[key])}`);
    }
  }
  return { config, model, trainingSteps: metadata.trainingSteps, parent: metadata.parent };
}

export function metadataConfig(m: NetMetadata): NetConfig {
  return {
    boardSize: m.boardSize,
    blocks: m.blocks,
    filters: m.filters,
    featureSet: m.featureSet,
    policyFilters: m.policyFilters,
    valueFilters: m.valueFilters,
    valueHidden: m.valueHidden,
    ...(m.policyHead !== undefined ? { policyHead: m.policyHead } : {}),
  };
}
